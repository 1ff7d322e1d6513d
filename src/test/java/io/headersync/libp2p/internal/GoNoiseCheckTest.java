package io.headersync.libp2p.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.interop.InteropBinaries;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
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
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * multistream + Noise against go-libp2p v0.48's own Noise transport and go-multistream, over real
 * TCP, in both dial directions, with the program in {@code interop/noise-check}, which the interop
 * profile builds: {@code mvn -Pinterop verify}.
 */
@Tag("interop")
class GoNoiseCheckTest {
  static final Duration T = Duration.ofSeconds(15);
  static final int SIZE = 200000;
  EventLoopGroup group;

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws Exception {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
  }

  static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }
  }

  static final class Collect extends ChannelInboundHandlerAdapter {
    final ByteArrayOutputStream got = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        got.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
        if (got.size() >= SIZE) {
          done.complete(got.toByteArray());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  static Process go(String... args) throws Exception {
    String bin = InteropBinaries.require("noise-check").toString();
    String[] cmd = new String[args.length + 1];
    cmd[0] = bin;
    System.arraycopy(args, 0, cmd, 1, args.length);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  static String output(Process p) throws Exception {
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "Go program did not finish");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void goDialsUsWithTlsFirstThenNoise() throws Exception {
    PrivateKey id = PrivateKey.generateEd25519(new SecureRandom());
    CompletableFuture<NoiseSession> session = new CompletableFuture<>();
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
                                            new NoiseConfig(id, new SecureRandom()),
                                            false,
                                            null,
                                            s -> new Echo(),
                                            session)
                                        : null,
                                T,
                                new CompletableFuture<>()));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    Process p = go("dial", "127.0.0.1:" + port, id.peerId().toString());
    String out = output(p);
    server.close().sync();
    assertTrue(out.contains("selected /noise"), out);
    assertTrue(out.contains("secured; remote " + id.peerId()), out);
    assertTrue(session.get(5, TimeUnit.SECONDS).remotePeer().toString().startsWith("12D3KooW"));
    assertTrue(out.contains("early muxer \"\""), out);
    assertTrue(out.contains("OK echo " + SIZE), out);
    assertEquals(List.of("/yamux/1.0.0"), session.join().remoteMuxers());
  }

  @Test
  void weDialGo() throws Exception {
    Process p = go("listen", "127.0.0.1:0");
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String[] listen = r.readLine().split(" ");
    assertEquals("LISTEN", listen[0], String.join(" ", listen));
    String[] hostPort = listen[1].split(":");
    PeerId goPeer = PeerId.parse(listen[2]);
    PrivateKey id = PrivateKey.generateEd25519(new SecureRandom());
    CompletableFuture<NoiseSession> session = new CompletableFuture<>();
    Collect collect = new Collect();
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    c.pipeline()
                        .addLast(
                            new MultistreamInitiator(
                                List.of(NoiseConfig.PROTOCOL_ID),
                                proto ->
                                    new NoiseHandshakeHandler(
                                        new NoiseConfig(id, new SecureRandom()),
                                        true,
                                        goPeer,
                                        s -> collect,
                                        session),
                                T,
                                new CompletableFuture<>()));
                  }
                })
            .connect(hostPort[0], Integer.parseInt(hostPort[1]))
            .sync()
            .channel();
    assertEquals(goPeer, session.get(15, TimeUnit.SECONDS).remotePeer());
    byte[] data = new byte[SIZE];
    for (int i = 0; i < SIZE; i++) {
      data[i] = (byte) i;
    }
    ch.writeAndFlush(Unpooled.wrappedBuffer(data));
    assertArrayEquals(data, collect.done.get(30, TimeUnit.SECONDS));
    ch.close().sync();
    StringBuilder rest = new StringBuilder();
    for (String line; (line = r.readLine()) != null; ) {
      rest.append(line).append('\n');
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = rest.toString();
    assertTrue(out.contains("secured; remote " + id.peerId()), out);
    assertTrue(out.contains("OK echo " + SIZE), out);
  }

  /**
   * A default go-libp2p host (TLS + Noise, yamux, early muxer negotiation offered) dials us: the
   * upgrade must get through {@code /tls/1.0.0} -> na -> {@code /noise}, the Noise handshake (we
   * offer no early muxer, so Go falls back to multistream) and reach muxer negotiation over the
   * encrypted channel, where Go proposes {@code /yamux/1.0.0}. We have no yamux here, so we answer
   * na and Go's connect fails at exactly that step.
   */
  @Test
  void defaultGoHostReachesMuxerNegotiation() throws Exception {
    PrivateKey id = PrivateKey.generateEd25519(new SecureRandom());
    CompletableFuture<NoiseSession> session = new CompletableFuture<>();
    List<String> proposedMuxers = new java.util.concurrent.CopyOnWriteArrayList<>();
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
                                            new NoiseConfig(id, new SecureRandom()),
                                            false,
                                            null,
                                            s ->
                                                new MultistreamResponder(
                                                    m -> {
                                                      proposedMuxers.add(m);
                                                      return null;
                                                    },
                                                    T,
                                                    new CompletableFuture<>()),
                                            session)
                                        : null,
                                T,
                                new CompletableFuture<>()));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    Process p = go("host-dial", "/ip4/127.0.0.1/tcp/" + port + "/p2p/" + id.peerId());
    String out = output(p);
    server.close().sync();
    NoiseSession s = session.get(5, TimeUnit.SECONDS);
    assertTrue(out.contains("SELF " + s.remotePeer()), out);
    assertEquals(List.of("/yamux/1.0.0"), s.remoteMuxers());
    assertTrue(s.earlyMuxer().isEmpty());
    assertTrue(proposedMuxers.contains("/yamux/1.0.0"), proposedMuxers + "\n" + out);
    assertTrue(out.contains("multiplexer"), out);
  }

  /**
   * We dial a default go-libp2p host: multistream {@code /noise}, the handshake with the Go host's
   * peer id checked, then {@code /yamux/1.0.0} negotiated over the encrypted channel (Go echoes it;
   * yamux itself is not part of this package).
   */
  @Test
  void weDialADefaultGoHostAndNegotiateYamux() throws Exception {
    Process p = go("host-listen", "/ip4/127.0.0.1/tcp/0");
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String[] listen = r.readLine().split(" ");
      assertEquals("LISTEN", listen[0], String.join(" ", listen));
      Multiaddr addr = Multiaddr.parse(listen[1]);
      PeerId goPeer = PeerId.parse(listen[2]);
      PrivateKey id = PrivateKey.generateEd25519(new SecureRandom());
      CompletableFuture<NoiseSession> session = new CompletableFuture<>();
      CompletableFuture<String> muxer = new CompletableFuture<>();
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      c.pipeline()
                          .addLast(
                              new MultistreamInitiator(
                                  List.of(NoiseConfig.PROTOCOL_ID),
                                  proto ->
                                      new NoiseHandshakeHandler(
                                          new NoiseConfig(id, new SecureRandom()),
                                          true,
                                          goPeer,
                                          s ->
                                              new MultistreamInitiator(
                                                  List.of("/yamux/1.0.0"),
                                                  m -> new ByteCollector(),
                                                  T,
                                                  muxer),
                                          session),
                                  T,
                                  new CompletableFuture<>()));
                    }
                  })
              .connect(addr.host().orElseThrow(), addr.tcpPort().getAsInt())
              .sync()
              .channel();
      NoiseSession s = session.get(15, TimeUnit.SECONDS);
      assertEquals(goPeer, s.remotePeer());
      assertEquals(List.of("/yamux/1.0.0"), s.remoteMuxers());
      assertEquals("/yamux/1.0.0", muxer.get(15, TimeUnit.SECONDS));
      ch.close().sync();
    } finally {
      p.getOutputStream().close();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
