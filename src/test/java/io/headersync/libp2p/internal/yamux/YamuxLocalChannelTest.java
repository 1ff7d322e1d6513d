package io.headersync.libp2p.internal.yamux;

import static io.headersync.libp2p.internal.yamux.TestStreams.crc;
import static io.headersync.libp2p.internal.yamux.TestStreams.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.internal.yamux.TestStreams.Collector;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two sessions over a LocalChannel pair on real event loops (two threads), so threads really cross.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class YamuxLocalChannelTest {
  private static final long TIMEOUT_SECONDS = 60;

  private EventLoopGroup group;
  private Channel serverListener;
  private Channel clientChannel;
  private YamuxSession client;
  private final CompletableFuture<YamuxSession> server = new CompletableFuture<>();

  private final List<TestStreams.Echo> serverEchoes = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    connect(TestStreams.accepting(serverEchoes, TestStreams.Echo::new));
  }

  private void assertServerEchoesHadNoError() {
    synchronized (serverEchoes) {
      for (TestStreams.Echo e : serverEchoes) {
        assertNull(e.error);
      }
    }
  }

  private void connect(ChannelHandler serverInbound) throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    LocalAddress address = new LocalAddress("yamux-" + UUID.randomUUID());
    serverListener =
        new ServerBootstrap()
            .group(group)
            .channel(LocalServerChannel.class)
            .childHandler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel ch) {
                    YamuxSession s = new YamuxSession(YamuxConfig.defaults(), false, serverInbound);
                    ch.pipeline().addLast("yamux", s);
                    server.complete(s);
                  }
                })
            .bind(address)
            .sync()
            .channel();
    client = new YamuxSession(YamuxConfig.defaults(), true, TestStreams.echoing());
    clientChannel =
        new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel ch) {
                    ch.pipeline().addLast("yamux", client);
                  }
                })
            .connect(address)
            .sync()
            .channel();
    server.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @AfterEach
  void shutdown() throws Exception {
    if (clientChannel != null) {
      clientChannel.close().sync();
    }
    if (serverListener != null) {
      serverListener.close().sync();
    }
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
  }

  /**
   * Writes a payload in chunks while the stream is writable, resumes on writability changes, then
   * half-closes; collects what comes back and counts down when the remote half-closes.
   */
  static final class Writer extends Collector {
    final byte[] payload;
    final int chunk;
    final CountDownLatch done = new CountDownLatch(1);
    int offset;
    boolean shutdown;

    Writer(byte[] payload, int chunk) {
      this.payload = payload;
      this.chunk = chunk;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      writeMore(ctx);
      ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      writeMore(ctx);
      ctx.fireChannelWritabilityChanged();
    }

    private void writeMore(ChannelHandlerContext ctx) {
      if (offset >= payload.length) {
        return;
      }
      while (offset < payload.length && ctx.channel().isWritable()) {
        int n = Math.min(chunk, payload.length - offset);
        int at = offset;
        offset +=
            n; // before the write: a write can fire channelWritabilityChanged, which re-enters here
        ctx.write(Unpooled.wrappedBuffer(payload, at, n));
      }
      ctx.flush();
      if (offset >= payload.length && !shutdown) {
        shutdown = true;
        ((DuplexChannel) ctx.channel()).shutdownOutput();
      }
    }

    @Override
    void onInputShutdown(ChannelHandlerContext ctx) {
      done.countDown();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      super.exceptionCaught(ctx, cause);
      done.countDown();
    }
  }

  @Test
  void manyConcurrentStreamsEchoOnRealEventLoops() throws Exception {
    int streams = 64;
    List<Writer> writers = new ArrayList<>();
    List<Future<YamuxStreamChannel>> opens = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      Writer w = new Writer(randomBytes(300_000 + i * 1000, i), 16 * 1024);
      writers.add(w);
      opens.add(client.openStream(w)); // from the test thread: the session hops onto its event loop
    }
    for (Future<YamuxStreamChannel> f : opens) {
      assertTrue(f.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      assertTrue(f.isSuccess(), () -> String.valueOf(f.cause()));
    }
    for (Writer w : writers) {
      assertTrue(w.done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "echo finished");
      assertNull(w.error);
      assertEquals(crc(w.payload), crc(w.bytes()));
      assertArrayEquals(w.payload, w.bytes());
    }
    assertEquals(streams, serverEchoes.size());
    assertServerEchoesHadNoError();
  }

  @Test
  void transfers16MiBThroughTheWindowWithBackpressure() throws Exception {
    byte[] payload = randomBytes(16 * 1024 * 1024, 99);
    Writer w = new Writer(payload, 64 * 1024);
    Future<YamuxStreamChannel> f = client.openStream(w);
    assertTrue(f.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertTrue(w.done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "echo finished");
    assertNull(w.error);
    assertEquals(payload.length, w.bytes().length);
    assertEquals(crc(payload), crc(w.bytes()));
    assertServerEchoesHadNoError();
  }

  @Test
  void pingAnswersAcrossThreads() throws Exception {
    Future<Long> rtt = client.ping();
    assertTrue(rtt.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertTrue(rtt.isSuccess());
    assertTrue(rtt.getNow() > 0);
  }

  @Test
  void goAwayFromTheServerRefusesNewStreamsFromOtherThreads() throws Exception {
    YamuxSession s = server.get();
    s.goAway(YamuxFrame.GO_AWAY_NORMAL);
    // The GoAway has arrived once a ping sent after it is answered (frames keep their order).
    assertTrue(s.ping().await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertTrue(client.ping().await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    Future<YamuxStreamChannel> f = client.openStream(new Collector());
    assertTrue(f.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(YamuxException.GoAwayException.class, f.cause());
  }
}
