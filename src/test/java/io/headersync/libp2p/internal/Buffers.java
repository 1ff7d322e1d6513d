package io.headersync.libp2p.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;

/** Test helpers for moving bytes through EmbeddedChannels. */
public final class Buffers {
  private Buffers() {}

  /** Drains and releases every outbound ByteBuf of {@code ch}, returning their bytes. */
  public static byte[] drainOutbound(EmbeddedChannel ch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      try {
        out.writeBytes(ByteBufUtil.getBytes(b));
      } finally {
        b.release();
      }
    }
    return out.toByteArray();
  }

  /** Writes {@code data} inbound in two pieces split at {@code at}. */
  public static void writeSplit(EmbeddedChannel ch, byte[] data, int at) {
    if (at > 0) {
      ch.writeInbound(Unpooled.copiedBuffer(data, 0, at));
    }
    if (at < data.length) {
      ch.writeInbound(Unpooled.copiedBuffer(data, at, data.length - at));
    }
  }

  /** Moves everything {@code from} wrote to {@code to}'s inbound side; returns the byte count. */
  public static int shuttle(EmbeddedChannel from, EmbeddedChannel to) {
    int n = 0;
    for (Object o; (o = from.readOutbound()) != null; ) {
      n += ((ByteBuf) o).readableBytes();
      to.writeInbound(o);
    }
    return n;
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
