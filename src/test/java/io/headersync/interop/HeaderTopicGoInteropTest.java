package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.subscriber.HeaderSubscription;
import io.headersync.subscriber.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The header topic against go-header v0.8.6's {@code p2p.Subscriber} carrying ev-node {@code
 * P2PSignedHeader}s on go-libp2p-pubsub FloodSub (as ev-node runs it): Go receives, validates and
 * verifies the headers our {@link Subscriber} broadcasts, and ours receive Go's, both dial
 * directions, against the Go peer built with go-libp2p-pubsub v0.16.0 (go-header v0.8.6's pin) and
 * v0.17.0 (ev-node v1.2.3's pin).
 */
@Tag("interop")
class HeaderTopicGoInteropTest {
  enum Dial {
    JAVA_DIALS,
    GO_DIALS
  }

  static final long T = 60;
  static final String NETWORK = "gm-headerSync";
  static final String TOPIC = Subscriber.topic(NETWORK);

  private GoPeer go;
  private Host host;
  private PubSub pubsub;
  private Subscriber<P2PSignedHeader> subscriber;
  private PeerId goId;

  /**
   * Both Go builds (pubsub v0.16.0 as go-header pins, v0.17.0 as ev-node v1.2.3 pins), both dial
   * directions.
   */
  static Stream<Arguments> peers() {
    return Stream.of(
            GoPeer.Binary.DEFAULT, GoPeer.Binary.PUBSUB_V017) // the DHT builds speak no pubsub
        .flatMap(b -> Stream.of(Dial.values()).map(d -> Arguments.of(b, d)));
  }

  private void start(GoPeer.Binary binary) throws Exception {
    go = new GoPeer(binary, 9, "-network", NETWORK, "-chain-id", "gm");
    assertEquals(TOPIC, GoPeer.string(go.ok("\"cmd\":\"hsub-start\"", T), "topic"));
    byte[] seed = new byte[32];
    new Random(43).nextBytes(seed);
    PrivateKey key = PrivateKey.ed25519FromSeed(seed);
    host = Host.builder(key).listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build();
    pubsub = PubSub.builder(host, key).maxMessageSize(PubSub.EVNODE_MAX_MESSAGE_SIZE).build();
    pubsub.start().get(T, TimeUnit.SECONDS);
    subscriber = new Subscriber<>(pubsub, EvNodeTypes.P2P_SIGNED_HEADER, TOPIC, Clock.systemUTC());
    subscriber.start();
    subscriber.setVerifier(h -> CompletableFuture.completedFuture(null));
    host.start().get(T, TimeUnit.SECONDS);
    goId = PeerId.parse(go.peerId());
  }

  @AfterEach
  void stop() throws Exception {
    if (go == null) {
      return;
    }
    try {
      subscriber.close();
      pubsub.close();
      host.close();
    } finally {
      go.close();
    }
    String bad =
        go.stderr()
            .lines()
            .filter(l -> HostGoInteropTest.PROTOCOL_ERROR.matcher(l).find())
            .reduce("", (a, b) -> a + b + "\n");
    assertEquals("", bad, "go-libp2p logged protocol errors; its whole stderr:\n" + go.stderr());
  }

  private HeaderSubscription<P2PSignedHeader> connect(Dial dial) throws Exception {
    HeaderSubscription<P2PSignedHeader> sub = subscriber.subscribe();
    if (dial == Dial.JAVA_DIALS) {
      assertEquals(goId, host.connect(Multiaddr.parse(go.tcpAddress())).get(T, TimeUnit.SECONDS));
    } else {
      go.ok("\"cmd\":\"connect\",\"addr\":\"" + host.listenAddresses().get(0) + "\"", T);
    }
    pubsub.awaitPeer(TOPIC, goId).get(T, TimeUnit.SECONDS);
    go.ok("\"cmd\":\"hsub-wait-peer\",\"peer\":\"" + host.peerId() + "\"", T);
    return sub;
  }

  static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), "no " + field + " in " + json);
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest
  @MethodSource("peers")
  void goSubscriberReceivesOurBroadcasts(GoPeer.Binary binary, Dial dial) throws Exception {
    start(binary);
    connect(dial);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(5)))
            .chainId("gm")
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .blockTime(Duration.ofSeconds(1))
            .build();
    List<Block> blocks = signer.chain(10);
    for (Block b : blocks) {
      P2PSignedHeader h = b.p2pHeader();
      subscriber.broadcast(h).get(T, TimeUnit.SECONDS);
      String got = go.ok("\"cmd\":\"hsub-next\",\"millis\":30000", T);
      assertEquals(h.height(), number(got, "height"), got);
      assertEquals(
          h.hash().toString().toUpperCase(), GoPeer.string(got, "hash").toUpperCase(), got);
      assertEquals("gm", GoPeer.string(got, "chainId"), got);
    }
    assertEquals(
        10,
        number(go.ok("\"cmd\":\"hsub-verified\"", T), "count"),
        "Go's verifier saw every header");
    assertEquals(10, subscriber.metrics().accepted(), "our validator accepted our own broadcasts");
  }

  @ParameterizedTest
  @MethodSource("peers")
  void ourSubscriberReceivesGoBroadcasts(GoPeer.Binary binary, Dial dial) throws Exception {
    start(binary);
    HeaderSubscription<P2PSignedHeader> sub = connect(dial);
    go.ok("\"cmd\":\"gen\",\"count\":10,\"seed\":3", T);
    for (long height = 1; height <= 10; height++) {
      String sent = go.ok("\"cmd\":\"hsub-broadcast\",\"height\":" + height, T);
      P2PSignedHeader h = sub.next().get(T, TimeUnit.SECONDS);
      assertEquals(height, h.height());
      assertEquals(GoPeer.string(sent, "hash").toUpperCase(), h.hash().toString().toUpperCase());
      h.verifySignature(); // Go's signature checks out with our Go-exact Ed25519
    }
    assertEquals(10, subscriber.metrics().accepted());
    assertEquals(0, subscriber.metrics().rejected() + subscriber.metrics().ignored());
  }
}
