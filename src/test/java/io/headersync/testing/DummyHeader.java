package io.headersync.testing;

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
 * A small header for tests of the generic core, after go-header's {@code headertest.DummyHeader}:
 * its type check fails when {@link #verifyFailure()} is set, soft or hard as {@link #softFailure()}
 * says, and (like ev-node's) when an adjacent header does not carry its predecessor's hash. Binary layout: chainId length (2 bytes) + chainId, height (8), epoch seconds (8), nanos (4),
 * flags (1), last hash length (1) + last hash. Hash = SHA-256 of the encoding.
 */
public final class DummyHeader implements Header {
  /** The header type of {@link DummyHeader}. */
  public static final HeaderType<DummyHeader> TYPE = new HeaderType<>() {
    @Override
    public DummyHeader decode(byte[] bytes) {
      return DummyHeader.decode(bytes);
    }

    @Override
    public void verify(DummyHeader trusted, DummyHeader untrusted) {
      if (untrusted.height == trusted.height + 1 && !untrusted.lastHeaderHash.equals(trusted.hash)) {
        throw new VerifyException(VerifyException.Reason.TYPE_CHECK, "last header hash " + untrusted.lastHeaderHash
            + " of height " + untrusted.height + " is not the hash " + trusted.hash + " of height " + trusted.height,
            false);
      }
      if (untrusted.verifyFailure) {
        throw new VerifyException(VerifyException.Reason.TYPE_CHECK, "dummy verify error", untrusted.softFailure);
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

  private DummyHeader(String chainId, long height, Instant time, Hash lastHeaderHash, boolean verifyFailure,
      boolean softFailure, boolean zero) {
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

  /** A genesis header at {@code height} with no last hash. */
  public static DummyHeader genesis(String chainId, long height, Instant time) {
    return new DummyHeader(chainId, height, time, Hash.EMPTY, false, false, false);
  }

  /** The zero value of the type. */
  public static DummyHeader zero() {
    return new DummyHeader("", 0, Instant.EPOCH, Hash.EMPTY, false, false, true);
  }

  /** The header following this one: height + 1, time + 1 ns, linked by hash. */
  public DummyHeader next() {
    return new DummyHeader(chainId, height + 1, time.plusNanos(1), hash, false, false, false);
  }

  public DummyHeader withChainId(String v) {
    return new DummyHeader(v, height, time, lastHeaderHash, verifyFailure, softFailure, zero);
  }

  public DummyHeader withHeight(long v) {
    return new DummyHeader(chainId, v, time, lastHeaderHash, verifyFailure, softFailure, zero);
  }

  public DummyHeader withTime(Instant v) {
    return new DummyHeader(chainId, height, v, lastHeaderHash, verifyFailure, softFailure, zero);
  }

  public DummyHeader withVerifyFailure(boolean soft) {
    return new DummyHeader(chainId, height, time, lastHeaderHash, true, soft, zero);
  }

  public boolean verifyFailure() {
    return verifyFailure;
  }

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

  @Override
  public boolean equals(Object o) {
    return o instanceof DummyHeader && ((DummyHeader) o).hash.equals(hash);
  }

  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  @Override
  public String toString() {
    return "DummyHeader{" + chainId + " #" + height + " " + hash + "}";
  }

  private byte[] encodeFields() {
    byte[] cid = chainId.getBytes(StandardCharsets.UTF_8);
    byte[] last = lastHeaderHash.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(2 + cid.length + 8 + 8 + 4 + 1 + 1 + last.length);
    b.putShort((short) cid.length).put(cid).putLong(height).putLong(time.getEpochSecond()).putInt(time.getNano());
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
        throw new InvalidHeaderException("dummy header height " + Long.toUnsignedString(height) + " exceeds 2^63-1");
      }
      Instant time = Instant.ofEpochSecond(b.getLong(), b.getInt());
      int flags = b.get();
      byte[] last = new byte[Byte.toUnsignedInt(b.get())];
      b.get(last);
      if (b.hasRemaining()) {
        throw new InvalidHeaderException("dummy header has " + b.remaining() + " trailing bytes");
      }
      return new DummyHeader(new String(cid, StandardCharsets.UTF_8), height, time, Hash.wrap(last),
          (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
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
