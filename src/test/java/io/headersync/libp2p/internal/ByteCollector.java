package io.headersync.libp2p.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test handler: copies every inbound ByteBuf into a byte array and releases it. */
public class ByteCollector extends ChannelInboundHandlerAdapter {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  public final List<Object> others = new ArrayList<>();
  public int reads;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof ByteBuf) {
        bytes.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
        reads++;
      } else {
        others.add(msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  public byte[] bytes() {
    return bytes.toByteArray();
  }
}
