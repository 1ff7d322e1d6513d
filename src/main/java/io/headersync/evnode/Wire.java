package io.headersync.evnode;

import io.headersync.InvalidHeaderException;
import io.headersync.libp2p.internal.encoding.Uvarint;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The protobuf wire format, written by hand so the bytes are exactly Go's
 * (google.golang.org/protobuf) and the reader accepts and rejects exactly what Go's {@code
 * proto.Unmarshal} does.
 *
 * <p>Reader rules, all taken from protobuf-go's {@code protowire} and {@code impl} packages:
 *
 * <ul>
 *   <li>varints have at most 10 bytes and the 10th byte may only be 0 or 1; non-minimal encodings
 *       are accepted ({@link Uvarint.Format#GO});
 *   <li>field number 0 and numbers above 2^29-1 are errors; wire types 6 and 7 are errors, as is an
 *       end-group (4) outside a group;
 *   <li>a known field that arrives with another wire type is an <em>unknown</em> field, not an
 *       error (Go files it under unknown fields);
 *   <li>unknown groups are skipped to their matching end-group, nested at most {@link
 *       #MAX_GROUP_DEPTH} deep;
 *   <li>proto3 {@code string} fields must be valid UTF-8.
 * </ul>
 *
 * Every length is checked against the bytes that remain, so no input makes the reader allocate more
 * than the input's own size.
 */
final class Wire {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int BYTES = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;
  static final int FIXED32 = 5;

  /** protobuf-go's default recursion limit, applied to nested unknown groups. */
  static final int MAX_GROUP_DEPTH = 10_000;

  private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

  private Wire() {}

  /** A bounded reader over part of a byte array. {@code what} names the message for errors. */
  static final class Reader {
    private final byte[] buf;
    private final int end;
    private final String what;
    private int pos;
    private int tagStart;

    Reader(byte[] buf, String what) {
      this(buf, 0, buf.length, what);
    }

    Reader(byte[] buf, int start, int end, String what) {
      this.buf = buf;
      this.pos = start;
      this.end = end;
      this.what = what;
    }

    boolean hasMore() {
      return pos < end;
    }

    /** Offset where the last tag read began. */
    int tagStart() {
      return tagStart;
    }

    int position() {
      return pos;
    }

    /** Reads a tag; returns {@code fieldNumber << 3 | wireType}. */
    int readTag() {
      tagStart = pos;
      long v = readVarint("field tag");
      long num = v >>> 3;
      int type = (int) (v & 7);
      if (num < 1 || num > MAX_FIELD_NUMBER) {
        throw error(
            "invalid field number " + Long.toUnsignedString(num) + " at offset " + tagStart);
      }
      if (type > FIXED32) {
        throw error("field " + num + " has invalid wire type " + type + " at offset " + tagStart);
      }
      if (type == END_GROUP) {
        throw error(
            "field " + num + " is an end-group without a start-group at offset " + tagStart);
      }
      return (int) (num << 3) | type;
    }

    /**
     * A varint as protowire.ConsumeVarint reads it ({@link Uvarint.Format#GO}: at most 10 bytes,
     * the 10th 0 or 1, non-minimal encodings accepted); the value is to be read as unsigned.
     */
    long readVarint(String field) {
      return readVarint(field, "");
    }

    /**
     * As {@link #readVarint(String)}, naming the field {@code field + suffix} in an error: the name
     * is only built when the varint is bad (this runs for every field of every header).
     */
    private long readVarint(String field, String suffix) {
      int start = pos;
      if (start < end && buf[start] >= 0) {
        pos = start + 1; // one byte (tags, short lengths): the usual case, no loop
        return buf[start];
      }
      try {
        long value = Uvarint.decode(buf, start, end, Uvarint.Format.GO);
        pos = start + Uvarint.length(buf, start, end, Uvarint.Format.GO);
        return value;
      } catch (Uvarint.VarintException e) {
        throw error(field + suffix + ": " + e.getMessage() + " at offset " + start);
      }
    }

    /** Reads a length prefix and returns a reader over the delimited bytes, advancing past them. */
    Reader readMessage(String field, String subWhat) {
      int len = readLength(field);
      Reader sub = new Reader(buf, pos, pos + len, subWhat);
      pos += len;
      return sub;
    }

    byte[] readBytes(String field) {
      int len = readLength(field);
      byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
      pos += len;
      return out;
    }

    String readString(String field) {
      int len = readLength(field);
      int start = pos;
      pos += len;
      if (isAscii(buf, start, len)) {
        return new String(buf, start, len, StandardCharsets.US_ASCII); // the usual case: no decoder
      }
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(buf, start, len))
            .toString();
      } catch (CharacterCodingException e) {
        throw error(field + ": string contains invalid UTF-8 at offset " + start);
      }
    }

    private static boolean isAscii(byte[] b, int from, int len) {
      for (int i = from; i < from + len; i++) {
        if (b[i] < 0) {
          return false;
        }
      }
      return true;
    }

    private int readLength(String field) {
      long len = readVarint(field, " length");
      if (len < 0 || len > end - pos) {
        throw error(
            field
                + ": length "
                + Long.toUnsignedString(len)
                + " runs past the end of the "
                + what
                + " ("
                + (end - pos)
                + " bytes left at offset "
                + pos
                + ")");
      }
      return (int) len;
    }

    /**
     * Skips the value of a field whose tag was just read (an unknown field, or a known one with a
     * wire type Go does not expect). Returns the number of bytes the whole field occupied, tag
     * included, as Go counts unknown-field bytes.
     */
    int skipField(int tag) {
      int start = tagStart;
      skipValue(tag >>> 3, tag & 7, 0);
      return pos - start;
    }

    private void skipValue(int num, int type, int depth) {
      switch (type) {
        case VARINT:
          readVarint("field " + num);
          return;
        case FIXED64:
          skip(8, num);
          return;
        case FIXED32:
          skip(4, num);
          return;
        case BYTES:
          skip(readLength("field " + num), num);
          return;
        case START_GROUP:
          skipGroup(num, depth + 1);
          return;
        default:
          throw error("field " + num + " has invalid wire type " + type);
      }
    }

    private void skipGroup(int num, int depth) {
      if (depth > MAX_GROUP_DEPTH) {
        throw error("group field " + num + " nested deeper than " + MAX_GROUP_DEPTH);
      }
      while (true) {
        if (pos >= end) {
          throw error("group field " + num + " has no end-group before the end of the " + what);
        }
        int at = pos;
        long v = readVarint("field tag");
        long n = v >>> 3;
        int t = (int) (v & 7);
        if (n < 1 || n > MAX_FIELD_NUMBER || t > FIXED32) {
          throw error("invalid field tag in group field " + num + " at offset " + at);
        }
        if (t == END_GROUP) {
          if (n != num) {
            throw error("group field " + num + " closed by end-group " + n + " at offset " + at);
          }
          return;
        }
        skipValue((int) n, t, depth);
      }
    }

    private void skip(int n, int num) {
      if (n > end - pos) {
        throw error("field " + num + ": value truncated at offset " + pos);
      }
      pos += n;
    }

    InvalidHeaderException error(String detail) {
      return new InvalidHeaderException(what + ": " + detail);
    }
  }

  /** A growable output buffer with protobuf primitives. */
  static final class Writer {
    private byte[] buf;
    private int len;

    Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    Writer rawByte(int b) {
      ensure(1);
      buf[len++] = (byte) b;
      return this;
    }

    Writer raw(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    Writer varint(long v) {
      ensure(Uvarint.MAX_LENGTH);
      len = Uvarint.write(v, buf, len);
      return this;
    }

    Writer tag(int num, int type) {
      return varint(((long) num << 3) | type);
    }

    /** A varint field, always written (for "optional" and legacy-layout fields). */
    Writer uint64Field(int num, long v) {
      return tag(num, VARINT).varint(v);
    }

    /** A proto3 varint field: omitted when zero. */
    Writer uint64Proto3(int num, long v) {
      return v == 0 ? this : uint64Field(num, v);
    }

    /** A length-delimited field, always written (for message fields and repeated elements). */
    Writer bytesField(int num, byte[] v) {
      tag(num, BYTES).varint(v.length);
      return raw(v);
    }

    /** A proto3 bytes field: omitted when empty. */
    Writer bytesProto3(int num, byte[] v) {
      return v.length == 0 ? this : bytesField(num, v);
    }

    /** A proto3 string field: omitted when empty. */
    Writer stringProto3(int num, String s) {
      return s.isEmpty() ? this : bytesField(num, s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }
  }
}
