package io.headersync.libp2p.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.internal.multistream.MultistreamInitiator;
import io.headersync.libp2p.internal.multistream.MultistreamResponder;
import io.headersync.libp2p.internal.noise.NoiseConfig;
import io.headersync.libp2p.internal.noise.NoiseHandshakeHandler;
import io.headersync.libp2p.internal.noise.NoiseSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** multistream + Noise between two of our own peers over real loopback TCP (NIO event loops). */
class LoopbackSecurityTest {
  static final Duration T = Duration.ofSeconds(15);

  static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }
  }

  static final class Collect extends ChannelInboundHandlerAdapter {
    final int expected;
    final ByteArrayOutputStream got = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    Collect(int expected) {
      this.expected = expected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        got.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
        if (got.size() >= expected) {
          done.complete(got.toByteArray());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Test
  void echoesAMebibyteThroughNoiseOverTcp() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      PrivateKey serverId = TestKeys.key(2);
      PrivateKey clientId = TestKeys.key(1);
      CompletableFuture<NoiseSession> serverSession = new CompletableFuture<>();
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new MultistreamResponder(
                                  p ->
                                      p.equals(NoiseConfig.PROTOCOL_ID)
                                          ? new NoiseHandshakeHandler(
                                              new NoiseConfig(serverId, new SecureRandom()),
                                              false,
                                              null,
                                              s -> new Echo(),
                                              serverSession)
                                          : null,
                                  T,
                                  new CompletableFuture<>()));
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      byte[] data = new byte[1 << 20];
      new Random(1).nextBytes(data);
      Collect collect = new Collect(data.length);
      CompletableFuture<NoiseSession> clientSession = new CompletableFuture<>();
      Channel client =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new MultistreamInitiator(
                                  List.of("/tls/1.0.0", NoiseConfig.PROTOCOL_ID),
                                  p ->
                                      new NoiseHandshakeHandler(
                                          new NoiseConfig(clientId, new SecureRandom()),
                                          true,
                                          serverId.peerId(),
                                          s -> collect,
                                          clientSession),
                                  T,
                                  new CompletableFuture<>()));
                    }
                  })
              .connect(server.localAddress())
              .sync()
              .channel();
      assertEquals(serverId.peerId(), clientSession.get(15, TimeUnit.SECONDS).remotePeer());
      assertEquals(clientId.peerId(), serverSession.get(15, TimeUnit.SECONDS).remotePeer());
      client.writeAndFlush(Unpooled.wrappedBuffer(data));
      assertArrayEquals(data, collect.done.get(30, TimeUnit.SECONDS));
      client.close().sync();
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
  }
}
