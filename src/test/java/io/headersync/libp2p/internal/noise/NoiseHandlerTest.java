package io.headersync.libp2p.internal.noise;

import static io.headersync.libp2p.internal.Buffers.drainOutbound;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.internal.Buffers;
import io.headersync.libp2p.internal.ByteCollector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.util.test.FixedSecureRandom;
import org.junit.jupiter.api.Test;

class NoiseHandlerTest {
  static final PrivateKey ALICE = key(1);
  static final PrivateKey BOB = key(2);

  static PrivateKey key(int b) {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) b);
    return PrivateKey.ed25519FromSeed(seed);
  }

  /** A deterministic SecureRandom: a long stream of bytes derived from a seed. */
  static SecureRandom random(int seed) {
    byte[] stream = new byte[4096];
    new Random(seed).nextBytes(stream);
    return new FixedSecureRandom(stream);
  }

  static NoiseConfig config(PrivateKey id, int seed, List<String> muxers) {
    return new NoiseConfig(id, random(seed), Duration.ofSeconds(15), muxers, Aead.DEFAULT);
  }

  /** Both ends of a connection, with the handshake handlers installed. */
  static final class Pair {
    final ByteCollector clientApp = new ByteCollector();
    final ByteCollector serverApp = new ByteCollector();
    final CompletableFuture<NoiseSession> clientDone = new CompletableFuture<>();
    final CompletableFuture<NoiseSession> serverDone = new CompletableFuture<>();
    final EmbeddedChannel client;
    final EmbeddedChannel server;

    Pair(NoiseConfig clientCfg, NoiseConfig serverCfg, PeerId expected) {
      client =
          new EmbeddedChannel(
              new NoiseHandshakeHandler(clientCfg, true, expected, s -> clientApp, clientDone));
      server =
          new EmbeddedChannel(
              new NoiseHandshakeHandler(serverCfg, false, null, s -> serverApp, serverDone));
    }

    Pair() {
      this(config(ALICE, 1, List.of()), config(BOB, 2, List.of()), BOB.peerId());
    }

    void pump() {
      for (int i = 0; i < 10; i++) {
        int n = Buffers.shuttle(client, server) + Buffers.shuttle(server, client);
        if (n == 0) {
          return;
        }
      }
    }

    void close() {
      drainOutbound(client);
      drainOutbound(server);
      client.finishAndReleaseAll();
      server.finishAndReleaseAll();
    }
  }

  static NoiseException failure(CompletableFuture<NoiseSession> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(NoiseException.class, e.getCause());
  }

  @Test
  void handshakeAuthenticatesBothPeersAndReplacesItself() {
    Pair p = new Pair();
    p.pump();
    NoiseSession c = p.clientDone.join();
    NoiseSession s = p.serverDone.join();
    assertEquals(BOB.peerId(), c.remotePeer());
    assertEquals(ALICE.peerId(), s.remotePeer());
    assertEquals(BOB.publicKey(), c.remoteKey());
    assertTrue(c.earlyMuxer().isEmpty() && s.earlyMuxer().isEmpty());
    assertArrayEquals(c.handshakeHash(), s.handshakeHash());
    assertNull(p.client.pipeline().get(NoiseHandshakeHandler.class));
    assertTrue(p.client.pipeline().get(NoiseTransportCodec.class) != null);
    assertFalse(p.client.finishAndReleaseAll());
    assertFalse(p.server.finishAndReleaseAll());
  }

  @Test
  void handshakeSurvivesBytesSplitAtEveryPosition() {
    // Capture one handshake's bytes, then replay each message split at every position into a
    // fresh responder/initiator with the same randomness.
    Pair ref = new Pair();
    byte[] m1 = drainOutbound(ref.client);
    ref.server.writeInbound(Unpooled.wrappedBuffer(m1));
    byte[] m2 = drainOutbound(ref.server);
    ref.close();
    for (int at = 0; at <= m1.length; at++) {
      Pair p = new Pair();
      drainOutbound(p.client);
      Buffers.writeSplit(p.server, m1, at);
      assertArrayEquals(m2, drainOutbound(p.server), "m1 split " + at);
      p.close();
    }
    for (int at = 0; at <= m2.length; at++) {
      Pair p = new Pair();
      p.server.writeInbound(Unpooled.wrappedBuffer(drainOutbound(p.client)));
      drainOutbound(p.server);
      Buffers.writeSplit(p.client, m2, at);
      byte[] m3 = drainOutbound(p.client);
      assertTrue(p.clientDone.isDone(), "m2 split " + at);
      // deliver m3 and some application data in one buffer, split at every 7th position
      p.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
      byte[] data = drainOutbound(p.client);
      byte[] both = Buffers.concat(m3, data);
      Buffers.writeSplit(p.server, both, (at * 7) % both.length);
      assertEquals(ALICE.peerId(), p.serverDone.join().remotePeer());
      assertArrayEquals(new byte[] {1, 2, 3}, p.serverApp.bytes(), "split " + at);
      p.close();
    }
  }

  @Test
  void transportRoundTripsLargeMessagesInMaxSizedChunks() {
    Pair p = new Pair();
    p.pump();
    byte[] big = new byte[3 * NoiseTransportCodec.MAX_PLAINTEXT + 1000];
    new Random(5).nextBytes(big);
    p.client.writeAndFlush(Unpooled.wrappedBuffer(big));
    // Parse the frames on the wire: three full chunks then the rest.
    List<Integer> frames = new ArrayList<>();
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (Object o; (o = p.client.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      wire.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
    byte[] w = wire.toByteArray();
    for (int i = 0; i < w.length; ) {
      int len = ((w[i] & 0xFF) << 8) | (w[i + 1] & 0xFF);
      frames.add(len);
      i += 2 + len;
    }
    assertEquals(List.of(65535, 65535, 65535, 1016), frames);
    // Deliver in odd-sized pieces.
    for (int i = 0; i < w.length; i += 9999) {
      p.server.writeInbound(Unpooled.copiedBuffer(w, i, Math.min(9999, w.length - i)));
    }
    assertArrayEquals(big, p.serverApp.bytes());
    assertEquals(4, p.serverApp.reads);
    // and back
    p.server.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {7}));
    p.server.writeAndFlush(Unpooled.directBuffer().writeBytes(new byte[] {8, 9}));
    p.server.writeAndFlush(Unpooled.EMPTY_BUFFER);
    p.pump();
    assertArrayEquals(new byte[] {7, 8, 9}, p.clientApp.bytes());
    assertFalse(p.client.finishAndReleaseAll());
    assertFalse(p.server.finishAndReleaseAll());
  }

  @Test
  void tamperedTransportMessageClosesTheChannel() {
    Pair p = new Pair();
    p.pump();
    p.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
    byte[] w = drainOutbound(p.client);
    w[50] ^= 1;
    ByteBuf in = Unpooled.wrappedBuffer(w);
    NoiseException e = assertThrows(NoiseException.class, () -> p.server.writeInbound(in));
    assertEquals(NoiseException.Reason.DECRYPT_FAILED, e.reason());
    assertEquals(0, in.refCnt());
    assertFalse(p.server.isOpen());
    assertEquals(0, p.serverApp.reads);
    p.close();
  }

  @Test
  void shortTransportMessageIsMalformed() {
    Pair p = new Pair();
    p.pump();
    NoiseException e =
        assertThrows(
            NoiseException.class,
            () -> p.server.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 3, 1, 2, 3})));
    assertEquals(NoiseException.Reason.MALFORMED, e.reason());
    assertFalse(p.server.isOpen());
    p.close();
  }

  @Test
  void replayedTransportMessageFails() {
    Pair p = new Pair();
    p.pump();
    p.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
    byte[] w = drainOutbound(p.client);
    p.server.writeInbound(Unpooled.wrappedBuffer(w));
    assertThrows(NoiseException.class, () -> p.server.writeInbound(Unpooled.wrappedBuffer(w)));
    assertEquals(1, p.serverApp.reads);
    p.close();
  }

  @Test
  void wrongExpectedPeerIdFailsTheDialer() {
    Pair p = new Pair(config(ALICE, 1, List.of()), config(BOB, 2, List.of()), key(3).peerId());
    p.pump();
    NoiseException e = failure(p.clientDone);
    assertEquals(NoiseException.Reason.PEER_ID_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains(BOB.peerId().toString()), e.getMessage());
    assertFalse(p.client.isOpen());
    assertFalse(p.serverDone.isDone() && !p.serverDone.isCompletedExceptionally());
    p.close();
  }

  @Test
  void tamperedHandshakeMessageFails() {
    Pair p = new Pair();
    p.server.writeInbound(Unpooled.wrappedBuffer(drainOutbound(p.client)));
    byte[] m2 = drainOutbound(p.server);
    m2[2 + 32 + 5] ^= 1; // inside the encrypted static key
    p.client.writeInbound(Unpooled.wrappedBuffer(m2));
    assertEquals(NoiseException.Reason.DECRYPT_FAILED, failure(p.clientDone).reason());
    assertFalse(p.client.isOpen());
    p.close();
  }

  @Test
  void truncatedHandshakeMessageIsMalformed() {
    Pair p = new Pair();
    drainOutbound(p.client);
    p.client.writeInbound(
        Unpooled.wrappedBuffer(new byte[] {0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    assertEquals(NoiseException.Reason.MALFORMED, failure(p.clientDone).reason());
    p.close();
  }

  @Test
  void handshakeTimesOut() {
    Pair p = new Pair();
    drainOutbound(p.client);
    p.client.advanceTimeBy(16, TimeUnit.SECONDS);
    p.client.runScheduledPendingTasks();
    assertEquals(NoiseException.Reason.TIMEOUT, failure(p.clientDone).reason());
    assertFalse(p.client.isOpen());
    p.close();
  }

  @Test
  void channelCloseDuringHandshakeFails() {
    Pair p = new Pair();
    p.server.close();
    assertEquals(NoiseException.Reason.CLOSED, failure(p.serverDone).reason());
    p.close();
  }

  @Test
  void earlyMuxerNegotiationMatchesGo() {
    List<String> yamux = List.of("/yamux/1.0.0");
    Pair both = new Pair(config(ALICE, 1, yamux), config(BOB, 2, yamux), BOB.peerId());
    both.pump();
    assertEquals("/yamux/1.0.0", both.clientDone.join().earlyMuxer().orElseThrow());
    assertEquals("/yamux/1.0.0", both.serverDone.join().earlyMuxer().orElseThrow());
    both.close();
    Pair onlyServer = new Pair(config(ALICE, 1, List.of()), config(BOB, 2, yamux), BOB.peerId());
    onlyServer.pump();
    assertTrue(onlyServer.clientDone.join().earlyMuxer().isEmpty());
    assertEquals(yamux, onlyServer.clientDone.join().remoteMuxers());
    assertTrue(onlyServer.serverDone.join().earlyMuxer().isEmpty());
    onlyServer.close();
    assertEquals(
        "/b", NoiseHandshakeHandler.matchMuxers(List.of("/a", "/b", "/c"), List.of("/c", "/b")));
    assertNull(NoiseHandshakeHandler.matchMuxers(List.of("/a"), List.of()));
  }

  @Test
  void nextHandlerSeesTheSessionAndTheFutureCompletesAfterInstallation() {
    List<NoiseSession> seen = new ArrayList<>();
    ByteCollector app = new ByteCollector();
    CompletableFuture<NoiseSession> f = new CompletableFuture<>();
    EmbeddedChannel server =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(
                config(BOB, 2, List.of()),
                false,
                null,
                s -> {
                  seen.add(s);
                  return (ChannelHandler) app;
                },
                f));
    CompletableFuture<NoiseSession> cf = new CompletableFuture<>();
    EmbeddedChannel client =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(config(ALICE, 1, List.of()), true, null, s -> null, cf));
    for (int i = 0; i < 4; i++) {
      Buffers.shuttle(client, server);
      Buffers.shuttle(server, client);
    }
    assertEquals(List.of(f.join()), seen);
    assertTrue(cf.isDone());
    assertFalse(client.finishAndReleaseAll());
    assertFalse(server.finishAndReleaseAll());
  }

  @Test
  void nonceExhaustionOnWriteFailsTheWriteAndClosesTheChannel() {
    CipherState enc = CipherState.withKey(Aead.DEFAULT, new byte[32]);
    CipherState dec = CipherState.withKey(Aead.DEFAULT, new byte[32]);
    enc.setNonce(-1L);
    EmbeddedChannel ch = new EmbeddedChannel(new NoiseTransportCodec(enc, dec));
    ByteBuf msg = Unpooled.wrappedBuffer(new byte[] {1});
    EncoderException e = assertThrows(EncoderException.class, () -> ch.writeOutbound(msg));
    assertInstanceOf(NoiseException.class, e.getCause());
    assertEquals(0, msg.refCnt());
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }

  /** Runs our initiator against a hand-driven responder that sends {@code payload} in message 2. */
  static NoiseException initiatorFailureWithResponderPayload(
      java.util.function.Function<byte[], byte[]> payloadForStatic) {
    CompletableFuture<NoiseSession> f = new CompletableFuture<>();
    EmbeddedChannel client =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(config(ALICE, 1, List.of()), true, null, s -> null, f));
    byte[] m1 = drainOutbound(client);
    byte[] staticKey = HandshakeState.generatePrivateKey(random(9));
    HandshakeState fake = new HandshakeState(false, staticKey, random(10), Aead.DEFAULT);
    fake.readMessage(java.util.Arrays.copyOfRange(m1, 2, m1.length));
    byte[] m2 = fake.writeMessage(payloadForStatic.apply(fake.localStatic()));
    client.writeInbound(
        Unpooled.wrappedBuffer(
            Buffers.concat(new byte[] {(byte) (m2.length >> 8), (byte) m2.length}, m2)));
    NoiseException e = failure(f);
    assertFalse(client.isOpen());
    drainOutbound(client);
    client.finishAndReleaseAll();
    return e;
  }

  static byte[] payload(byte[] identityKey, byte[] sig) {
    return io.headersync.libp2p.internal.pb.NoiseProto.NoiseHandshakePayload.newBuilder()
        .setIdentityKey(com.google.protobuf.ByteString.copyFrom(identityKey))
        .setIdentitySig(com.google.protobuf.ByteString.copyFrom(sig))
        .build()
        .toByteArray();
  }

  @Test
  void rejectsASignatureOverAnotherStaticKey() {
    NoiseException e =
        initiatorFailureWithResponderPayload(
            st ->
                payload(
                    BOB.publicKey().bytes(),
                    BOB.sign(
                        NoiseHandshakeHandler.concat(
                            NoiseHandshakeHandler.SIG_PREFIX, new byte[32]))));
    assertEquals(NoiseException.Reason.BAD_PAYLOAD, e.reason());
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
  }

  @Test
  void rejectsASignatureWithoutThePrefix() {
    NoiseException e =
        initiatorFailureWithResponderPayload(st -> payload(BOB.publicKey().bytes(), BOB.sign(st)));
    assertEquals(NoiseException.Reason.BAD_PAYLOAD, e.reason());
  }

  @Test
  void acceptsAHandDrivenResponderWithACorrectPayload() {
    CompletableFuture<NoiseSession> f = new CompletableFuture<>();
    EmbeddedChannel client =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(
                config(ALICE, 1, List.of()), true, BOB.peerId(), s -> null, f));
    byte[] m1 = drainOutbound(client);
    HandshakeState fake =
        new HandshakeState(
            false, HandshakeState.generatePrivateKey(random(9)), random(10), Aead.DEFAULT);
    fake.readMessage(java.util.Arrays.copyOfRange(m1, 2, m1.length));
    byte[] m2 =
        fake.writeMessage(
            payload(
                BOB.publicKey().bytes(),
                BOB.sign(
                    NoiseHandshakeHandler.concat(
                        NoiseHandshakeHandler.SIG_PREFIX, fake.localStatic()))));
    client.writeInbound(
        Unpooled.wrappedBuffer(
            Buffers.concat(new byte[] {(byte) (m2.length >> 8), (byte) m2.length}, m2)));
    assertEquals(BOB.peerId(), f.join().remotePeer());
    drainOutbound(client);
    assertFalse(client.finishAndReleaseAll());
  }

  @Test
  void rejectsAnUnparsableIdentityKeyOrPayload() {
    assertEquals(
        NoiseException.Reason.BAD_PAYLOAD,
        initiatorFailureWithResponderPayload(
                st -> payload(new byte[] {8, 1, 18, 1, 0}, new byte[64]))
            .reason());
    assertEquals(
        NoiseException.Reason.BAD_PAYLOAD,
        initiatorFailureWithResponderPayload(st -> new byte[] {(byte) 0xff, (byte) 0xff}).reason());
    assertEquals(
        NoiseException.Reason.BAD_PAYLOAD,
        initiatorFailureWithResponderPayload(st -> new byte[0]).reason());
  }

  @Test
  void message3AndTransportDataSplitAtEveryPosition() {
    Pair ref = new Pair();
    ref.server.writeInbound(Unpooled.wrappedBuffer(drainOutbound(ref.client)));
    ref.client.writeInbound(Unpooled.wrappedBuffer(drainOutbound(ref.server)));
    byte[] m3 = drainOutbound(ref.client);
    ref.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    ref.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {4}));
    byte[] both = Buffers.concat(m3, drainOutbound(ref.client));
    ref.close();
    for (int at = 0; at <= both.length; at++) {
      Pair p = new Pair();
      p.server.writeInbound(Unpooled.wrappedBuffer(drainOutbound(p.client)));
      drainOutbound(p.server);
      Buffers.writeSplit(p.server, both, at);
      assertEquals(ALICE.peerId(), p.serverDone.join().remotePeer(), "split " + at);
      assertArrayEquals(new byte[] {1, 2, 3, 4}, p.serverApp.bytes(), "split " + at);
      p.close();
    }
  }

  /** A transport codec pair with fixed keys: what A encrypts, B decrypts. */
  static EmbeddedChannel[] codecPair(ByteCollector bApp) {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    k2[0] = 1;
    EmbeddedChannel a =
        new EmbeddedChannel(
            new NoiseTransportCodec(
                CipherState.withKey(Aead.DEFAULT, k1), CipherState.withKey(Aead.DEFAULT, k2)));
    EmbeddedChannel b =
        new EmbeddedChannel(
            new NoiseTransportCodec(
                CipherState.withKey(Aead.DEFAULT, k2), CipherState.withKey(Aead.DEFAULT, k1)),
            bApp);
    return new EmbeddedChannel[] {a, b};
  }

  @Test
  void transportFramesSplitAtEveryPosition() {
    EmbeddedChannel[] ref = codecPair(new ByteCollector());
    byte[][] sent = {{1}, new byte[300], {}, {9, 9}};
    for (byte[] m : sent) {
      ref[0].writeAndFlush(Unpooled.wrappedBuffer(m));
    }
    byte[] wire = drainOutbound(ref[0]);
    assertFalse(ref[0].finishAndReleaseAll());
    assertFalse(ref[1].finishAndReleaseAll());
    for (int at = 0; at <= wire.length; at++) {
      ByteCollector app = new ByteCollector();
      EmbeddedChannel[] p = codecPair(app);
      Buffers.writeSplit(p[1], wire, at);
      assertEquals(303, app.bytes().length, "split " + at);
      assertEquals(3, app.reads, "split " + at);
      assertFalse(p[0].finishAndReleaseAll());
      assertFalse(p[1].finishAndReleaseAll());
    }
  }
}
