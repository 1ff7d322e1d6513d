package io.headersync.exchange.internal;

/**
 * Unsigned LEB128 varints as Go's {@code binary.PutUvarint} / {@code ReadUvarint} write and read
 * them: at most 10 bytes, the 10th byte at most 1. Like Go, non-minimal encodings are accepted.
 */
public final class Uvarint {
  /** The longest encoding of a 64-bit value. */
  public static final int MAX_LENGTH = 10;

  private Uvarint() {}

  /** The number of bytes {@code value} (read as unsigned) takes. */
  public static int size(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes {@code value} (unsigned) at {@code offset}; returns the offset after it. */
  public static int write(long value, byte[] out, int offset) {
    while ((value & ~0x7FL) != 0) {
      out[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  /**
   * Reads a varint from {@code in[offset..limit)}.
   *
   * @return the value in the low 64 bits and the number of bytes read, packed by {@link Result};
   *     {@code null} when the bytes end before the varint does
   * @throws IllegalArgumentException if the varint overflows 64 bits
   */
  public static Result read(byte[] in, int offset, int limit) {
    long value = 0;
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (offset + i >= limit) {
        return null;
      }
      int b = in[offset + i] & 0xFF;
      if (i == MAX_LENGTH - 1 && b > 1) {
        throw new IllegalArgumentException("varint overflows 64 bits");
      }
      value |= (long) (b & 0x7F) << (7 * i);
      if (b < 0x80) {
        return new Result(value, i + 1);
      }
    }
    throw new IllegalArgumentException("varint overflows 64 bits");
  }

  /** A decoded varint: its unsigned value and its encoded length. */
  public static final class Result {
    private final long value;
    private final int length;

    Result(long value, int length) {
      this.value = value;
      this.length = length;
    }

    /** The value, to be read as unsigned. */
    public long value() {
      return value;
    }

    /** How many bytes the varint took. */
    public int length() {
      return length;
    }
  }
}
