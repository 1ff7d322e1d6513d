package io.headersync.libp2p.internal.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/** Handlers and helpers shared by the Yamux tests. */
final class TestStreams {
  private TestStreams() {}

  /** Records what a stream sees. Single-threaded use (EmbeddedChannel) or read after a latch. */
  static class Collector extends ChannelInboundHandlerAdapter {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    volatile Channel channel;
    volatile boolean inputShutdown;
    volatile boolean inactive;
    volatile Throwable error;
    int reads;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      try {
        reads++;
        synchronized (received) {
          b.readBytes(received, b.readableBytes());
        }
        onRead(ctx);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      } finally {
        b.release();
      }
    }

    void onRead(ChannelHandlerContext ctx) {}

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        inputShutdown = true;
        onInputShutdown(ctx);
      }
      ctx.fireUserEventTriggered(evt);
    }

    void onInputShutdown(ChannelHandlerContext ctx) {}

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive = true;
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      error = cause;
    }

    byte[] bytes() {
      synchronized (received) {
        return received.toByteArray();
      }
    }

    String text() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    YamuxStreamChannel stream() {
      return (YamuxStreamChannel) channel;
    }
  }

  /**
   * Echoes everything and half-closes when the remote half-closes. Respects backpressure the Netty
   * way: stops reading while the stream is not writable. A failed write is recorded as the error.
   */
  static class Echo extends Collector {
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      synchronized (received) {
        byte[] copy = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), copy);
        received.write(copy, 0, copy.length);
      }
      ctx.writeAndFlush(msg)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  error = f.cause();
                }
              });
      if (!ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    void onInputShutdown(ChannelHandlerContext ctx) {
      ((DuplexChannel) ctx.channel()).shutdownOutput();
    }
  }

  /** An inbound-stream initializer that installs a fresh handler per stream and keeps it. */
  static <T extends ChannelHandler> ChannelInitializer<Channel> accepting(
      List<T> accepted, java.util.function.Supplier<T> factory) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        T handler = factory.get();
        synchronized (accepted) {
          accepted.add(handler);
        }
        ch.pipeline().addLast(handler);
      }
    };
  }

  static ChannelInitializer<Channel> collecting(List<Collector> accepted) {
    return accepting(accepted, Collector::new);
  }

  static ChannelInitializer<Channel> echoing() {
    return accepting(new ArrayList<>(), Echo::new);
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  /** Encodes a frame as wire bytes. */
  static ByteBuf frame(int type, int flags, int streamId, int length) {
    ByteBuf b = Unpooled.buffer(12);
    YamuxFrame.writeHeader(b, type, flags, streamId, length);
    return b;
  }

  static ByteBuf dataFrame(int flags, int streamId, byte[] payload) {
    ByteBuf b = Unpooled.buffer(12 + payload.length);
    YamuxFrame.writeHeader(b, YamuxFrame.TYPE_DATA, flags, streamId, payload.length);
    b.writeBytes(payload);
    return b;
  }

  /** Decodes every frame the channel has written so far (payloads copied; nothing to release). */
  static List<Frame> written(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    for (; ; ) {
      ByteBuf b = ch.readOutbound();
      if (b == null) {
        break;
      }
      all.writeBytes(b);
      b.release();
    }
    List<Frame> frames = new ArrayList<>();
    while (all.readableBytes() >= 12) {
      int version = all.readUnsignedByte();
      int type = all.readUnsignedByte();
      int flags = all.readUnsignedShort();
      int id = all.readInt();
      int length = all.readInt();
      byte[] payload = new byte[type == YamuxFrame.TYPE_DATA ? length : 0];
      all.readBytes(payload);
      frames.add(new Frame(version, type, flags, id, length, payload));
    }
    if (all.isReadable()) {
      all.release();
      throw new AssertionError("trailing partial frame");
    }
    all.release();
    return frames;
  }

  /** A decoded frame, for assertions. */
  static final class Frame {
    final int version;
    final int type;
    final int flags;
    final int streamId;
    final int length;
    final byte[] payload;

    Frame(int version, int type, int flags, int streamId, int length, byte[] payload) {
      this.version = version;
      this.type = type;
      this.flags = flags;
      this.streamId = streamId;
      this.length = length;
      this.payload = payload;
    }

    boolean is(int type, int flags, int streamId, int length) {
      return this.type == type
          && this.flags == flags
          && this.streamId == streamId
          && this.length == length;
    }

    @Override
    public String toString() {
      return "Frame("
          + YamuxFrame.typeName(type)
          + ", "
          + YamuxFrame.flagNames(flags)
          + ", stream="
          + Integer.toUnsignedString(streamId)
          + ", length="
          + Integer.toUnsignedString(length)
          + ")";
    }
  }
}
