package io.headersync.libp2p.internal.multistream;

import static io.headersync.libp2p.internal.Buffers.concat;
import static io.headersync.libp2p.internal.Buffers.drainOutbound;
import static io.headersync.libp2p.internal.Buffers.writeSplit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Hex;
import io.headersync.libp2p.internal.Buffers;
import io.headersync.libp2p.internal.ByteCollector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MultistreamTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  static byte[] msg(String... tokens) {
    ByteBuf b = MultistreamCodec.encode(ByteBufAllocator.DEFAULT, tokens);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  /** Factory over a fixed map of collectors. */
  static final class Handlers implements ProtocolHandlerFactory {
    final Map<String, ByteCollector> handlers;
    final List<String> asked = new ArrayList<>();

    Handlers(Map<String, ByteCollector> handlers) {
      this.handlers = handlers;
    }

    @Override
    public ByteCollector create(String protocolId) {
      asked.add(protocolId);
      return handlers.get(protocolId);
    }
  }

  static MultistreamException failure(CompletableFuture<String> f) {
    assertTrue(f.isCompletedExceptionally());
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(MultistreamException.class, e.getCause());
  }

  // ---- codec ----

  @Test
  void encodesReferenceFrames() {
    assertEquals("132f6d756c746973747265616d2f312e302e300a", Hex.encode(msg("/multistream/1.0.0")));
    assertEquals("036e610a", Hex.encode(msg("na")));
    assertEquals("036c730a", Hex.encode(msg("ls")));
  }

  @Test
  void decodesFramesSplitAtEveryPosition() {
    byte[] all = concat(msg("/multistream/1.0.0"), msg("/noise"), msg("x".repeat(1023)));
    for (int at = 0; at <= all.length; at++) {
      ByteBuf in = Unpooled.buffer();
      List<String> got = new ArrayList<>();
      in.writeBytes(all, 0, at);
      for (String t; (t = MultistreamCodec.decode(in)) != null; ) {
        got.add(t);
      }
      in.discardReadBytes();
      in.writeBytes(all, at, all.length - at);
      for (String t; (t = MultistreamCodec.decode(in)) != null; ) {
        got.add(t);
      }
      assertEquals(List.of("/multistream/1.0.0", "/noise", "x".repeat(1023)), got, "split " + at);
      assertFalse(in.isReadable());
      in.release();
    }
  }

  @Test
  void rejectsMalformedFrames() {
    for (String hex :
        new String[] {
          "8108" + "00".repeat(1024) /* 1025 bytes: too large */,
          "8300" /* non-minimal varint */,
          "00" /* empty message */,
          "036e6161" /* no newline */,
          "ffffffffffffffffff01" /* varint too long */
        }) {
      ByteBuf in = Unpooled.wrappedBuffer(Hex.decode(hex));
      try {
        MultistreamException e =
            assertThrows(MultistreamException.class, () -> MultistreamCodec.decode(in), hex);
        assertEquals(MultistreamException.Reason.MALFORMED, e.reason());
      } finally {
        in.release();
      }
    }
    assertThrows(IllegalArgumentException.class, () -> msg("x".repeat(1024)));
    assertThrows(IllegalArgumentException.class, () -> msg("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> msg(""));
    ByteBuf partial = Unpooled.wrappedBuffer(Hex.decode("80"));
    assertNull(MultistreamCodec.decode(partial));
    partial.release();
  }

  // ---- responder ----

  @Test
  void responderAnswersNaThenSelectsAndPassesOptimisticDataOnAtEverySplit() {
    byte[] data = "optimistic application bytes".getBytes(StandardCharsets.UTF_8);
    byte[] in = concat(msg("/multistream/1.0.0", "/tls/1.0.0", "ls", "/noise"), data);
    for (int at = 0; at <= in.length; at++) {
      ByteCollector noise = new ByteCollector();
      CompletableFuture<String> f = new CompletableFuture<>();
      EmbeddedChannel ch =
          new EmbeddedChannel(
              new MultistreamResponder(new Handlers(Map.of("/noise", noise)), TIMEOUT, f));
      assertArrayEquals(msg("/multistream/1.0.0"), drainOutbound(ch), "header first, split " + at);
      writeSplit(ch, in, at);
      assertEquals("/noise", f.getNow(null), "split " + at);
      assertArrayEquals(msg("na", "na", "/noise"), drainOutbound(ch), "split " + at);
      assertArrayEquals(data, noise.bytes(), "split " + at);
      assertNull(ch.pipeline().get(MultistreamResponder.class));
      assertTrue(ch.isOpen());
      // later bytes reach the protocol handler directly
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2}));
      assertEquals(data.length + 2, noise.bytes().length);
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void responderAcceptsTheWholeHandshakeInOneRead() {
    ByteCollector h = new ByteCollector();
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamResponder(new Handlers(Map.of("/p", h)), TIMEOUT, f));
    ch.writeInbound(Unpooled.wrappedBuffer(msg("/multistream/1.0.0", "/p")));
    assertEquals("/p", f.join());
    assertEquals(0, h.reads);
    assertArrayEquals(msg("/multistream/1.0.0", "/p"), drainOutbound(ch));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void responderRejectsAWrongHeaderAndClosesWithoutLeaking() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel(new MultistreamResponder(p -> null, TIMEOUT, f));
    ByteBuf in = Unpooled.wrappedBuffer(concat(msg("/multistream/2.0.0", "/noise"), new byte[100]));
    ch.writeInbound(in);
    assertEquals(0, in.refCnt());
    assertEquals(MultistreamException.Reason.WRONG_HEADER, failure(f).reason());
    assertFalse(ch.isOpen());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void responderClosesOnOversizedFrame() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel(new MultistreamResponder(p -> null, TIMEOUT, f));
    ByteBuf in =
        Unpooled.wrappedBuffer(
            concat(msg("/multistream/1.0.0"), Hex.decode("8108"), new byte[2000]));
    ch.writeInbound(in);
    assertEquals(0, in.refCnt());
    MultistreamException e = failure(f);
    assertEquals(MultistreamException.Reason.MALFORMED, e.reason());
    assertTrue(e.getMessage().contains("1025"), e.getMessage());
    assertFalse(ch.isOpen());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void responderTimesOut() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel(new MultistreamResponder(p -> null, TIMEOUT, f));
    ch.writeInbound(Unpooled.wrappedBuffer(msg("/multistream/1.0.0", "/x")));
    ch.advanceTimeBy(9, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertFalse(f.isDone());
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertEquals(MultistreamException.Reason.TIMEOUT, failure(f).reason());
    assertFalse(ch.isOpen());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void responderFailsWhenTheChannelCloses() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel(new MultistreamResponder(p -> null, TIMEOUT, f));
    ch.writeInbound(Unpooled.wrappedBuffer(Hex.decode("13")));
    ch.close();
    assertEquals(MultistreamException.Reason.CLOSED, failure(f).reason());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  // ---- initiator ----

  @Test
  void initiatorPipelinesHeaderAndFirstProposalThenFallsBackOnNa() {
    byte[] after = {9, 8, 7};
    byte[] reply = concat(msg("/multistream/1.0.0", "na"));
    for (int at = 0; at <= reply.length; at++) {
      ByteCollector noise = new ByteCollector();
      CompletableFuture<String> f = new CompletableFuture<>();
      EmbeddedChannel ch =
          new EmbeddedChannel(
              new MultistreamInitiator(
                  List.of("/tls/1.0.0", "/noise"),
                  new Handlers(Map.of("/noise", noise, "/tls/1.0.0", new ByteCollector())),
                  TIMEOUT,
                  f));
      Object first = ch.readOutbound();
      assertArrayEquals(
          msg("/multistream/1.0.0", "/tls/1.0.0"), ByteBufUtil.getBytes((ByteBuf) first));
      ((ByteBuf) first).release();
      assertNull(ch.readOutbound(), "one flush");
      writeSplit(ch, reply, at);
      assertArrayEquals(msg("/noise"), drainOutbound(ch));
      assertFalse(f.isDone());
      ch.writeInbound(Unpooled.wrappedBuffer(concat(msg("/noise"), after)));
      assertEquals("/noise", f.join());
      assertArrayEquals(after, noise.bytes());
      assertNull(ch.pipeline().get(MultistreamInitiator.class));
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void initiatorFailsWhenNothingIsSupported() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamInitiator(List.of("/a", "/b"), p -> new ByteCollector(), TIMEOUT, f));
    drainOutbound(ch);
    ch.writeInbound(Unpooled.wrappedBuffer(msg("/multistream/1.0.0", "na", "na")));
    MultistreamException e = failure(f);
    assertEquals(MultistreamException.Reason.NOT_SUPPORTED, e.reason());
    assertTrue(e.getMessage().contains("/a") && e.getMessage().contains("/b"), e.getMessage());
    assertFalse(ch.isOpen());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void initiatorRejectsAnUnexpectedAnswer() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamInitiator(List.of("/a"), p -> new ByteCollector(), TIMEOUT, f));
    drainOutbound(ch);
    ch.writeInbound(Unpooled.wrappedBuffer(msg("/multistream/1.0.0", "/b")));
    assertEquals(MultistreamException.Reason.UNEXPECTED_RESPONSE, failure(f).reason());
    ch.finishAndReleaseAll();
  }

  @Test
  void initiatorAndResponderAgreeOverShuttledBytes() {
    ByteCollector serverSide = new ByteCollector();
    ByteCollector clientSide = new ByteCollector();
    CompletableFuture<String> sf = new CompletableFuture<>();
    CompletableFuture<String> cf = new CompletableFuture<>();
    EmbeddedChannel server =
        new EmbeddedChannel(
            new MultistreamResponder(
                new Handlers(Map.of("/yamux/1.0.0", serverSide)), TIMEOUT, sf));
    EmbeddedChannel client =
        new EmbeddedChannel(
            new MultistreamInitiator(
                List.of("/mplex/6.7.0", "/yamux/1.0.0"), p -> clientSide, TIMEOUT, cf));
    for (int i = 0; i < 10 && !(sf.isDone() && cf.isDone()); i++) {
      Buffers.shuttle(client, server);
      Buffers.shuttle(server, client);
    }
    assertEquals("/yamux/1.0.0", sf.join());
    assertEquals("/yamux/1.0.0", cf.join());
    client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
    Buffers.shuttle(client, server);
    assertArrayEquals(new byte[] {42}, serverSide.bytes());
    assertFalse(server.finishAndReleaseAll());
    assertFalse(client.finishAndReleaseAll());
  }

  @Test
  void responderGivesUpAfterTooManyUnsupportedProposals() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel(new MultistreamResponder(p -> null, TIMEOUT, f));
    String[] tokens = new String[MultistreamResponder.MAX_REJECTED_PROPOSALS + 2];
    tokens[0] = "/multistream/1.0.0";
    for (int i = 1; i < tokens.length; i++) {
      tokens[i] = "/p/" + i;
    }
    ch.writeInbound(Unpooled.wrappedBuffer(msg(tokens)));
    assertEquals(MultistreamException.Reason.NOT_SUPPORTED, failure(f).reason());
    assertFalse(ch.isOpen());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void responderStillAnswersAPeerThatHalfClosedAfterItsProposal() {
    ByteCollector h = new ByteCollector();
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamResponder(new Handlers(Map.of("/p", h)), TIMEOUT, f));
    drainOutbound(ch);
    ch.writeInbound(
        Unpooled.wrappedBuffer(concat(msg("/multistream/1.0.0", "/p"), new byte[] {5})));
    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertEquals("/p", f.join());
    assertArrayEquals(msg("/p"), drainOutbound(ch));
    assertArrayEquals(new byte[] {5}, h.bytes());
    assertTrue(ch.isOpen());
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void responderHandsOverAProposalSplitAcrossReadsFollowedByEof() {
    ByteCollector h = new ByteCollector();
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamResponder(new Handlers(Map.of("/p", h)), TIMEOUT, f));
    drainOutbound(ch);
    // header and a partial proposal, then the rest, then EOF
    byte[] all = concat(msg("/multistream/1.0.0", "/p"), new byte[] {6, 7});
    ch.writeInbound(Unpooled.wrappedBuffer(all, 0, all.length - 5));
    ch.writeInbound(Unpooled.wrappedBuffer(all, all.length - 5, 5));
    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertEquals("/p", f.join());
    assertArrayEquals(new byte[] {6, 7}, h.bytes());
    assertArrayEquals(msg("/p"), drainOutbound(ch));
    assertFalse(ch.finishAndReleaseAll());
  }

  /** A protocol handler that writes a request as soon as it is installed, then collects. */
  static final class Requester extends ByteCollector {
    final byte[] request;

    Requester(byte[] request) {
      this.request = request;
    }

    @Override
    public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
    }
  }

  @Test
  void lazyInitiatorSendsDataWithoutWaitingAndChecksTheEchoAtEverySplit() {
    byte[] request = {1, 2, 3};
    byte[] response = {4, 5};
    byte[] reply = concat(msg("/multistream/1.0.0", "/req/1"), response);
    for (int at = 0; at <= reply.length; at++) {
      Requester app = new Requester(request);
      CompletableFuture<String> f = new CompletableFuture<>();
      EmbeddedChannel ch =
          new EmbeddedChannel(MultistreamInitiator.lazy("/req/1", app, TIMEOUT, f));
      assertArrayEquals(concat(msg("/multistream/1.0.0", "/req/1"), request), drainOutbound(ch));
      assertFalse(f.isDone());
      writeSplit(ch, reply, at);
      assertEquals("/req/1", f.join(), "split " + at);
      assertArrayEquals(response, app.bytes(), "split " + at);
      assertNull(ch.pipeline().get(MultistreamInitiator.class));
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void lazyInitiatorFailsOnNaWithoutDeliveringAnything() {
    Requester app = new Requester(new byte[] {1});
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamInitiator.lazy("/req/1", app, TIMEOUT, f));
    drainOutbound(ch);
    ch.writeInbound(
        Unpooled.wrappedBuffer(concat(msg("/multistream/1.0.0", "na"), new byte[] {9})));
    assertEquals(MultistreamException.Reason.NOT_SUPPORTED, failure(f).reason());
    assertEquals(0, app.reads);
    assertFalse(ch.isOpen());
    drainOutbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void lazyInitiatorAgainstOurResponderDeliversThePipelinedRequest() {
    ByteCollector server = new ByteCollector();
    CompletableFuture<String> sf = new CompletableFuture<>();
    EmbeddedChannel responder =
        new EmbeddedChannel(
            new MultistreamResponder(new Handlers(Map.of("/req/1", server)), TIMEOUT, sf));
    Requester app = new Requester(new byte[] {7, 7});
    CompletableFuture<String> cf = new CompletableFuture<>();
    EmbeddedChannel initiator =
        new EmbeddedChannel(MultistreamInitiator.lazy("/req/1", app, TIMEOUT, cf));
    Buffers.shuttle(initiator, responder);
    assertEquals("/req/1", sf.join());
    assertArrayEquals(new byte[] {7, 7}, server.bytes());
    Buffers.shuttle(responder, initiator);
    assertEquals("/req/1", cf.join());
    assertFalse(initiator.finishAndReleaseAll());
    assertFalse(responder.finishAndReleaseAll());
  }

  /** Counts {@code read()} requests reaching the channel (the head of the pipeline). */
  static final class ReadCounter extends io.netty.channel.ChannelOutboundHandlerAdapter {
    int reads;

    @Override
    public void read(io.netty.channel.ChannelHandlerContext ctx) {
      reads++;
      ctx.read();
    }
  }

  /** A protocol handler that only writes: turns auto-read off and never asks for bytes. */
  static final class WriteOnly extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {5}));
    }
  }

  @Test
  void lazyInitiatorReadsTheEchoItselfWhenTheHandlerNeverReads() {
    ReadCounter counter = new ReadCounter();
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(counter);
    ch.pipeline().addLast(MultistreamInitiator.lazy("/pub/1", new WriteOnly(), TIMEOUT, f));
    assertFalse(ch.config().isAutoRead());
    assertArrayEquals(
        concat(msg("/multistream/1.0.0", "/pub/1"), new byte[] {5}), drainOutbound(ch));
    assertEquals(1, counter.reads, "the negotiator must ask for the echo");
    byte[] echo = msg("/multistream/1.0.0", "/pub/1");
    ch.writeInbound(Unpooled.wrappedBuffer(echo, 0, 3));
    ch.pipeline().fireChannelReadComplete();
    assertEquals(2, counter.reads, "a partial echo must lead to another read");
    assertFalse(f.isDone());
    ch.writeInbound(Unpooled.wrappedBuffer(echo, 3, echo.length - 3));
    assertEquals("/pub/1", f.join());
    assertNull(ch.pipeline().get(MultistreamInitiator.class));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void lazyInitiatorFailsWhenTheStreamIsResetBeforeTheEcho() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(MultistreamInitiator.lazy("/req/1", new WriteOnly(), TIMEOUT, f));
    drainOutbound(ch);
    RuntimeException reset = new RuntimeException("reset");
    ch.pipeline().fireExceptionCaught(reset);
    MultistreamException e = failure(f);
    assertEquals(MultistreamException.Reason.CLOSED, e.reason());
    assertEquals(reset, e.getCause());
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }

  @Test
  void lazyInitiatorTimesOutWithoutAnEcho() {
    CompletableFuture<String> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(MultistreamInitiator.lazy("/req/1", new WriteOnly(), TIMEOUT, f));
    drainOutbound(ch);
    ch.advanceTimeBy(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    ch.runPendingTasks();
    assertEquals(MultistreamException.Reason.TIMEOUT, failure(f).reason());
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }
}
