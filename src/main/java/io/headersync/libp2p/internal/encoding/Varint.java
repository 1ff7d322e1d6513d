package io.headersync.libp2p.internal.encoding;

import io.netty.buffer.ByteBuf;

/**
 * Unsigned LEB128 varints as the multiformats use them (go-varint): at most 9 bytes, values up to
 * 2^63 - 1, and <b>minimal encoding enforced</b> (a trailing {@code 0x00} continuation byte is an
 * error, as in Go).
 *
 * <p>Decoding from a {@link ByteBuf} never moves the reader index; it reports how many bytes the
 * varint took, or {@link #INCOMPLETE} when more bytes are needed.
 */
public final class Varint {
  /** The longest varint accepted (go-varint {@code MaxLenUvarint63}). */
  public static final int MAX_LENGTH = 9;

  /** Returned by {@link #peek} when the buffer ends inside a varint. */
  public static final long INCOMPLETE = -1;

  private Varint() {}

  /** The number of bytes {@code value} takes when encoded. */
  public static int size(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varint value must be non-negative: " + value);
    }
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /** Encodes {@code value} into a new array. */
  public static byte[] encode(long value) {
    byte[] out = new byte[size(value)];
    write(value, out, 0);
    return out;
  }

  /** Writes {@code value} at {@code offset}; returns the offset after it. */
  public static int write(long value, byte[] out, int offset) {
    size(value);
    while ((value & ~0x7FL) != 0) {
      out[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  /** Appends {@code value} to {@code out}. */
  public static void write(long value, ByteBuf out) {
    size(value);
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /**
   * Decodes a varint at {@code in.readerIndex()} without moving it. Returns the value and sets
   * {@code sizeOut[0]} to the number of bytes used, or returns {@link #INCOMPLETE}.
   *
   * @throws VarintException if the varint is longer than 9 bytes, overflows 63 bits or is not
   *     minimally encoded
   */
  public static long peek(ByteBuf in, int[] sizeOut) {
    long value = 0;
    int start = in.readerIndex();
    int avail = in.readableBytes();
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (i >= avail) {
        return INCOMPLETE;
      }
      int b = in.getUnsignedByte(start + i);
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new VarintException("varint is not minimally encoded");
        }
        if (value < 0) {
          throw new VarintException("varint overflows 63 bits");
        }
        sizeOut[0] = i + 1;
        return value;
      }
    }
    throw new VarintException("varint longer than " + MAX_LENGTH + " bytes");
  }

  /**
   * Decodes a varint from {@code in} at {@code pos[0]}, advancing {@code pos[0]}.
   *
   * @throws VarintException if truncated, too long, overflowing or not minimal
   */
  public static long read(byte[] in, int[] pos) {
    long value = 0;
    int p = pos[0];
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (p + i >= in.length) {
        throw new VarintException("truncated varint");
      }
      int b = in[p + i] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new VarintException("varint is not minimally encoded");
        }
        if (value < 0) {
          throw new VarintException("varint overflows 63 bits");
        }
        pos[0] = p + i + 1;
        return value;
      }
    }
    throw new VarintException("varint longer than " + MAX_LENGTH + " bytes");
  }

  /** A malformed varint. */
  public static final class VarintException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public VarintException(String message) {
      super(message);
    }
  }
}
