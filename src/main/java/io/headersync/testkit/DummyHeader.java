package io.headersync.testkit;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.InvalidHeaderException;
import io.headersync.VerifyException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;

/**
 * A small header type for tests of code that is generic over the header (a {@code Store}, a {@code
 * Syncer}, an extra check), after go-header's {@code headertest.DummyHeader}. Its type check
 * ({@link #TYPE}{@code .verify}) fails when {@link #verifyFailure()} is set, soft or hard as {@link
 * #softFailure()} says, and (like ev-node's) when an adjacent header does not carry its
 * predecessor's hash; {@link #validate} always passes. Binary layout: chain id length (2 bytes) +
 * chain id, height (8), epoch seconds (8), nanos (4), flags (1), last hash length (1) + last hash;
 * the hash is the SHA-256 of the encoding. Make chains with {@link DummyChain}. Immutable.
 */
public final class DummyHeader implements Header {
  /** The header type of {@link DummyHeader}. */
  public static final HeaderType<DummyHeader> TYPE =
      new HeaderType<>() {
        @Override
        public DummyHeader decode(byte[] bytes) {
          return DummyHeader.decode(bytes);
        }

        @Override
        public void verify(DummyHeader trusted, DummyHeader untrusted) {
          if (untrusted.height == trusted.height + 1
              && !untrusted.lastHeaderHash.equals(trusted.hash)) {
            throw new VerifyException(
                VerifyException.Reason.TYPE_CHECK,
                "last header hash "
                    + untrusted.lastHeaderHash
                    + " of height "
                    + untrusted.height
                    + " is not the hash "
                    + trusted.hash
                    + " of height "
                    + trusted.height,
                false);
          }
          if (untrusted.verifyFailure) {
            throw new VerifyException(
                VerifyException.Reason.TYPE_CHECK, "dummy verify error", untrusted.softFailure);
          }
        }

        @Override
        public String name() {
          return "DummyHeader";
        }
      };

  private final String chainId;
  private final long height;
  private final Instant time;
  private final Hash lastHeaderHash;
  private final boolean verifyFailure;
  private final boolean softFailure;
  private final boolean zero;
  private final byte[] encoded;
  private final Hash hash;

  private DummyHeader(
      String chainId,
      long height,
      Instant time,
      Hash lastHeaderHash,
      boolean verifyFailure,
      boolean softFailure,
      boolean zero) {
    this.chainId = chainId;
    this.height = height;
    this.time = time;
    this.lastHeaderHash = lastHeaderHash;
    this.verifyFailure = verifyFailure;
    this.softFailure = softFailure;
    this.zero = zero;
    this.encoded = encodeFields();
    this.hash = Hash.wrap(sha256(encoded));
  }

  /**
   * A genesis header at {@code height} with no last hash.
   *
   * @param chainId its chain id
   * @param height its height, at least 1
   * @param time its time
   * @return the header
   */
  public static DummyHeader genesis(String chainId, long height, Instant time) {
    return new DummyHeader(chainId, height, time, Hash.EMPTY, false, false, false);
  }

  /**
   * The zero value of the type ({@link #isZero()} is true).
   *
   * @return the zero header
   */
  public static DummyHeader zero() {
    return new DummyHeader("", 0, Instant.EPOCH, Hash.EMPTY, false, false, true);
  }

  /**
   * The header following this one: height + 1, time + 1 ns, linked by hash.
   *
   * @return the next header
   */
  public DummyHeader next() {
    return new DummyHeader(chainId, height + 1, time.plusNanos(1), hash, false, false, false);
  }

  /**
   * This header with another chain id (and so another hash).
   *
   * @param v the chain id
   * @return the changed header
   */
  public DummyHeader withChainId(String v) {
    return new DummyHeader(v, height, time, lastHeaderHash, verifyFailure, softFailure, zero);
  }

