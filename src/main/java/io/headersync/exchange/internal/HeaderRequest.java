package io.headersync.exchange.internal;

import io.headersync.Hash;
import java.util.Objects;

/**
 * A decoded header-ex request. Heights and amounts are uint64 on the wire and kept as raw {@code
 * long} bits here; compare them with {@link Long#compareUnsigned}.
 */
public final class HeaderRequest {
  /** Which member of the request's oneof is set. */
  public enum Kind {
    /** {@code origin}: a head request (0) or a range from that height. */
    ORIGIN,
    /** {@code hash}: one header by hash. */
    HASH,
    /** Neither: go-header's server resets such a stream. */
    UNSET
  }

  private final Kind kind;
  private final long origin;
  private final Hash hash;
  private final long amount;

  private HeaderRequest(Kind kind, long origin, Hash hash, long amount) {
    this.kind = kind;
    this.origin = origin;
    this.hash = hash;
    this.amount = amount;
  }

  static HeaderRequest range(long origin, long amount) {
    return new HeaderRequest(Kind.ORIGIN, origin, Hash.EMPTY, amount);
  }

  static HeaderRequest hash(Hash hash, long amount) {
    return new HeaderRequest(Kind.HASH, 0, Objects.requireNonNull(hash, "hash == null"), amount);
  }

  static HeaderRequest unset(long amount) {
    return new HeaderRequest(Kind.UNSET, 0, Hash.EMPTY, amount);
  }

  public Kind kind() {
    return kind;
  }

  /** The origin height (uint64 bits); 0 asks for the head. */
  public long origin() {
    return origin;
  }

  /** The requested hash; empty unless {@link #kind()} is {@link Kind#HASH}. */
  public Hash hash() {
    return hash;
  }

  /** The amount (uint64 bits). */
  public long amount() {
    return amount;
  }

  @Override
  public String toString() {
    switch (kind) {
      case ORIGIN:
        return "HeaderRequest{origin="
            + Long.toUnsignedString(origin)
            + ", amount="
            + Long.toUnsignedString(amount)
            + "}";
      case HASH:
        return "HeaderRequest{hash=" + hash + ", amount=" + Long.toUnsignedString(amount) + "}";
      default:
        return "HeaderRequest{unset, amount=" + Long.toUnsignedString(amount) + "}";
    }
  }
}
