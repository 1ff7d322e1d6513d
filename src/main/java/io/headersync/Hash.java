package io.headersync;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable hash: the bytes a header is identified by.
 *
 * <p>{@link #toString()} renders uppercase hexadecimal, exactly as go-header's {@code
 * Hash.String()}; {@link #parse(String)} accepts hexadecimal in either case. The empty hash ({@link
 * #EMPTY}) stands for "no hash", e.g. the last-header hash of a genesis header.
 */
public final class Hash implements Comparable<Hash> {
  /** The hash with no bytes. */
  public static final Hash EMPTY = new Hash(new byte[0]);

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final byte[] bytes;
  private int hashCode;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * {@return a hash holding a copy of {@code bytes}}
   *
   * @param bytes the hash bytes; empty gives {@link #EMPTY}
   * @throws NullPointerException if {@code bytes} is null
   */
  public static Hash of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    return bytes.length == 0 ? EMPTY : new Hash(bytes.clone());
  }

  /**
   * {@return a hash that takes ownership of {@code bytes} without copying} Callers must not modify
   * the array afterwards; for use by codecs that have just produced a fresh array.
   *
   * @param bytes the hash bytes, owned by the hash from now on
   */
  public static Hash wrap(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    return bytes.length == 0 ? EMPTY : new Hash(bytes);
  }

  /**
   * Parses hexadecimal text in either case ({@code "ab01"} or {@code "AB01"}).
   *
   * @param hex the hexadecimal text; empty gives {@link #EMPTY}
   * @return the hash
   * @throws IllegalArgumentException if {@code hex} has an odd length or a non-hex character,
   *     naming the offending position
   */
  public static Hash parse(String hex) {
    Objects.requireNonNull(hex, "hex == null");
    if ((hex.length() & 1) != 0) {
      throw new IllegalArgumentException(
          "hash hex has odd length " + hex.length() + ": \"" + abbreviate(hex) + "\"");
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        int pos = hi < 0 ? 2 * i : 2 * i + 1;
        throw new IllegalArgumentException(
            "hash hex has non-hex character '"
                + hex.charAt(pos)
                + "' at index "
                + pos
                + ": \""
                + abbreviate(hex)
                + "\"");
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return wrap(out);
  }

  /** {@return a copy of the bytes} */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** {@return the number of bytes} */
  public int size() {
    return bytes.length;
  }

  /** {@return true for the empty hash} */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /**
   * {@return true if this hash holds exactly {@code other}'s bytes}
   *
   * @param other the bytes to compare with; not changed
   */
  public boolean contentEquals(byte[] other) {
    return Arrays.equals(bytes, other);
  }

  /**
   * {@return the byte at {@code index}}
   *
   * @param index from 0 to {@code size() - 1}
   * @throws ArrayIndexOutOfBoundsException if {@code index} is out of range
   */
  public byte byteAt(int index) {
    return bytes[index];
  }

  /** Uppercase hexadecimal, as go-header's {@code Hash.String()}. */
  @Override
  public String toString() {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash && Arrays.equals(bytes, ((Hash) o).bytes);
  }

  @Override
  public int hashCode() {
    int h = hashCode;
    if (h == 0 && bytes.length > 0) {
      h = Arrays.hashCode(bytes);
      hashCode = h;
    }
    return h;
  }

  /** Orders hashes by their bytes, unsigned, shorter first on a common prefix. */
  @Override
  public int compareTo(Hash o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
