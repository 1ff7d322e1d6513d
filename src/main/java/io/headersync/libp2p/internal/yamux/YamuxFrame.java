package io.headersync.libp2p.internal.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One decoded Yamux frame: the 12-byte header and, for a Data frame, its payload.
 *
 * <p>Wire layout (big-endian): {@code version u8 (=0) | type u8 | flags u16 | streamId u32 | length
 * u32}. {@code length} is the payload size of a Data frame, the window delta of a WindowUpdate, the
 * opaque value of a Ping and the error code of a GoAway. The stream id and length are unsigned
 * 32-bit values carried in Java {@code int}s; use {@link #streamIdLong()} / {@link #lengthLong()}
 * to see them as unsigned numbers.
 *
 * <p><b>Reference counting:</b> a frame owns its payload ({@link #content()}, the empty buffer for
 * control frames). Whoever receives a frame must {@link #release()} it.
 */
public final class YamuxFrame extends DefaultByteBufHolder {
  /** Size of the frame header in bytes. */
  public static final int HEADER_SIZE = 12;

  /** The only protocol version. */
  public static final int VERSION = 0;

  public static final int TYPE_DATA = 0;
  public static final int TYPE_WINDOW_UPDATE = 1;
  public static final int TYPE_PING = 2;
  public static final int TYPE_GO_AWAY = 3;

  public static final int FLAG_SYN = 0x1;
  public static final int FLAG_ACK = 0x2;
  public static final int FLAG_FIN = 0x4;
  public static final int FLAG_RST = 0x8;

  /** GoAway code: normal termination. */
  public static final int GO_AWAY_NORMAL = 0;

  /** GoAway code: protocol error. */
  public static final int GO_AWAY_PROTOCOL_ERROR = 1;

  /** GoAway code: internal error. */
  public static final int GO_AWAY_INTERNAL_ERROR = 2;

  private final int type;
  private final int flags;
  private final int streamId;
  private final int length;

  /**
   * Creates a frame. For a Data frame {@code length} must equal the payload's readable bytes; other
   * types must have an empty payload.
   */
  public YamuxFrame(int type, int flags, int streamId, int length, ByteBuf payload) {
    super(payload);
    if (type < TYPE_DATA || type > TYPE_GO_AWAY) {
      throw new IllegalArgumentException("unknown frame type " + type);
    }
    if ((flags & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("flags must fit in 16 bits: " + flags);
    }
    if (type == TYPE_DATA ? payload.readableBytes() != length : payload.isReadable()) {
      throw new IllegalArgumentException("payload does not match the length field");
    }
    this.type = type;
    this.flags = flags;
    this.streamId = streamId;
    this.length = length;
  }

  /** A frame without payload (WindowUpdate, Ping, GoAway, or a zero-length Data frame). */
  public static YamuxFrame control(int type, int flags, int streamId, int length) {
    if (type == TYPE_DATA && length != 0) {
      throw new IllegalArgumentException("a data frame with length needs a payload");
    }
    return new YamuxFrame(type, flags, streamId, length, Unpooled.EMPTY_BUFFER);
  }

  public int type() {
    return type;
  }

  public int flags() {
    return flags;
  }

  public boolean hasFlag(int flag) {
    return (flags & flag) != 0;
  }

  public int streamId() {
    return streamId;
  }

  public long streamIdLong() {
    return Integer.toUnsignedLong(streamId);
  }

  public int length() {
    return length;
  }

  public long lengthLong() {
    return Integer.toUnsignedLong(length);
  }

  /** Writes the 12-byte header for the given fields to {@code out}. */
  public static void writeHeader(ByteBuf out, int type, int flags, int streamId, int length) {
    out.writeByte(VERSION);
    out.writeByte(type);
    out.writeShort(flags);
    out.writeInt(streamId);
    out.writeInt(length);
  }

  /** A new buffer holding just a header (for control frames). The caller owns it. */
  public static ByteBuf encodeHeader(
      ByteBufAllocator alloc, int type, int flags, int streamId, int length) {
    ByteBuf out = alloc.buffer(HEADER_SIZE, HEADER_SIZE);
    writeHeader(out, type, flags, streamId, length);
    return out;
  }

  /**
   * Encodes this frame (header and payload) into a new buffer. Does not release this frame. Meant
   * for tests and tools; the session writes headers and payload slices without copying.
   */
  public ByteBuf encode(ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(HEADER_SIZE + content().readableBytes());
    writeHeader(out, type, flags, streamId, length);
    out.writeBytes(content(), content().readerIndex(), content().readableBytes());
    return out;
  }

  @Override
  public YamuxFrame replace(ByteBuf content) {
    return new YamuxFrame(type, flags, streamId, length, content);
  }

  @Override
  public YamuxFrame retain() {
    super.retain();
    return this;
  }

  @Override
  public YamuxFrame retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public YamuxFrame touch() {
    super.touch();
    return this;
  }

  @Override
  public YamuxFrame touch(Object hint) {
    super.touch(hint);
    return this;
  }

  @Override
  public String toString() {
    return "YamuxFrame("
        + typeName(type)
        + ", flags="
        + flagNames(flags)
        + ", stream="
        + streamIdLong()
        + ", length="
        + lengthLong()
        + ")";
  }

  static String typeName(int type) {
    switch (type) {
      case TYPE_DATA:
        return "DATA";
      case TYPE_WINDOW_UPDATE:
        return "WINDOW_UPDATE";
      case TYPE_PING:
        return "PING";
      case TYPE_GO_AWAY:
        return "GO_AWAY";
      default:
        return "TYPE_" + type;
    }
  }

  static String flagNames(int flags) {
    StringBuilder sb = new StringBuilder();
    String[] names = {"SYN", "ACK", "FIN", "RST"};
    for (int i = 0; i < names.length; i++) {
      if ((flags & (1 << i)) != 0) {
        sb.append(sb.length() == 0 ? "" : "|").append(names[i]);
      }
    }
    int unknown = flags & ~0xF;
    if (unknown != 0) {
      sb.append(sb.length() == 0 ? "" : "|").append("0x").append(Integer.toHexString(unknown));
    }
    return sb.length() == 0 ? "0" : sb.toString();
  }
}
