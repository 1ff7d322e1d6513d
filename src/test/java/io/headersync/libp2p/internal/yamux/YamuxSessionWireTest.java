package io.headersync.libp2p.internal.yamux;

import static io.headersync.libp2p.internal.yamux.TestStreams.dataFrame;
import static io.headersync.libp2p.internal.yamux.TestStreams.frame;
import static io.headersync.libp2p.internal.yamux.TestStreams.written;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_ACK;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_FIN;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_RST;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_SYN;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_DATA;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_GO_AWAY;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_PING;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_WINDOW_UPDATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.internal.yamux.TestStreams.Collector;
import io.headersync.libp2p.internal.yamux.TestStreams.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One session on an EmbeddedChannel, driven with hand-made frames; asserts the exact frames it
 * writes.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class YamuxSessionWireTest {
  private final MockTicker ticker = Ticker.newMockTicker();
  private final List<Collector> accepted = new ArrayList<>();
  private EmbeddedChannel ch;
  private YamuxSession session;

  @AfterEach
  void finish() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
  }

  /** A server (listener) session: inbound streams have odd ids. */
  private void server(UnaryOperator<YamuxConfig.Builder> config) {
    ch = EmbeddedChannel.builder().ticker(ticker).build();
    session =
        new YamuxSession(
            config.apply(EmbeddedPair.quiet(ticker)).build(),
            false,
            TestStreams.collecting(accepted));
    ch.pipeline().addLast("yamux", session);
  }

  private void server() {
    server(UnaryOperator.identity());
  }

  private void in(ByteBuf... frames) {
    ch.writeInbound(Unpooled.wrappedBuffer(frames));
    ch.runPendingTasks();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void assertGoAwayAndClosed(int code) {
    List<Frame> out = written(ch);
    assertTrue(
        out.stream().anyMatch(f -> f.is(TYPE_GO_AWAY, 0, 0, code)),
        () -> "no GoAway(" + code + ") in " + out);
    assertFalse(ch.isOpen(), "the connection is closed");
  }

  @Test
  void acceptsASynAndAnswersWithTheExactAckFrame() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    ByteBuf out = ch.readOutbound();
    assertEquals("000100020000000100000000", ByteBufUtil.hexDump(out));
    out.release();
    assertEquals(1, accepted.size());
    assertTrue(accepted.get(0).channel.isActive());
  }

  @Test
  void grantsAWindowAboveTheProtocolDefaultInTheAck() {
    server(b -> b.initialStreamWindow(1024 * 1024));
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    List<Frame> out = written(ch);
    assertEquals(1, out.size());
    assertTrue(
        out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 1024 * 1024 - 256 * 1024), out.toString());
    // The remote may now send the whole megabyte without an update.
    in(dataFrame(0, 1, new byte[1024 * 1024]));
    assertTrue(ch.isOpen());
  }

  @Test
  void outboundOpenSendsWindowUpdateSyn() {
    server();
    Future<YamuxStreamChannel> f = session.openStream(new Collector());
    assertTrue(f.isSuccess());
    List<Frame> out = written(ch);
    assertEquals(1, out.size());
    assertTrue(out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_SYN, 2, 0), out.toString());
    // The first data frame carries no flag once the SYN went out.
    f.getNow().writeAndFlush(Unpooled.wrappedBuffer(bytes("hi")));
    out = written(ch);
    assertTrue(out.get(0).is(TYPE_DATA, 0, 2, 2), out.toString());
  }

  @Test
  void synDataFinInOneFrameDeliversDataThenEndOfInput() {
    server();
    in(dataFrame(FLAG_SYN | FLAG_FIN, 1, bytes("all at once")));
    Collector c = accepted.get(0);
    assertEquals("all at once", c.text());
    assertTrue(c.inputShutdown);
    assertFalse(c.inactive, "our side is still open for writing");
    c.channel.writeAndFlush(Unpooled.wrappedBuffer(bytes("reply")));
    ((YamuxStreamChannel) c.channel).shutdownOutput();
    ch.runPendingTasks();
    List<Frame> out = written(ch);
    // The 11 bytes were consumed as the stream was accepted: the ACK grants them back.
    assertTrue(out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 11), out.toString());
    assertTrue(out.get(1).is(TYPE_DATA, 0, 1, 5), out.toString());
    assertTrue(out.get(2).is(TYPE_WINDOW_UPDATE, FLAG_FIN, 1, 0), out.toString());
    assertTrue(c.inactive);
    assertEquals(0, session.streamCount());
  }

  @Test
  void windowUpdateWithSynAndFinOpensAndHalfClosesAtOnce() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN | FLAG_FIN, 1, 1000));
    Collector c = accepted.get(0);
    assertTrue(c.inputShutdown);
    assertEquals(256 * 1024 + 1000, c.stream().sendWindow(), "the delta counts with the flags");
  }

  @Test
  void ackFinAndDataInOneFrameOnAnOutboundStream() {
    server();
    Collector c = new Collector();
    session.openStream(c);
    written(ch);
    in(dataFrame(FLAG_ACK | FLAG_FIN, 2, bytes("done")));
    assertEquals("done", c.text());
    assertTrue(c.inputShutdown);
    c.stream().close();
    List<Frame> out = written(ch);
    assertEquals(1, out.size(), out.toString());
    assertTrue(out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_FIN, 2, 0), out.toString());
    ch.runPendingTasks(); // Netty fires channelInactive in a task
    assertTrue(c.inactive);
  }

  @Test
  void synWithRstCreatesNothingVisible() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN | FLAG_RST, 1, 7));
    assertEquals(0, accepted.size(), "reset before it was accepted");
    assertEquals(0, session.streamCount());
    assertTrue(written(ch).isEmpty());
    assertTrue(ch.isOpen());
  }

  @Test
  void rstOnADataFrameResetsWithCodeZeroAndDropsThePayload() {
    server();
    in(dataFrame(FLAG_SYN, 1, bytes("first")));
    Collector c = accepted.get(0);
    in(dataFrame(FLAG_RST, 1, bytes("dropped")));
    assertEquals("first", c.text());
    assertTrue(c.inactive);
    YamuxException.StreamResetException e =
        assertInstanceOf(YamuxException.StreamResetException.class, c.error);
    assertEquals(0, e.errorCode());
  }

  @Test
  void rstOnAWindowUpdateCarriesTheErrorCode() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    in(frame(TYPE_WINDOW_UPDATE, FLAG_RST, 1, 0x1003));
    Collector c = accepted.get(0);
    assertEquals(0x1003, ((YamuxException.StreamResetException) c.error).errorCode());
    assertTrue(((YamuxException.StreamResetException) c.error).remote());
  }

  @Test
  void framesForUnknownAndClosedStreamsAreDrainedSilently() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    accepted.get(0).channel.close();
    written(ch);
    in(
        dataFrame(0, 99, new byte[5000]), // never seen
        frame(TYPE_WINDOW_UPDATE, 0, 77, 1000), // never seen
        dataFrame(FLAG_FIN, 1, new byte[3000]), // closed
        frame(TYPE_WINDOW_UPDATE, FLAG_ACK | FLAG_FIN | FLAG_RST, 1, 5), // closed
        dataFrame(
            0, 101, new byte[300 * 1024])); // never seen, larger than any window: still drained
    assertTrue(written(ch).isEmpty(), "nothing is answered");
    assertTrue(ch.isOpen());
    assertEquals(0, session.streamCount());
    // The session still works afterwards.
    in(frame(TYPE_PING, FLAG_SYN, 0, 42));
    assertTrue(written(ch).get(0).is(TYPE_PING, FLAG_ACK, 0, 42));
  }

  @Test
  void answersPingWithTheSameOpaqueValue() {
    server();
    in(frame(TYPE_PING, FLAG_SYN, 0, 0xDEADBEEF));
    ByteBuf out = ch.readOutbound();
    assertEquals("0002000200000000deadbeef", ByteBufUtil.hexDump(out));
    out.release();
  }

  @Test
  void dataBeyondTheWindowIsAProtocolError() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    accepted
        .get(0)
        .channel
        .config()
        .setAutoRead(false); // nothing is consumed, so no window comes back
    in(dataFrame(0, 1, new byte[200 * 1024]));
    written(ch);
    // 56 KiB of window left; a 57 KiB frame is rejected from its header alone.
    ByteBuf header = frame(TYPE_DATA, 0, 1, 57 * 1024);
    in(header);
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    assertTrue(accepted.get(0).inactive);
  }

  @Test
  void synWithMoreDataThanTheInitialWindowIsAProtocolError() {
    server();
    in(frame(TYPE_DATA, FLAG_SYN, 1, 256 * 1024 + 1));
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
  }

  @Test
  void badVersionIsAProtocolError() {
    server();
    in(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("010200010000000000000001")));
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
  }

  @Test
  void unknownTypeIsAProtocolError() {
    server();
    in(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("000400000000000000000000")));
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
  }

  @Test
  void synWithOurOwnParityIsAProtocolError() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 2, 0));
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
  }

  @Test
  void duplicateSynIsAProtocolError() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    assertTrue(accepted.get(0).inactive);
  }

  @Test
  void synsBeyondTheAcceptBacklogAreReset() {
    server();
    ByteBuf[] syns = new ByteBuf[300];
    for (int i = 0; i < syns.length; i++) {
      syns[i] = frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1 + 2 * i, 0);
    }
    // 300 SYNs in one read: 256 wait for the end of the read to be accepted, 44 are reset at once.
    ch.pipeline().fireChannelRead(Unpooled.wrappedBuffer(syns));
    assertEquals(0, accepted.size());
    ch.pipeline().fireChannelReadComplete();
    List<Frame> out = written(ch);
    assertEquals(300, out.size(), out.toString());
    List<Frame> resets = out.subList(0, 44);
    assertTrue(
        resets.stream()
            .allMatch(f -> f.type == TYPE_WINDOW_UPDATE && f.flags == FLAG_RST && f.length == 0));
    assertTrue(resets.stream().allMatch(f -> f.streamId >= 1 + 2 * 256));
    List<Frame> acks = out.subList(44, 300);
    assertTrue(
        acks.stream()
            .allMatch(
                f -> f.is(TYPE_WINDOW_UPDATE, FLAG_ACK, f.streamId, 0) && f.streamId < 2 * 256));
    assertEquals(256, accepted.size());
    // The backlog is free again: a new SYN is accepted.
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1001, 0));
    assertEquals(257, accepted.size());
  }

  @Test
  void synsBeyondMaxInboundStreamsAreReset() {
    server(b -> b.maxInboundStreams(2));
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 3, 0));
    written(ch);
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 5, 0));
    List<Frame> out = written(ch);
    assertEquals(1, out.size());
    assertTrue(out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_RST, 5, 0), out.toString());
    // Data that the remote sent before seeing the RST is drained.
    in(dataFrame(0, 5, new byte[100]));
    accepted.get(0).channel.close();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 7, 0));
    assertEquals(3, accepted.size(), "a closed stream frees a slot");
  }

  @Test
  void dataPastTheHostsInboundBudgetResetsItsStreamButNotTheConnection() {
    InboundBudget budget = new InboundBudget(1_000);
    ch = EmbeddedChannel.builder().ticker(ticker).build();
    session =
        new YamuxSession(
            EmbeddedPair.quiet(ticker).inboundBudget(budget).build(),
            false,
            TestStreams.accepting(
                accepted,
                () ->
                    new Collector() {
                      @Override
                      public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
                        ctx.channel()
                            .config()
                            .setAutoRead(
                                false); // a handler that does not read: bytes stay buffered
                      }
                    }));
    ch.pipeline().addLast("yamux", session);

    in(dataFrame(FLAG_SYN, 1, new byte[600]));
    written(ch);
    assertEquals(600, budget.used());
    // A new stream whose first data would pass the budget is answered with RST (0x1002).
    in(dataFrame(FLAG_SYN, 3, new byte[600]));
    List<Frame> out = written(ch);
    assertTrue(out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_RST, 3, 0x1002), out.toString());
    assertEquals(1, accepted.size());
    // More data on the open stream would pass it too: that stream is reset, its buffers freed.
    in(dataFrame(0, 1, new byte[600]));
    out = written(ch);
    assertTrue(out.get(0).is(TYPE_WINDOW_UPDATE, FLAG_RST, 1, 0x1002), out.toString());
    assertTrue(accepted.get(0).inactive);
    assertEquals(0, budget.used());
    assertEquals(2, budget.refusals());
    // The connection is fine: the next stream opens.
    in(dataFrame(FLAG_SYN, 5, new byte[100]));
    assertEquals(2, accepted.size());
    assertTrue(ch.isActive());
  }

  @Test
  void afterOurGoAwayNewStreamsAreReset() {
    server();
    session.goAway(YamuxFrame.GO_AWAY_NORMAL);
    assertTrue(written(ch).get(0).is(TYPE_GO_AWAY, 0, 0, 0));
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    assertTrue(written(ch).get(0).is(TYPE_WINDOW_UPDATE, FLAG_RST, 1, 0));
    assertEquals(0, accepted.size());
  }

  @Test
  void closingTheConnectionSendsANormalGoAway() {
    server();
    ch.close();
    List<Frame> out = written(ch);
    assertEquals(1, out.size());
    assertTrue(out.get(0).is(TYPE_GO_AWAY, 0, 0, 0));
  }

  @Test
  void keepAlivePingsAfterTheIdleIntervalAndClosesWithoutAnAnswer() {
    server(b -> b.keepAliveInterval(Duration.ofSeconds(30)).pingTimeout(Duration.ofSeconds(10)));
    ticker.advance(20, TimeUnit.SECONDS);
    ch.runPendingTasks();
    in(
        frame(
            TYPE_WINDOW_UPDATE,
            0,
            99,
            0)); // any frame counts as activity, even for an unknown stream
    ticker.advance(20, TimeUnit.SECONDS);
    ch.runPendingTasks();
    assertTrue(written(ch).isEmpty(), "only 20 s idle");
    ticker.advance(10, TimeUnit.SECONDS);
    ch.runPendingTasks();
    List<Frame> out = written(ch);
    assertEquals(1, out.size());
    assertTrue(out.get(0).is(TYPE_PING, FLAG_SYN, 0, 0), out.toString());
    ticker.advance(9, TimeUnit.SECONDS);
    ch.runPendingTasks();
    assertTrue(ch.isOpen());
    ticker.advance(1, TimeUnit.SECONDS);
    ch.runPendingTasks();
    assertFalse(ch.isOpen(), "no pong within the timeout");
  }

  @Test
  void keepAliveAnsweredKeepsTheConnection() {
    server(b -> b.keepAliveInterval(Duration.ofSeconds(30)));
    for (int i = 0; i < 4; i++) {
      ticker.advance(30, TimeUnit.SECONDS);
      ch.runPendingTasks();
      List<Frame> out = written(ch);
      assertEquals(1, out.size());
      assertEquals(TYPE_PING, out.get(0).type);
      ticker.advance(1, TimeUnit.SECONDS);
      in(frame(TYPE_PING, FLAG_ACK, 0, out.get(0).length));
    }
    assertTrue(ch.isOpen());
    assertEquals(TimeUnit.SECONDS.toNanos(1), session.rttNanos());
  }

  @Test
  void measuresTheRttAtStartAndAtTheInterval() {
    server(b -> b.measureRttInterval(Duration.ofSeconds(30)));
    List<Frame> out = written(ch);
    assertTrue(out.get(0).is(TYPE_PING, FLAG_SYN, 0, 0), out.toString());
    ticker.advance(2, TimeUnit.MILLISECONDS);
    in(frame(TYPE_PING, FLAG_ACK, 0, 0));
    assertEquals(TimeUnit.MILLISECONDS.toNanos(2), session.rttNanos());
    ticker.advance(30, TimeUnit.SECONDS);
    ch.runPendingTasks();
    out = written(ch);
    assertTrue(out.get(0).is(TYPE_PING, FLAG_SYN, 0, 1), out.toString());
    ticker.advance(4, TimeUnit.MILLISECONDS);
    in(frame(TYPE_PING, FLAG_ACK, 0, 1));
    assertEquals(
        TimeUnit.MILLISECONDS.toNanos(3), session.rttNanos(), "smoothed: half old, half new");
  }

  @Test
  void aPongWithAnUnknownIdIsIgnored() {
    server();
    Future<Long> ping = session.ping();
    in(frame(TYPE_PING, FLAG_ACK, 0, 12345));
    assertFalse(ping.isDone());
    ticker.advance(10, TimeUnit.SECONDS);
    ch.runPendingTasks();
    assertInstanceOf(YamuxException.TimeoutException.class, ping.cause());
    assertTrue(ch.isOpen(), "a failed user ping does not close the session");
  }

  @Test
  void aRemoteGoAwayFailsNewOpensWithItsCode() {
    server();
    in(frame(TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_INTERNAL_ERROR));
    Future<YamuxStreamChannel> f = session.openStream(new Collector());
    assertEquals(2, ((YamuxException.GoAwayException) f.cause()).code());
    assertTrue(ch.isOpen());
  }

  @Test
  void sessionFramesSplitAtEveryByteGiveTheSameResult() {
    ByteBuf seq =
        Unpooled.wrappedBuffer(
            dataFrame(FLAG_SYN, 1, bytes("abc")),
            frame(TYPE_PING, FLAG_SYN, 0, 9),
            dataFrame(FLAG_FIN, 1, bytes("defgh")),
            frame(TYPE_WINDOW_UPDATE, 0, 1, 10),
            dataFrame(0, 55, bytes("unknown stream")));
    byte[] wire = ByteBufUtil.getBytes(seq);
    seq.release();
    for (int split = 0; split <= wire.length; split++) {
      accepted.clear();
      server();
      ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
      ch.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
      ch.runPendingTasks();
      Collector c = accepted.get(0);
      assertEquals("abcdefgh", c.text(), "split at " + split);
      assertTrue(c.inputShutdown);
      assertEquals(256 * 1024 + 10, c.stream().sendWindow());
      List<Frame> out = written(ch);
      assertTrue(out.stream().anyMatch(f -> f.is(TYPE_PING, FLAG_ACK, 0, 9)), "split at " + split);
      assertTrue(
          out.stream().anyMatch(f -> f.type == TYPE_WINDOW_UPDATE && f.flags == FLAG_ACK),
          "split at " + split);
      assertTrue(ch.isOpen());
      ch.finishAndReleaseAll();
    }
    ch = null;
  }

  @Test
  void unreadInputIsReleasedWhenTheStreamCloses() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    Collector c = accepted.get(0);
    c.channel.config().setAutoRead(false);
    in(dataFrame(0, 1, new byte[1000]), dataFrame(0, 1, new byte[2000]));
    assertEquals(3000, c.stream().bufferedInboundBytes());
    c.channel.close();
    assertEquals(0, c.stream().bufferedInboundBytes());
    assertNull(c.error);
  }

  @Test
  void sessionCloseReleasesBufferedInputOfUnacceptedStreams() {
    server();
    // Not yet accepted (the accept task has not run) when the connection dies.
    ch.pipeline().fireChannelRead(dataFrame(FLAG_SYN, 1, new byte[4000]));
    assertEquals(1, session.streamCount());
    ch.close();
    ch.runPendingTasks();
    assertEquals(0, accepted.size());
    assertEquals(0, session.streamCount());
  }

  @Test
  void writesAreSplitIntoFramesOfAtMostMaxFrameData() {
    server();
    Collector c = new Collector();
    session.openStream(c);
    in(frame(TYPE_WINDOW_UPDATE, FLAG_ACK, 2, 0));
    written(ch);
    byte[] payload = TestStreams.randomBytes(200_000, 1);
    c.channel.writeAndFlush(Unpooled.wrappedBuffer(payload));
    List<Frame> out = written(ch);
    int max = 64 * 1024 - 12;
    assertEquals(4, out.size());
    ByteBuf all = Unpooled.buffer();
    for (Frame f : out) {
      assertTrue(f.length <= max);
      all.writeBytes(f.payload);
    }
    assertArrayEquals(payload, ByteBufUtil.getBytes(all));
    all.release();
  }

  @Test
  void writesToTheConnectionBehindTheSessionAreRefused() {
    server();
    ByteBuf stray = Unpooled.wrappedBuffer(bytes("raw"));
    Future<Void> f = ch.writeAndFlush(stray);
    assertInstanceOf(IllegalStateException.class, f.cause());
    assertEquals(0, stray.refCnt(), "the refused message is released");
    assertTrue(written(ch).isEmpty());
  }

  @Test
  void anUnexpectedErrorOnTheConnectionSendsGoAwayInternalError() {
    server();
    ch.pipeline().fireExceptionCaught(new java.io.IOException("boom"));
    assertGoAwayAndClosed(YamuxFrame.GO_AWAY_INTERNAL_ERROR);
  }

  @Test
  void windowUpdateWithAckFinAndDeltaOnAnOutboundStream() {
    server();
    Collector c = new Collector();
    session.openStream(c);
    written(ch);
    in(frame(TYPE_WINDOW_UPDATE, FLAG_ACK | FLAG_FIN, 2, 4096));
    assertTrue(c.inputShutdown);
    assertEquals(256 * 1024 + 4096, c.stream().sendWindow());
    assertTrue(c.stream().isActive(), "our half is still open");
  }

  @Test
  void openFailsOnceStreamIdsAreExhausted() throws Exception {
    server();
    java.lang.reflect.Field next = YamuxSession.class.getDeclaredField("nextStreamId");
    next.setAccessible(true);
    next.setLong(session, 0xFFFFFFFCL); // go-yamux never uses ids >= 2^32 - 2
    Future<YamuxStreamChannel> last = session.openStream(new Collector());
    assertTrue(last.isSuccess());
    assertEquals(0xFFFFFFFC, last.getNow().streamId());
    Future<YamuxStreamChannel> none = session.openStream(new Collector());
    assertInstanceOf(YamuxException.LimitException.class, none.cause());
  }

  @Test
  void pingRepliesWhileUnwritableAreBoundedNotDropped() {
    // A big transfer keeps the connection unwritable; go-yamux's keepalive must still get pongs
    // (seen against go-yamux: "ping: i/o deadline reached" when we dropped them all).
    server();
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    for (int i = 0; i < YamuxSession.MAX_PONGS_WHILE_UNWRITABLE; i++) {
      in(frame(TYPE_PING, FLAG_SYN, 0, i));
    }
    in(frame(TYPE_PING, FLAG_SYN, 0, 999)); // one too many: dropped
    List<TestStreams.Frame> pongs = written(ch);
    assertEquals(YamuxSession.MAX_PONGS_WHILE_UNWRITABLE, pongs.size());
    assertTrue(pongs.get(0).is(TYPE_PING, FLAG_ACK, 0, 0));
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    in(frame(TYPE_PING, FLAG_SYN, 0, 2));
    assertTrue(written(ch).get(0).is(TYPE_PING, FLAG_ACK, 0, 2));
  }

  @Test
  void shutdownInputIsLocalLikeGoCloseRead() {
    server();
    in(frame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    Collector c = accepted.get(0);
    written(ch);
    c.stream().shutdownInput();
    assertTrue(c.stream().isInputShutdown());
    assertTrue(written(ch).isEmpty(), "nothing goes on the wire");
    in(dataFrame(0, 1, new byte[200 * 1024]));
    assertEquals(0, c.bytes().length, "input after shutdownInput is dropped");
    assertTrue(written(ch).isEmpty(), "and no window is granted back");
    c.channel.writeAndFlush(Unpooled.wrappedBuffer(bytes("still writing")));
    assertTrue(written(ch).get(0).is(TYPE_DATA, 0, 1, 13));
  }
}
