package io.headersync.libp2p.internal.noise;

import static io.headersync.libp2p.internal.Buffers.concat;
import static io.headersync.libp2p.internal.Buffers.drainOutbound;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.internal.ByteCollector;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.util.test.FixedSecureRandom;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact checks against a transcript computed by flynn/noise (the library go-libp2p uses), see
 * interop/noise-vectors.
 */
class NoiseVectorTest {
  static final NoiseVectors V = NoiseVectors.load("/vectors/noise/xx.json");

  static byte[] framed(byte[] msg) {
    return concat(new byte[] {(byte) (msg.length >>> 8), (byte) msg.length}, msg);
  }

  @Test
  void handshakeStateReproducesTheTranscript() {
    HandshakeState i =
        new HandshakeState(
            true,
            V.bytes("initiator_static_random"),
            new FixedSecureRandom(V.bytes("initiator_ephemeral_random")),
            Aead.DEFAULT);
    HandshakeState r =
        new HandshakeState(
            false,
            V.bytes("responder_static_random"),
            new FixedSecureRandom(V.bytes("responder_ephemeral_random")),
            Aead.DEFAULT);
    assertArrayEquals(V.bytes("initiator_static_public"), i.localStatic());
    assertArrayEquals(V.bytes("responder_static_public"), r.localStatic());

    byte[] m1 = i.writeMessage(new byte[0]);
    assertArrayEquals(V.bytes("msg1"), m1);
    assertEquals(0, r.readMessage(m1).length);
    byte[] m2 = r.writeMessage(V.bytes("payload2"));
    assertArrayEquals(V.bytes("msg2"), m2);
    assertArrayEquals(V.bytes("payload2"), i.readMessage(m2));
    byte[] m3 = i.writeMessage(V.bytes("payload3"));
    assertArrayEquals(V.bytes("msg3"), m3);
    assertArrayEquals(V.bytes("payload3"), r.readMessage(m3));
    assertTrue(i.isComplete() && r.isComplete());
    assertArrayEquals(V.bytes("handshake_hash"), i.handshakeHash());
    assertArrayEquals(V.bytes("handshake_hash"), r.handshakeHash());
    assertArrayEquals(V.bytes("responder_static_public"), i.remoteStatic());
    assertArrayEquals(V.bytes("initiator_static_public"), r.remoteStatic());

    CipherState[] ic = i.split();
    CipherState[] rc = r.split();
    byte[] none = new byte[0];
    assertArrayEquals(
        V.bytes("transport_i2r_0"), ic[0].encrypt(none, utf8("hello from the initiator")));
    assertArrayEquals(V.bytes("transport_i2r_1"), ic[0].encrypt(none, new byte[0]));
    assertArrayEquals(
        utf8("hello from the initiator"), rc[0].decrypt(none, V.bytes("transport_i2r_0")));
    assertArrayEquals(
        V.bytes("transport_r2i_0"), rc[1].encrypt(none, utf8("hello from the responder")));
  }

  @Test
  void responderHandlerProducesGoBytesAndAcceptsDataAfterMessage3() {
    PrivateKey id = PrivateKey.ed25519FromSeed(V.bytes("responder_identity_seed"));
    PrivateKey initiatorId = PrivateKey.ed25519FromSeed(V.bytes("initiator_identity_seed"));
    NoiseConfig cfg =
        new NoiseConfig(
            id,
            new FixedSecureRandom(
                concat(V.bytes("responder_static_random"), V.bytes("responder_ephemeral_random"))),
            Duration.ofSeconds(15),
            List.of("/yamux/1.0.0"),
            Aead.DEFAULT);
    ByteCollector app = new ByteCollector();
    CompletableFuture<NoiseSession> f = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(new NoiseHandshakeHandler(cfg, false, null, s -> app, f));
    assertEquals(0, drainOutbound(ch).length, "responder waits for message 1");
    ch.writeInbound(Unpooled.wrappedBuffer(framed(V.bytes("msg1"))));
    assertArrayEquals(framed(V.bytes("msg2")), drainOutbound(ch), "payload encoding matches Go's");
    ch.writeInbound(
        Unpooled.wrappedBuffer(
            concat(
                framed(V.bytes("msg3")),
                framed(V.bytes("transport_i2r_0")),
                framed(V.bytes("transport_i2r_1")))));
    NoiseSession s = f.join();
    assertEquals(initiatorId.peerId(), s.remotePeer());
    assertEquals("/yamux/1.0.0", s.earlyMuxer().orElseThrow());
    assertEquals(List.of("/yamux/1.0.0"), s.remoteMuxers());
    assertArrayEquals(V.bytes("handshake_hash"), s.handshakeHash());
    assertArrayEquals(utf8("hello from the initiator"), app.bytes());
    assertEquals(2, app.reads, "the empty transport message is delivered as an empty buffer");
    ch.writeAndFlush(Unpooled.wrappedBuffer(utf8("hello from the responder")));
    assertArrayEquals(framed(V.bytes("transport_r2i_0")), drainOutbound(ch));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void initiatorHandlerProducesGoBytes() {
    PrivateKey id = PrivateKey.ed25519FromSeed(V.bytes("initiator_identity_seed"));
    PrivateKey responderId = PrivateKey.ed25519FromSeed(V.bytes("responder_identity_seed"));
    NoiseConfig cfg =
        new NoiseConfig(
            id,
            new FixedSecureRandom(
                concat(V.bytes("initiator_static_random"), V.bytes("initiator_ephemeral_random"))),
            Duration.ofSeconds(15),
            List.of("/yamux/1.0.0"),
            Aead.DEFAULT);
    CompletableFuture<NoiseSession> f = new CompletableFuture<>();
    ByteCollector app = new ByteCollector();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(cfg, true, responderId.peerId(), s -> app, f));
    assertArrayEquals(framed(V.bytes("msg1")), drainOutbound(ch));
    ch.writeInbound(Unpooled.wrappedBuffer(framed(V.bytes("msg2"))));
    assertArrayEquals(framed(V.bytes("msg3")), drainOutbound(ch));
    NoiseSession s = f.join();
    assertEquals(responderId.peerId(), s.remotePeer());
    assertEquals("/yamux/1.0.0", s.earlyMuxer().orElseThrow());
    ch.writeInbound(Unpooled.wrappedBuffer(framed(V.bytes("transport_r2i_0"))));
    assertArrayEquals(utf8("hello from the responder"), app.bytes());
    assertFalse(ch.finishAndReleaseAll());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
