package io.headersync.libp2p.internal.encoding;

import io.netty.buffer.ByteBuf;

/**
 * The one unsigned LEB128 varint codec of the project: seven bits per byte, least significant group
 * first, the high bit set on every byte but the last (protobuf's varint, Go's {@code
 * binary.PutUvarint}, the multiformats' unsigned-varint).
 *
 * <p>Encoding is the same for every user: the value is read as an unsigned 64-bit number and
 * written minimally, at most {@link #MAX_LENGTH} bytes. Decoding follows the reader of the wire
 * format at hand, chosen by a {@link Format}, because the Go readers we must match differ:
 *
 * <table>
 *   <caption>What each format accepts</caption>
 *   <tr><th>format</th><th>Go reader</th><th>bytes</th><th>values</th><th>non-minimal</th></tr>
 *   <tr><td>{@link Format#GO}</td><td>{@code encoding/binary.Uvarint}, protobuf-go's
 *       {@code protowire.ConsumeVarint}</td><td>at most 10, the 10th at most {@code 0x01}</td>
 *       <td>any uint64</td><td>accepted</td></tr>
 *   <tr><td>{@link Format#MULTIFORMATS}</td><td>{@code multiformats/go-varint} (multiaddr, CID,
 *       multihash, multistream, go-msgio's length prefixes)</td><td>at most 9</td>
 *       <td>at most 2^63 - 1</td><td>refused</td></tr>
 * </table>
 *
 * <p>Decoding comes in two steps so that stream decoders can wait for more bytes: {@link
 * #length(byte[], int, int, Format)} (or the {@link ByteBuf} form) returns how many bytes the
 * varint at an offset takes, or {@link #INCOMPLETE} when the bytes end inside it; {@code decode}
 * then reads the value. Both throw a {@link VarintException} whose {@link VarintException#reason()
 * reason} says what was wrong. An optional caller's limit ({@code max}) refuses larger values with
 * {@link VarintException.Reason#OVER_LIMIT}, which is how a length prefix is bounded before
 * anything is allocated for it.
 *
 * <p>This class depends on nothing of headersync outside this package, so every layer may use it.
 */
public final class Uvarint {
  /** The longest encoding of a 64-bit value (Go's {@code binary.MaxVarintLen64}). */
  public static final int MAX_LENGTH = 10;

  /** Returned by {@code length} when the bytes end inside the varint. */
  public static final int INCOMPLETE = -1;

  /** The decoding rules of one wire format; see the class comment. */
  public enum Format {
    /**
     * Go's {@code binary.Uvarint} and protobuf-go's {@code protowire.ConsumeVarint}: at most 10
     * bytes, the 10th byte 0 or 1 (an 11-byte varint is refused as an overflow at its 10th byte, as
     * Go does), any unsigned 64-bit value, non-minimal encodings accepted.
     */
    GO(MAX_LENGTH, false),
    /**
     * multiformats' unsigned-varint ({@code go-varint}, {@code MaxLenUvarint63}): at most 9 bytes,
     * values up to 2^63 - 1, a non-minimal encoding (a last byte of {@code 0x00} after others)
     * refused.
     */
    MULTIFORMATS(9, true);

    private final int maxLength;
    private final boolean minimal;

    Format(int maxLength, boolean minimal) {
      this.maxLength = maxLength;
      this.minimal = minimal;
    }

    /** The longest encoding this format reads. */
    public int maxLength() {
      return maxLength;
    }
  }

  private Uvarint() {}

  // ---------------------------------------------------------------- encoding

