package io.headersync.evnode;

import io.headersync.Hash;
import java.time.Instant;
import java.util.Objects;

/**
 * The metadata of ev-node block data ({@code types.Metadata}, protobuf {@code evnode.v1.Metadata}:
 * {@code string chain_id = 1; uint64 height = 2; uint64 time = 3; bytes last_data_hash = 4}). It
 * ties {@link Data} to its header (same chain id, height and time) and links it to the previous
 * data by {@code last_data_hash}.
 *
 * <p>Height is at most {@link Long#MAX_VALUE}; time is uint64 Unix nanoseconds as a raw bit
 * pattern, read by {@link #time()} as Go does (see {@link BlockHeader}). Immutable and thread-safe.
 */
public final class Metadata {
  private final String chainId;
  private final long height;
  private final long timeNanos;
  private final Hash lastDataHash;

  private Metadata(String chainId, long height, long timeNanos, Hash lastDataHash) {
    this.chainId = chainId;
    this.height = height;
    this.timeNanos = timeNanos;
    this.lastDataHash = lastDataHash;
  }

  /**
   * {@return block data's metadata, which repeats its header's chain id, height and time}
   *
   * @param chainId the chain id
   * @param height the block height; not negative
   * @param timeNanos the block time as uint64 Unix nanoseconds (raw bit pattern)
   * @param lastDataHash the previous block's data hash ({@link Data#hash()}); empty for the first
   *     block
   * @throws IllegalArgumentException if {@code height} is negative
   */
  public static Metadata of(String chainId, long height, long timeNanos, Hash lastDataHash) {
    Objects.requireNonNull(chainId, "chainId == null");
    Objects.requireNonNull(lastDataHash, "lastDataHash == null");
    if (height < 0) {
      throw new IllegalArgumentException("height < 0: " + height);
    }
    return new Metadata(chainId, height, timeNanos, lastDataHash);
  }

  /** {@return the chain id (field 1)} */
  public String chainId() {
    return chainId;
  }

  /** {@return the block height (field 2)} */
  public long height() {
    return height;
  }

  /**
   * {@return the block time as on the wire: uint64 Unix nanoseconds, a raw bit pattern (field 3)}
   */
  public long timeNanos() {
    return timeNanos;
  }

  /** {@return the block time as Go's {@code time.Unix(0, int64(Time))} reads it} */
  public Instant time() {
    return BlockHeader.instantOfNanos(timeNanos);
  }

  /**
   * {@return the previous block's data hash (field 4), which links data as {@code last_header_hash}
   * links headers; empty for the first block}
   */
  public Hash lastDataHash() {
    return lastDataHash;
  }

  byte[] encode() {
    return new Wire.Writer(64 + lastDataHash.size() + chainId.length() * 3)
        .stringProto3(1, chainId)
        .uint64Proto3(2, height)
        .uint64Proto3(3, timeNanos)
        .bytesProto3(4, lastDataHash.toByteArray())
        .toByteArray();
  }

  /** Merges occurrences of a Metadata message, as protobuf does. */
  static final class Decoder {
    String chainId = "";
    long height;
    long timeNanos;
    Hash lastDataHash = Hash.EMPTY;

    void merge(Wire.Reader r) {
      while (r.hasMore()) {
        int tag = r.readTag();
        switch (tag) {
          case (1 << 3) | Wire.BYTES:
            chainId = r.readString("chain_id");
            break;
          case (2 << 3) | Wire.VARINT:
            height = r.readVarint("height");
            break;
          case (3 << 3) | Wire.VARINT:
            timeNanos = r.readVarint("time");
            break;
          case (4 << 3) | Wire.BYTES:
            lastDataHash = Hash.wrap(r.readBytes("last_data_hash"));
            break;
          default:
            r.skipField(tag);
        }
      }
    }

    Metadata build(String what) {
      if (height < 0) {
        throw new io.headersync.InvalidHeaderException(
            what
                + ".height: "
                + Long.toUnsignedString(height)
                + " is above 2^63-1, the largest height headersync supports");
      }
      return new Metadata(chainId, height, timeNanos, lastDataHash);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Metadata)) {
      return false;
    }
    Metadata m = (Metadata) o;
    return height == m.height
        && timeNanos == m.timeNanos
        && chainId.equals(m.chainId)
        && lastDataHash.equals(m.lastDataHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chainId, height, timeNanos, lastDataHash);
  }

  @Override
  public String toString() {
    return "Metadata{chainId="
        + chainId
        + ", height="
        + height
        + ", time="
        + time()
        + ", lastDataHash="
        + lastDataHash
        + "}";
  }
}
