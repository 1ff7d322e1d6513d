package io.headersync.libp2p.internal;

import static io.headersync.libp2p.internal.Buffers.concat;
import static io.headersync.libp2p.internal.Buffers.drainOutbound;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.internal.multistream.MultistreamCodec;
import io.headersync.libp2p.internal.multistream.MultistreamInitiator;
import io.headersync.libp2p.internal.multistream.MultistreamResponder;
import io.headersync.libp2p.internal.noise.Aead;
import io.headersync.libp2p.internal.noise.NoiseConfig;
import io.headersync.libp2p.internal.noise.NoiseHandshakeHandler;
import io.headersync.libp2p.internal.noise.NoiseSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.util.test.FixedSecureRandom;
import org.junit.jupiter.api.Test;

/**
 * The security upgrade as go-libp2p runs it: multistream over the raw connection (the dialer
 * proposes {@code /tls/1.0.0} first, we answer {@code na}, then {@code /noise}), the Noise
 * handshake, then multistream for the muxer over the encrypted channel — with the dialer's muxer
 * proposal arriving in the same read as Noise message 3, as Go's dialer sends it.
 */
class SecurityUpgradeTest {
  static final Duration T = Duration.ofSeconds(10);

  static NoiseConfig cfg(PrivateKey id, int seed) {
    byte[] stream = new byte[4096];
    new Random(seed).nextBytes(stream);
    return new NoiseConfig(id, new FixedSecureRandom(stream), T, List.of(), Aead.DEFAULT);
  }

  static byte[] ms(String... tokens) {
    ByteBuf b = MultistreamCodec.encode(ByteBufAllocator.DEFAULT, tokens);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  @Test
  void goStyleDialerUpgradesThroughTlsNaNoiseAndMuxerMultistream() {
    PrivateKey dialerId = TestKeys.key(1);
    PrivateKey listenerId = TestKeys.key(2);

    // Listener: multistream(/noise) -> Noise responder -> multistream(/yamux/1.0.0) -> app
    ByteCollector listenerMuxer = new ByteCollector();
    CompletableFuture<String> lSec = new CompletableFuture<>();
    CompletableFuture<NoiseSession> lNoise = new CompletableFuture<>();
    CompletableFuture<String> lMux = new CompletableFuture<>();
    EmbeddedChannel listener =
        new EmbeddedChannel(
            new MultistreamResponder(
                p ->
                    p.equals(NoiseConfig.PROTOCOL_ID)
                        ? new NoiseHandshakeHandler(
                            cfg(listenerId, 2),
                            false,
                            null,
                            s ->
                                new MultistreamResponder(
                                    m -> m.equals("/yamux/1.0.0") ? listenerMuxer : null, T, lMux),
                            lNoise)
                        : null,
                T,
                lSec));

    // Dialer: multistream([/tls/1.0.0, /noise]) -> Noise initiator -> (muxer bytes written by hand)
    ByteCollector dialerApp = new ByteCollector();
    CompletableFuture<String> dSec = new CompletableFuture<>();
    CompletableFuture<NoiseSession> dNoise = new CompletableFuture<>();
    CompletableFuture<String> dMux = new CompletableFuture<>();
    EmbeddedChannel dialer =
        new EmbeddedChannel(
            new MultistreamInitiator(
                List.of("/tls/1.0.0", NoiseConfig.PROTOCOL_ID),
                p ->
                    new NoiseHandshakeHandler(
                        cfg(dialerId, 1),
                        true,
                        listenerId.peerId(),
                        s ->
                            new MultistreamInitiator(
                                List.of("/yamux/1.0.0"), m -> dialerApp, T, dMux),
                        dNoise),
                T,
                dSec));

    // Round trips until the dialer has written Noise message 3; hold that flight back and deliver
    // it together with what the dialer writes next (its muxer multistream proposal).
    for (int i = 0; i < 6 && !dNoise.isDone(); i++) {
      Buffers.shuttle(dialer, listener);
      Buffers.shuttle(listener, dialer);
    }
    assertEquals(NoiseConfig.PROTOCOL_ID, dSec.join());
    assertEquals(NoiseConfig.PROTOCOL_ID, lSec.join());
    assertEquals(listenerId.peerId(), dNoise.join().remotePeer());
    byte[] msg3AndMuxerProposal = drainOutbound(dialer);
    listener.writeInbound(Unpooled.wrappedBuffer(msg3AndMuxerProposal));
    assertEquals(dialerId.peerId(), lNoise.join().remotePeer());
    assertEquals("/yamux/1.0.0", lMux.join());
    Buffers.shuttle(listener, dialer);
    assertEquals("/yamux/1.0.0", dMux.join());

    // Application bytes flow encrypted both ways.
    dialer.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    Buffers.shuttle(dialer, listener);
    assertArrayEquals(new byte[] {1, 2, 3}, listenerMuxer.bytes());
    assertFalse(dialer.finishAndReleaseAll());
    assertFalse(listener.finishAndReleaseAll());
  }

  @Test
  void listenerWritesItsHeaderFirstAndAnswersNaToTls() {
    EmbeddedChannel listener =
        new EmbeddedChannel(
            new MultistreamResponder(
                p ->
                    p.equals(NoiseConfig.PROTOCOL_ID)
                        ? new NoiseHandshakeHandler(
                            cfg(TestKeys.key(2), 2),
                            false,
                            null,
                            s -> null,
                            new CompletableFuture<>())
                        : null,
                T,
                new CompletableFuture<>()));
    assertArrayEquals(ms("/multistream/1.0.0"), drainOutbound(listener));
    listener.writeInbound(Unpooled.wrappedBuffer(ms("/multistream/1.0.0", "/tls/1.0.0")));
    assertArrayEquals(ms("na"), drainOutbound(listener));
    listener.writeInbound(Unpooled.wrappedBuffer(ms("/noise")));
    assertArrayEquals(concat(ms("/noise")), drainOutbound(listener));
    listener.finishAndReleaseAll();
  }
}
