package io.headersync.libp2p.internal.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes bytes into {@link YamuxFrame}s, bounded.
 *
 * <p>When a Data header arrives, a {@link DataGate} decides before any payload is buffered: buffer
 * it (the payload is then copied into a buffer of exactly its size, so a slow reader never pins the
 * decoder's cumulation), skip it as the bytes arrive without buffering (frames for unknown streams,
 * which go-yamux drains silently), or reject it with a {@link YamuxException.ProtocolException} (a
 * frame larger than the receive window). The session passes a gate that knows each stream's window;
 * {@link #YamuxFrameDecoder(int)} uses a fixed bound.
 *
 * <p>A bad version, an unknown type or a rejected length fails the decoder for good: it throws once
 * (Netty wraps it in a {@code DecoderException}, which reaches {@code exceptionCaught}) and then
 * discards every later byte, since the frame boundaries are lost.
 *
 * <p>Every emitted frame is released by whoever handles it.
 */
public final class YamuxFrameDecoder extends ByteToMessageDecoder {

  /** Decides the fate of a Data frame's payload from its header. Runs on the event loop. */
  public interface DataGate {
    /**
     * @param length the payload length, unsigned
     * @return true to buffer and emit the frame, false to skip its payload without emitting
     *     anything
     * @throws YamuxException.ProtocolException to reject the frame and fail the session
     */
    boolean admit(int streamId, int flags, long length);
  }

  private final DataGate gate;

  private boolean haveHeader;
  private int type;
  private int flags;
  private int streamId;
  private int length;
  private long toSkip;
  private boolean failed;

  /**
   * A decoder that buffers Data payloads of at most {@code maxDataLength} bytes and rejects larger.
   */
  public YamuxFrameDecoder(int maxDataLength) {
    this(
        (streamId, flags, length) -> {
          if (length > maxDataLength) {
            throw new YamuxException.ProtocolException(
                "data frame of " + length + " bytes exceeds the limit of " + maxDataLength);
          }
          return true;
        });
  }

  public YamuxFrameDecoder(DataGate gate) {
    this.gate = gate;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (toSkip > 0) {
      int n = (int) Math.min(toSkip, in.readableBytes());
      in.skipBytes(n);
      toSkip -= n;
      return;
    }
    if (!haveHeader) {
      if (in.readableBytes() < YamuxFrame.HEADER_SIZE) {
        return;
      }
      int version = in.readUnsignedByte();
      type = in.readUnsignedByte();
      flags = in.readUnsignedShort();
      streamId = in.readInt();
      length = in.readInt();
      if (version != YamuxFrame.VERSION) {
        throw fail("invalid protocol version " + version);
      }
      if (type > YamuxFrame.TYPE_GO_AWAY) {
        throw fail("invalid frame type " + type);
      }
      if (type != YamuxFrame.TYPE_DATA) {
        out.add(YamuxFrame.control(type, flags, streamId, length));
        return;
      }
      if (length == 0) {
        out.add(YamuxFrame.control(type, flags, streamId, 0));
        return;
      }
      boolean buffer;
      try {
        buffer = gate.admit(streamId, flags, Integer.toUnsignedLong(length));
      } catch (YamuxException.ProtocolException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw e;
      }
      if (!buffer) {
        toSkip = Integer.toUnsignedLong(length);
        return;
      }
      haveHeader = true;
    }
    // A buffered data payload: the gate bounded length to an int-sized window.
    if (in.readableBytes() < length) {
      return;
    }
    ByteBuf payload = length == 0 ? Unpooled.EMPTY_BUFFER : ctx.alloc().buffer(length, length);
    payload.writeBytes(in, length);
    haveHeader = false;
    out.add(new YamuxFrame(YamuxFrame.TYPE_DATA, flags, streamId, length, payload));
  }

  private YamuxException.ProtocolException fail(String message) {
    failed = true;
    return new YamuxException.ProtocolException(message);
  }
}