  /** The number of bytes {@code value}, read as unsigned, takes (1 to 10). */
  public static int size(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Encodes {@code value} (unsigned) into a new array of {@link #size} bytes. */
  public static byte[] encode(long value) {
    byte[] out = new byte[size(value)];
    write(value, out, 0);
    return out;
  }

  /**
   * Writes {@code value} (unsigned) at {@code offset}; returns the offset after it. The array must
   * have {@link #size}{@code (value)} bytes free there.
   */
  public static int write(long value, byte[] out, int offset) {
    while ((value & ~0x7FL) != 0) {
      out[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  /** Appends {@code value} (unsigned) to {@code out}. */
  public static void write(long value, ByteBuf out) {
    out.ensureWritable(size(value));
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  // ---------------------------------------------------------------- decoding

  /**
   * How many bytes the varint at {@code in[offset..limit)} takes, or {@link #INCOMPLETE} if the
   * bytes end before its last byte. Only the length is checked here; {@link #decode} checks the
   * value.
   *
   * @throws VarintException ({@code TOO_LONG}, or {@code OVERFLOW} for {@link Format#GO}, whose
   *     reader reports an 11th byte as an overflow) if {@code format.maxLength()} bytes all
   *     continue
   */
  public static int length(byte[] in, int offset, int limit, Format format) {
    int max = format.maxLength;
    for (int i = 0; i < max; i++) {
      if (offset + i >= limit) {
        return INCOMPLETE;
      }
      if ((in[offset + i] & 0x80) == 0) {
        return i + 1;
      }
    }
    throw tooLong(format);
  }

  /**
   * How many bytes the varint at {@code in.readerIndex()} takes, or {@link #INCOMPLETE}; the reader
   * index does not move.
   *
   * @throws VarintException as {@link #length(byte[], int, int, Format)}
   */
  public static int length(ByteBuf in, Format format) {
    byte[] head = head(in, format);
    return length(head, 0, head.length, format);
  }

  /**
   * Decodes the varint at {@code in[offset..limit)}. For {@link Format#GO} the result is to be read
   * as unsigned (it is negative for values of 2^63 and more).
   *
   * @throws VarintException naming what was wrong: {@code TRUNCATED} if the bytes end inside it,
   *     {@code TOO_LONG}, {@code OVERFLOW}, {@code NOT_MINIMAL}
   */
  public static long decode(byte[] in, int offset, int limit, Format format) {
    long value = 0;
    int max = format.maxLength;
    for (int i = 0; i < max; i++) {
      if (offset + i >= limit) {
        throw new VarintException(
            VarintException.Reason.TRUNCATED, "varint truncated after " + i + " bytes");
      }
      int b = in[offset + i] & 0xFF;
      value = accumulate(value, b, i, format);
      if (b < 0x80) {
        return value;
      }
    }
    throw tooLong(format);
  }

  /**
   * Decodes the varint at {@code in[offset..limit)} and refuses values above {@code max} ({@code 0
   * <= max}; compared as unsigned, so every value of 2^63 and more is over it).
   *
   * @throws VarintException as {@link #decode(byte[], int, int, Format)}, and {@code OVER_LIMIT}
   */
  public static long decode(byte[] in, int offset, int limit, Format format, long max) {
    return checkLimit(decode(in, offset, limit, format), max);
  }

  /**
   * Decodes the varint at {@code in.readerIndex()} without moving the reader index.
   *
   * @throws VarintException as {@link #decode(byte[], int, int, Format)}
   */
  public static long decode(ByteBuf in, Format format) {
    byte[] head = head(in, format);
    return decode(head, 0, head.length, format);
  }

  /**
   * Decodes the varint at {@code in.readerIndex()} without moving the reader index, refusing values
   * above {@code max} (as {@link #decode(byte[], int, int, Format, long)}).
   */
  public static long decode(ByteBuf in, Format format, long max) {
    return checkLimit(decode(in, format), max);
  }

  /**
   * Decodes the varint at {@code pos[0]} of the whole array and advances {@code pos[0]} past it
   * (for parsers that walk a complete byte string: multiaddrs, CIDs, multihashes).
   *
   * @throws VarintException as {@link #decode(byte[], int, int, Format)}
   */
  public static long read(byte[] in, int[] pos, Format format) {
    int p = pos[0];
    long value = decode(in, p, in.length, format);
    pos[0] = p + length(in, p, in.length, format);
    return value;
  }

  /** A copy of the readable bytes a varint of {@code format} can occupy (at most 10). */
  private static byte[] head(ByteBuf in, Format format) {
    byte[] head = new byte[Math.min(in.readableBytes(), format.maxLength)];
    in.getBytes(in.readerIndex(), head);
    return head;
  }

  private static long accumulate(long value, int b, int i, Format format) {
    if (format == Format.GO) {
      if (i == MAX_LENGTH - 1 && b > 1) {
        // Go: "varint overflows a 64-bit integer"; also what an 11-byte varint looks like here.
        throw new VarintException(VarintException.Reason.OVERFLOW, "varint overflows 64 bits");
      }
      return value | (long) (b & 0x7F) << (7 * i);
    }
    value |= (long) (b & 0x7F) << (7 * i);
    if (b < 0x80) {
      if (format.minimal && b == 0 && i > 0) {
        throw new VarintException(
            VarintException.Reason.NOT_MINIMAL, "varint is not minimally encoded");
      }
      if (value < 0) {
        throw new VarintException(VarintException.Reason.OVERFLOW, "varint overflows 63 bits");
      }
    }
    return value;
  }

  private static long checkLimit(long value, long max) {
    if (Long.compareUnsigned(value, max) > 0) {
      throw new VarintException(
          VarintException.Reason.OVER_LIMIT,
          "varint value " + Long.toUnsignedString(value) + " exceeds the limit of " + max);
    }
    return value;
  }

  private static VarintException tooLong(Format format) {
    return format == Format.GO
        ? new VarintException(VarintException.Reason.OVERFLOW, "varint overflows 64 bits")
        : new VarintException(
            VarintException.Reason.TOO_LONG, "varint longer than " + format.maxLength + " bytes");
  }

  /** A malformed varint, or one over the caller's limit; {@link #reason()} says which. */
  public static final class VarintException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the varint. */
    public enum Reason {
      /** The bytes ended inside the varint. */
      TRUNCATED,
      /** More bytes than the format allows. */
      TOO_LONG,
      /** The value does not fit the format's range (64 bits, or 63 for multiformats). */
      OVERFLOW,
      /** A non-minimal encoding where the format requires the minimal one. */
      NOT_MINIMAL,
      /** Well formed, but above the caller's limit. */
      OVER_LIMIT
    }

    private final Reason reason;

    /** A malformed varint for {@code reason}, described by {@code message}. */
    public VarintException(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    /** What was wrong. */
    public Reason reason() {
      return reason;
    }
  }
}
