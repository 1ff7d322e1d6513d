package io.headersync.libp2p.internal.yamux;

import static io.headersync.libp2p.internal.yamux.TestStreams.crc;
import static io.headersync.libp2p.internal.yamux.TestStreams.randomBytes;
import static io.headersync.libp2p.internal.yamux.TestStreams.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.internal.yamux.TestStreams.Collector;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two sessions back-to-back on EmbeddedChannels: deterministic, single-threaded. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class YamuxSessionPairTest {
  private final List<Collector> serverStreams = new ArrayList<>();
  private final List<Collector> clientStreams = new ArrayList<>();
  private EmbeddedPair pair;

  @AfterEach
  void closePair() {
    if (pair != null) {
      pair.close();
    }
  }

  private YamuxStreamChannel open(YamuxSession session, Collector handler) {
    Future<YamuxStreamChannel> f = session.openStream(handler);
    pair.pump();
    assertTrue(f.isSuccess(), () -> "open failed: " + f.cause());
    return f.getNow();
  }

  @Test
  void opensAcceptsAndEchoes() {
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), TestStreams.echoing());
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    assertEquals(1, s.streamId());
    assertTrue(s.isOutbound());
    s.writeAndFlush(text("hello yamux"));
    pair.pump();
    assertEquals("hello yamux", c.text());
    assertEquals(1, pair.server.streamCount());
    YamuxStreamChannel serverSide = pair.server.stream(1);
    assertFalse(serverSide.isOutbound());
    assertSame(
        pair.serverChannel, serverSide.parent(), "a stream is a child channel of its connection");
    assertSame(pair.serverChannel.eventLoop(), serverSide.eventLoop());
  }

  @Test
  void serverOpensEvenIdsAndClientAccepts() {
    pair = new EmbeddedPair(TestStreams.echoing(), TestStreams.collecting(serverStreams));
    Collector c1 = new Collector();
    Collector c2 = new Collector();
    assertEquals(2, open(pair.server, c1).streamId());
    YamuxStreamChannel s2 = open(pair.server, c2);
    assertEquals(4, s2.streamId());
    s2.writeAndFlush(text("from server"));
    pair.pump();
    assertEquals("from server", c2.text());
    assertEquals("", c1.text());
  }

  @Test
  void manyConcurrentStreamsKeepTheirBytesApart() {
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), TestStreams.echoing());
    int n = 200;
    List<Collector> collectors = new ArrayList<>();
    List<YamuxStreamChannel> streams = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Collector c = new Collector();
      collectors.add(c);
      streams.add(pair.client.openStream(c).getNow());
      payloads.add(randomBytes(1000 + i * 37, i));
    }
    // Interleave writes across streams, in pieces.
    for (int off = 0; off < 10_000; off += 500) {
      for (int i = 0; i < n; i++) {
        byte[] p = payloads.get(i);
        if (off < p.length) {
          streams
              .get(i)
              .writeAndFlush(Unpooled.wrappedBuffer(p, off, Math.min(500, p.length - off)));
        }
      }
      pair.pump();
    }
    pair.pump();
    for (int i = 0; i < n; i++) {
      assertArrayEquals(payloads.get(i), collectors.get(i).bytes(), "stream " + i);
    }
    assertEquals(n, pair.server.streamCount());
    assertEquals(n, pair.client.streamCount());
  }

  @Test
  void halfCloseFromTheOpenerThenResponseThenBothClosed() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    s.writeAndFlush(text("request"));
    s.shutdownOutput();
    pair.pump();
    assertTrue(s.isOutputShutdown());
    assertTrue(s.isActive(), "half-closed, still open for reading");
    Collector server = serverStreams.get(0);
    assertEquals("request", server.text());
    assertTrue(server.inputShutdown, "server sees the FIN as input shutdown");
    assertFalse(server.inactive, "half-closure keeps the stream open");
    // The server answers on its still-open half, then half-closes too.
    server.channel.writeAndFlush(text("response"));
    ((YamuxStreamChannel) server.channel).shutdownOutput();
    pair.pump();
    assertEquals("response", c.text());
    assertTrue(c.inputShutdown);
    assertTrue(c.inactive, "FIN both ways closes the opener");
    assertTrue(server.inactive, "FIN both ways closes the acceptor");
    assertEquals(0, pair.client.streamCount());
    assertEquals(0, pair.server.streamCount());
    assertNull(c.error);
    assertNull(server.error);
  }

  @Test
  void halfCloseFromTheAcceptorFirst() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    s.writeAndFlush(text("x"));
    pair.pump();
    Collector server = serverStreams.get(0);
    server.channel.writeAndFlush(text("all I have"));
    ((YamuxStreamChannel) server.channel).shutdownOutput();
    pair.pump();
    assertEquals("all I have", c.text());
    assertTrue(c.inputShutdown);
    assertFalse(c.inactive);
    // The opener can still write after the remote's FIN.
    s.writeAndFlush(text("more"));
    pair.pump();
    assertEquals("xmore", server.text());
    s.shutdownOutput();
    pair.pump();
    assertTrue(c.inactive);
    assertTrue(server.inactive);
  }

  @Test
  void closeSendsFinAndTheRemoteSeesEndOfInput() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    YamuxStreamChannel s = open(pair.client, new Collector());
    s.writeAndFlush(text("bye"));
    s.close();
    pair.pump();
    Collector server = serverStreams.get(0);
    assertEquals("bye", server.text());
    assertTrue(server.inputShutdown);
    assertNull(server.error);
    assertEquals(0, pair.client.streamCount());
    // Frames the remote still sends for the closed stream are drained.
    server.channel.writeAndFlush(text("nobody listens"));
    pair.pump();
    assertTrue(pair.clientChannel.isActive());
  }

  @Test
  void resetReachesTheRemoteWithItsErrorCode() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    s.writeAndFlush(text("abc"));
    pair.pump();
    s.reset(0x1005);
    pair.pump();
    Collector server = serverStreams.get(0);
    assertTrue(server.inactive);
    YamuxException.StreamResetException e =
        assertInstanceOf(YamuxException.StreamResetException.class, server.error);
    assertEquals(0x1005, e.errorCode());
    assertTrue(e.remote());
    assertTrue(c.inactive);
    assertNull(c.error, "the side that resets is not told about its own reset");
    assertInstanceOf(YamuxException.StreamResetException.class, s.closeCause());
    assertEquals(0, pair.client.streamCount());
    assertEquals(0, pair.server.streamCount());
    // A write on the reset stream fails.
    assertFalse(s.writeAndFlush(text("late")).isSuccess());
  }

  @Test
  void goAwayStopsNewStreamsButExistingOnesContinue() {
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), TestStreams.echoing());
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    pair.server.goAway(YamuxFrame.GO_AWAY_NORMAL);
    pair.pump();
    Future<YamuxStreamChannel> refused = pair.client.openStream(new Collector());
    assertTrue(refused.isDone());
    YamuxException.GoAwayException e =
        assertInstanceOf(YamuxException.GoAwayException.class, refused.cause());
    assertEquals(0, e.code());
    s.writeAndFlush(text("still here"));
    pair.pump();
    assertEquals("still here", c.text());
    // The server may still open streams itself.
    Collector fromServer = new Collector();
    assertTrue(pair.server.openStream(fromServer).isSuccess());
  }

  @Test
  void closingTheConnectionSendsGoAwayAndClosesStreams() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    Collector c = new Collector();
    open(pair.client, c);
    pair.clientChannel.close();
    pair.pump();
    assertTrue(c.inactive);
    assertInstanceOf(YamuxException.SessionClosedException.class, c.stream().closeCause());
    Future<YamuxStreamChannel> f = pair.server.openStream(new Collector());
    assertInstanceOf(YamuxException.GoAwayException.class, f.cause());
    Future<YamuxStreamChannel> g = pair.client.openStream(new Collector());
    assertInstanceOf(YamuxException.SessionClosedException.class, g.cause());
  }

  @Test
  void pingMeasuresTheRoundTrip() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    Future<Long> rtt = pair.client.ping();
    Future<Long> shared = pair.client.ping();
    pair.clientTicker.advance(5, TimeUnit.MILLISECONDS);
    pair.pump();
    assertTrue(rtt.isSuccess());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(5), rtt.getNow());
    assertEquals(rtt.getNow(), shared.getNow(), "a ping in flight is shared");
    assertEquals(TimeUnit.MILLISECONDS.toNanos(5), pair.client.rttNanos());
  }

  @Test
  void slowReaderStopsTheSenderAtTheWindowAndResumesAsItReads() {
    List<Collector> accepted = new ArrayList<>();
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), slowReaders(accepted));
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    byte[] payload = randomBytes(1024 * 1024, 7);
    s.writeAndFlush(Unpooled.wrappedBuffer(payload));
    pair.pump();
    YamuxStreamChannel remote = pair.server.stream(s.streamId());
    Collector reader = accepted.get(0);
    // Exactly one initial window crossed the wire; the rest waits in the sender.
    assertEquals(256 * 1024, remote.bufferedInboundBytes());
    assertEquals(0, reader.bytes().length);
    assertEquals(0, s.sendWindow());
    assertFalse(s.isWritable(), "the queued bytes pass the high-water mark");
    long wireBefore = pair.bytesClientToServer;
    pair.pump();
    assertEquals(
        wireBefore,
        pair.bytesClientToServer,
        "nothing more is sent while the reader does not read");
    // Read piece by piece: window goes back once half of it has been consumed.
    int reads = 0;
    while (reader.bytes().length < payload.length) {
      remote.read();
      pair.pump();
      assertTrue(
          remote.bufferedInboundBytes() <= 256 * 1024,
          "the receiver never buffers beyond its window");
      assertTrue(++reads < 10_000, "no progress");
    }
    assertTrue(s.isWritable());
    assertEquals(crc(payload), crc(reader.bytes()));
    assertArrayEquals(payload, reader.bytes());
  }

  @Test
  void transfers16MiBWithMatchingChecksumAndAutoTunesTheWindow() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    // An RTT measured by the server makes its receive window grow (no time passes between updates).
    Future<Long> rtt = pair.server.ping();
    pair.serverTicker.advance(1, TimeUnit.MILLISECONDS);
    pair.pump();
    assertTrue(rtt.isSuccess());
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    byte[] payload = randomBytes(16 * 1024 * 1024, 16);
    for (int off = 0; off < payload.length; off += 1024 * 1024) {
      s.writeAndFlush(Unpooled.wrappedBuffer(payload, off, 1024 * 1024));
      pair.pump();
    }
    s.shutdownOutput();
    pair.pump();
    Collector server = serverStreams.get(0);
    assertTrue(server.inputShutdown);
    assertEquals(payload.length, server.bytes().length);
    assertEquals(crc(payload), crc(server.bytes()));
    assertEquals(
        16 * 1024 * 1024,
        pair.server.stream(s.streamId()).receiveWindow(),
        "auto-tuning doubled the window up to the maximum");
  }

  @Test
  void withoutRttTheWindowStaysAtItsInitialSize() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    YamuxStreamChannel s = open(pair.client, new Collector());
    byte[] payload = randomBytes(2 * 1024 * 1024, 2);
    s.writeAndFlush(Unpooled.wrappedBuffer(payload));
    pair.pump();
    assertArrayEquals(payload, serverStreams.get(0).bytes());
    assertEquals(256 * 1024, pair.server.stream(s.streamId()).receiveWindow());
  }

  @Test
  void slowUpdatesDoNotGrowTheWindow() {
    List<Collector> accepted = new ArrayList<>();
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), slowReaders(accepted));
    Future<Long> rtt = pair.server.ping();
    pair.serverTicker.advance(1, TimeUnit.MILLISECONDS);
    pair.pump();
    assertTrue(rtt.isSuccess());
    YamuxStreamChannel s = open(pair.client, new Collector());
    byte[] payload = randomBytes(2 * 1024 * 1024, 3);
    s.writeAndFlush(Unpooled.wrappedBuffer(payload));
    pair.pump();
    YamuxStreamChannel remote = pair.server.stream(s.streamId());
    for (int i = 0; i < 10_000 && accepted.get(0).bytes().length < payload.length; i++) {
      pair.serverTicker.advance(5, TimeUnit.MILLISECONDS); // > 4 x RTT between updates
      remote.read();
      pair.pump();
    }
    assertArrayEquals(payload, accepted.get(0).bytes());
    assertEquals(256 * 1024, remote.receiveWindow());
  }

  @Test
  void writesPastTheQueueLimitFail() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams),
            slowReaders(new ArrayList<>()),
            b -> b.maxQueuedBytesPerStream(100_000),
            b -> b);
    YamuxStreamChannel s = open(pair.client, new Collector());
    // The first write fills the window and leaves 50_000 bytes queued.
    Future<Void> first = s.writeAndFlush(Unpooled.wrappedBuffer(new byte[256 * 1024 + 50_000]));
    pair.pump();
    assertFalse(first.isDone(), "50_000 bytes still wait for window");
    Future<Void> second = s.writeAndFlush(Unpooled.wrappedBuffer(new byte[40_000]));
    assertFalse(second.isDone(), "90_000 queued bytes fit the limit");
    Future<Void> tooMuch = s.writeAndFlush(Unpooled.wrappedBuffer(new byte[60_000]));
    assertInstanceOf(YamuxException.LimitException.class, tooMuch.cause());
    // Once the reader reads, everything accepted goes out.
    YamuxStreamChannel remote = pair.server.stream(s.streamId());
    for (int i = 0; i < 100 && !second.isDone(); i++) {
      remote.read();
      pair.pump();
    }
    assertTrue(first.isSuccess());
    assertTrue(second.isSuccess());
  }

  @Test
  void opensBeyondTheBacklogWaitForAcks() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams),
            TestStreams.collecting(serverStreams),
            b -> b.acceptBacklog(2),
            b -> b);
    Future<YamuxStreamChannel> a = pair.client.openStream(new Collector());
    Future<YamuxStreamChannel> b = pair.client.openStream(new Collector());
    Future<YamuxStreamChannel> c = pair.client.openStream(new Collector());
    assertTrue(a.isSuccess());
    assertTrue(b.isSuccess());
    assertFalse(c.isDone(), "two SYNs are un-ACKed: the third open waits");
    pair.pump();
    assertTrue(c.isSuccess());
    assertEquals(5, c.getNow().streamId());
    assertEquals(3, serverStreams.size());
  }

  @Test
  void maxOutboundStreamsIsEnforced() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams),
            TestStreams.collecting(serverStreams),
            b -> b.maxOutboundStreams(2),
            b -> b);
    YamuxStreamChannel a = open(pair.client, new Collector());
    open(pair.client, new Collector());
    Future<YamuxStreamChannel> third = pair.client.openStream(new Collector());
    assertInstanceOf(YamuxException.LimitException.class, third.cause());
    a.close();
    pair.pump();
    assertTrue(
        pair.client.openStream(new Collector()).isSuccess(), "a closed stream frees its slot");
  }

  @Test
  void keepAlivePingsAnIdleConnectionAndSurvivesWhenAnswered() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams),
            TestStreams.collecting(serverStreams),
            b -> b.keepAliveInterval(java.time.Duration.ofSeconds(30)),
            b -> b);
    pair.pump();
    for (int i = 0; i < 5; i++) {
      pair.clientTicker.advance(30, TimeUnit.SECONDS);
      pair.pump();
    }
    assertTrue(pair.clientChannel.isActive());
    assertTrue(pair.serverChannel.isActive());
    // RTT measurement is off in these sessions: an RTT exists only because keepalive pings were
    // answered (instantly, hence the 1 ns floor).
    assertEquals(1, pair.client.rttNanos());
    assertEquals(0, pair.server.rttNanos(), "keepalive is off on the server: it never pings");
  }

  private io.netty.channel.ChannelInitializer<io.netty.channel.Channel> slowReaders(
      List<Collector> accepted) {
    return TestStreams.accepting(
        accepted,
        () ->
            new Collector() {
              @Override
              public void handlerAdded(ChannelHandlerContext ctx) {
                super.handlerAdded(ctx);
                ctx.channel().config().setAutoRead(false);
              }
            });
  }

  private static void readAll(
      EmbeddedPair pair, YamuxStreamChannel remote, Collector reader, int expected) {
    for (int i = 0; i < 10_000 && reader.bytes().length < expected; i++) {
      remote.read();
      pair.pump();
    }
  }

  @Test
  void closeWithBytesWaitingForWindowSendsThemThenFin() {
    List<Collector> accepted = new ArrayList<>();
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), slowReaders(accepted));
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    byte[] payload = randomBytes(300_000, 5);
    Future<Void> write = s.writeAndFlush(Unpooled.wrappedBuffer(payload));
    io.netty.channel.ChannelFuture close = s.close();
    pair.pump();
    assertFalse(close.isDone(), "the close waits for the queued bytes");
    assertTrue(s.isOpen());
    Collector reader = accepted.get(0);
    YamuxStreamChannel remote = pair.server.stream(s.streamId());
    readAll(pair, remote, reader, payload.length);
    remote.read();
    pair.pump();
    assertTrue(write.isSuccess());
    assertTrue(close.isSuccess());
    assertFalse(s.isOpen());
    assertArrayEquals(payload, reader.bytes());
    assertTrue(reader.inputShutdown, "FIN after the last byte");
  }

  @Test
  void shutdownOutputWithBytesWaitingForWindowSendsThemThenFinAndRefusesMoreWrites() {
    List<Collector> accepted = new ArrayList<>();
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), slowReaders(accepted));
    YamuxStreamChannel s = open(pair.client, new Collector());
    byte[] payload = randomBytes(400_000, 6);
    s.writeAndFlush(Unpooled.wrappedBuffer(payload));
    io.netty.channel.ChannelFuture shutdown = s.shutdownOutput();
    pair.pump();
    assertFalse(shutdown.isDone());
    Future<Void> late = s.writeAndFlush(text("late"));
    assertInstanceOf(io.netty.channel.socket.ChannelOutputShutdownException.class, late.cause());
    Collector reader = accepted.get(0);
    YamuxStreamChannel remote = pair.server.stream(s.streamId());
    readAll(pair, remote, reader, payload.length);
    remote.read();
    pair.pump();
    assertTrue(shutdown.isSuccess());
    assertTrue(s.isOutputShutdown());
    assertTrue(s.isOpen(), "half-closed: still reading");
    assertArrayEquals(payload, reader.bytes());
    assertTrue(reader.inputShutdown);
  }

  @Test
  void aRemoteResetFailsWritesWaitingForWindow() {
    List<Collector> accepted = new ArrayList<>();
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), slowReaders(accepted));
    Collector c = new Collector();
    YamuxStreamChannel s = open(pair.client, c);
    Future<Void> write = s.writeAndFlush(Unpooled.wrappedBuffer(new byte[300_000]));
    pair.pump();
    assertFalse(write.isDone());
    pair.server.stream(s.streamId()).reset(0x1001);
    pair.pump();
    assertTrue(write.isDone());
    assertFalse(write.isSuccess());
    assertEquals(0x1001, ((YamuxException.StreamResetException) c.error).errorCode());
    assertFalse(s.isOpen());
  }

  @Test
  void anUnwritableConnectionHoldsDataFramesBack() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    YamuxStreamChannel s = open(pair.client, new Collector());
    pair.clientChannel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    assertFalse(pair.clientChannel.isWritable());
    s.writeAndFlush(text("held back"));
    pair.pump();
    assertEquals("", serverStreams.get(0).text());
    pair.clientChannel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    pair.pump();
    assertEquals("held back", serverStreams.get(0).text());
  }

  @Test
  void aDeferredCloseCompletesWhenTheConnectionDies() {
    List<Collector> accepted = new ArrayList<>();
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), slowReaders(accepted));
    YamuxStreamChannel s = open(pair.client, new Collector());
    Future<Void> write = s.writeAndFlush(Unpooled.wrappedBuffer(new byte[300_000]));
    io.netty.channel.ChannelFuture close = s.close();
    pair.pump();
    assertFalse(close.isDone());
    pair.clientChannel.close();
    pair.pump();
    assertTrue(close.isSuccess());
    assertFalse(write.isSuccess());
    assertFalse(s.isOpen());
  }

  @Test
  void removingTheSessionRemovesItsDecoderAndClosesStreams() {
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams), TestStreams.collecting(serverStreams));
    Collector c = new Collector();
    open(pair.client, c);
    pair.clientChannel.pipeline().remove("yamux");
    pair.clientChannel.runPendingTasks();
    assertTrue(c.inactive);
    assertNull(pair.clientChannel.pipeline().get(YamuxFrameDecoder.class));
  }

  @Test
  void aReaderThatAsksForMoreInReadCompleteGetsEverythingWithoutStalling() {
    List<Collector> accepted = new ArrayList<>();
    pair =
        new EmbeddedPair(
            TestStreams.collecting(clientStreams),
            TestStreams.accepting(
                accepted,
                () ->
                    new Collector() {
                      @Override
                      public void handlerAdded(ChannelHandlerContext ctx) {
                        super.handlerAdded(ctx);
                        ctx.channel().config().setAutoRead(false);
                      }

                      @Override
                      public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.read(); // the usual pattern with auto-read off
                      }
                    }));
    YamuxStreamChannel s = open(pair.client, new Collector());
    byte[] payload = randomBytes(3 * 1024 * 1024, 11);
    s.writeAndFlush(Unpooled.wrappedBuffer(payload));
    pair.pump();
    pair.server.stream(s.streamId())
        .read(); // the first read; channelReadComplete asks for the rest
    pair.pump();
    assertArrayEquals(payload, accepted.get(0).bytes());
  }

  @Test
  void streamsSurviveFramesSplitAtRandomPlaces() {
    pair = new EmbeddedPair(TestStreams.collecting(clientStreams), TestStreams.echoing());
    pair.splitter = new java.util.Random(42);
    List<Collector> collectors = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Collector c = new Collector();
      collectors.add(c);
      byte[] p = randomBytes(50_000 + 997 * i, 100 + i);
      payloads.add(p);
      YamuxStreamChannel s = pair.client.openStream(c).getNow();
      s.writeAndFlush(Unpooled.wrappedBuffer(p));
      s.shutdownOutput();
    }
    pair.pump();
    for (int i = 0; i < collectors.size(); i++) {
      assertArrayEquals(payloads.get(i), collectors.get(i).bytes(), "stream " + i);
      assertTrue(collectors.get(i).inactive, "FIN both ways");
    }
    assertEquals(0, pair.client.streamCount());
    assertEquals(0, pair.server.streamCount());
  }
}