  /**
   * This header at another height (and so with another hash; the last hash is kept).
   *
   * @param v the height
   * @return the changed header
   */
  public DummyHeader withHeight(long v) {
    return new DummyHeader(chainId, v, time, lastHeaderHash, verifyFailure, softFailure, zero);
  }

  /**
   * This header with another time (and so another hash), e.g. to fork a chain.
   *
   * @param v the time
   * @return the changed header
   */
  public DummyHeader withTime(Instant v) {
    return new DummyHeader(chainId, height, v, lastHeaderHash, verifyFailure, softFailure, zero);
  }

  /**
   * This header marked to fail the type check, e.g. to test how a caller treats a bad header.
   *
   * @param soft whether the failure is soft (go-header's {@code SoftFailure}) or hard
   * @return the marked header
   */
  public DummyHeader withVerifyFailure(boolean soft) {
    return new DummyHeader(chainId, height, time, lastHeaderHash, true, soft, zero);
  }

  /**
   * Whether the type check fails for this header.
   *
   * @return true if marked by {@link #withVerifyFailure}
   */
  public boolean verifyFailure() {
    return verifyFailure;
  }

  /**
   * Whether the type check's failure is soft.
   *
   * @return true if marked by {@code withVerifyFailure(true)}
   */
  public boolean softFailure() {
    return softFailure;
  }

  @Override
  public String chainId() {
    return chainId;
  }

  @Override
  public long height() {
    return height;
  }

  @Override
  public Hash hash() {
    return hash;
  }

  @Override
  public Hash lastHeaderHash() {
    return lastHeaderHash;
  }

  @Override
  public Instant time() {
    return time;
  }

  /** Always passes, as go-header's {@code DummyHeader.Validate}. */
  @Override
  public void validate(Clock clock) {
    // go-header's DummyHeader.Validate always succeeds.
  }

  @Override
  public byte[] encode() {
    return encoded.clone();
  }

  @Override
  public boolean isZero() {
    return zero;
  }

  /** Equal when the hashes are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof DummyHeader && ((DummyHeader) o).hash.equals(hash);
  }

  /** The hash's hash code. */
  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  /** Chain id, height and hash. */
  @Override
  public String toString() {
    return "DummyHeader{" + chainId + " #" + height + " " + hash + "}";
  }

  private byte[] encodeFields() {
    byte[] cid = chainId.getBytes(StandardCharsets.UTF_8);
    byte[] last = lastHeaderHash.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(2 + cid.length + 8 + 8 + 4 + 1 + 1 + last.length);
    b.putShort((short) cid.length)
        .put(cid)
        .putLong(height)
        .putLong(time.getEpochSecond())
        .putInt(time.getNano());
    b.put((byte) ((verifyFailure ? 1 : 0) | (softFailure ? 2 : 0) | (zero ? 4 : 0)));
    b.put((byte) last.length).put(last);
    return b.array();
  }

  static DummyHeader decode(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte[] cid = new byte[Short.toUnsignedInt(b.getShort())];
      b.get(cid);
      long height = b.getLong();
      if (height < 0) {
        throw new InvalidHeaderException(
            "dummy header height " + Long.toUnsignedString(height) + " exceeds 2^63-1");
      }
      Instant time = Instant.ofEpochSecond(b.getLong(), b.getInt());
      int flags = b.get();
      byte[] last = new byte[Byte.toUnsignedInt(b.get())];
      b.get(last);
      if (b.hasRemaining()) {
        throw new InvalidHeaderException("dummy header has " + b.remaining() + " trailing bytes");
      }
      return new DummyHeader(
          new String(cid, StandardCharsets.UTF_8),
          height,
          time,
          Hash.wrap(last),
          (flags & 1) != 0,
          (flags & 2) != 0,
          (flags & 4) != 0);
    } catch (java.nio.BufferUnderflowException e) {
      throw new InvalidHeaderException("dummy header truncated at " + bytes.length + " bytes", e);
    }
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
