package io.headersync.libp2p.pubsub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.GossipSubParams;
import io.headersync.libp2p.pubsub.PeerScoreParams;
import io.headersync.libp2p.pubsub.PeerScoreThresholds;
import io.headersync.libp2p.pubsub.TopicScoreParams;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The score formula, term by term, against values worked out by hand from Go's {@code score.go}.
 */
class PeerScoreTest {
  static final String TOPIC = "t";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private int ids;

  static PeerId peer(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    return PrivateKey.ed25519FromSeed(seed).peerId();
  }

  ByteString id() {
    return ByteString.copyFromUtf8("m" + ids++);
  }

  PeerScore score(TopicScoreParams topic, PeerScoreParams.Builder b) {
    return new PeerScore(b.topic(TOPIC, topic).build(), clock, 120_000);
  }

  /** Advances the clock by {@code seconds} decay intervals, refreshing after each. */
  void tick(PeerScore s, int seconds) {
    for (int i = 0; i < seconds; i++) {
      clock.advance(Duration.ofSeconds(1));
      s.refresh();
    }
  }

  @Test
  void timeInMeshCountsQuantaUpToTheCap() {
    PeerScore s =
        score(
            TopicScoreParams.builder()
                .topicWeight(0.5)
                .timeInMesh(2, Duration.ofSeconds(1), 10)
                .build(),
            PeerScoreParams.builder());
    PeerId p = peer(1);
    s.addPeer(p, null);
    s.graft(p, TOPIC);
    tick(s, 3);
    assertEquals(0.5 * 2 * 3, s.score(p), 1e-9);
    tick(s, 20);
    assertEquals(0.5 * 2 * 10, s.score(p), 1e-9, "capped at 10 quanta");
    s.prune(p, TOPIC);
    assertEquals(0, s.score(p), 1e-9);
  }

  @Test
  void firstDeliveriesAreCappedAndDecay() {
    PeerScore s =
        score(
            TopicScoreParams.builder().topicWeight(1).firstMessageDeliveries(1, 0.5, 3).build(),
            PeerScoreParams.builder());
    PeerId p = peer(1);
    PeerId q = peer(2);
    s.addPeer(p, null);
    s.addPeer(q, null);
    for (int i = 0; i < 5; i++) {
      ByteString m = id();
      s.validating(p, m);
      s.duplicate(q, m, TOPIC);
      s.deliver(p, m, TOPIC);
    }
    assertEquals(3, s.score(p), 1e-9, "capped");
    assertEquals(0, s.score(q), 1e-9, "duplicates are not first deliveries");
    tick(s, 1);
    assertEquals(1.5, s.score(p), 1e-9);
    tick(s, 8);
    assertEquals(0, s.score(p), 1e-9, "under decayToZero: 0");
  }

  @Test
  void meshDeliveryDeficitIsSquaredAfterActivationAndStickyOnPrune() {
    TopicScoreParams tp =
        TopicScoreParams.builder()
            .topicWeight(1)
            .meshMessageDeliveries(-1, 0.5, 10, 4, Duration.ofMillis(10), Duration.ofSeconds(2))
            .meshFailurePenalty(-2, 0.5)
            .build();
    PeerScore s = score(tp, PeerScoreParams.builder());
    PeerId p = peer(1);
    s.addPeer(p, null);
    s.graft(p, TOPIC);
    ByteString m = id();
    s.validating(p, m);
    s.deliver(p, m, TOPIC);
    tick(s, 2);
    assertEquals(0, s.score(p), 1e-9, "not active before 2 s in the mesh");
    tick(s, 1); // active; deliveries decayed 1 -> 0.125
    double deficit = 4 - 0.125;
    assertEquals(-deficit * deficit, s.score(p), 1e-9);
    s.prune(p, TOPIC); // P3b keeps the deficit squared, weight -2
    assertEquals(-2 * deficit * deficit, s.score(p), 1e-9);
  }

  @Test
  void invalidDeliveriesAreSquaredAndHitPeersThatForwardedTheSameMessage() {
    PeerScore s =
        score(
            TopicScoreParams.builder()
                .topicWeight(0.1)
                .invalidMessageDeliveries(-1000, 0.9)
                .build(),
            PeerScoreParams.builder());
    PeerId p = peer(1);
    PeerId q = peer(2);
    s.addPeer(p, null);
    s.addPeer(q, null);
    ByteString m1 = id();
    s.validating(p, m1);
    s.duplicate(q, m1, TOPIC); // arrived while the first copy was being validated
    s.reject(p, m1, TOPIC);
    ByteString m2 = id();
    s.validating(p, m2);
    s.reject(p, m2, TOPIC);
    assertEquals(-1000 * 4 * 0.1, s.score(p), 1e-9);
    assertEquals(-1000 * 1 * 0.1, s.score(q), 1e-9);
    s.duplicate(q, m2, TOPIC); // a copy of a known-invalid message after validation: P4 too
    assertEquals(-1000 * 4 * 0.1, s.score(q), 1e-9);
    tick(s, 1);
    assertEquals(-1000 * (1.8 * 1.8) * 0.1, s.score(p), 1e-6);
  }

  @Test
  void ignoredMessagesCostNothing() {
    PeerScore s = score(TopicScoreParams.goHeaderDefaults(), PeerScoreParams.builder());
    PeerId p = peer(1);
    s.addPeer(p, null);
    ByteString m = id();
    s.validating(p, m);
    s.ignore(m);
    s.duplicate(peer(2), m, TOPIC);
    assertEquals(0, s.score(p), 1e-9);
  }

  @Test
  void appSpecificColocationAndBehaviourTermsAndTheTopicCap() {
    PeerId p = peer(1);
    PeerScore s =
        score(
            TopicScoreParams.builder().topicWeight(1).firstMessageDeliveries(10, 0.5, 100).build(),
            PeerScoreParams.builder()
                .topicScoreCap(15)
                .appSpecific(x -> x.equals(p) ? 3 : 0, 2)
                .ipColocationFactor(-5, 2)
                .behaviourPenalty(-1, 1, 0.5));
    s.addPeer(p, "10.0.0.1");
    for (int i = 0; i < 2; i++) {
      ByteString m = id();
      s.validating(p, m);
      s.deliver(p, m, TOPIC);
    }
    assertEquals(15 + 6, s.score(p), 1e-9, "topic score 20 capped at 15, plus P5 3*2");
    s.addPeer(peer(2), "10.0.0.1");
    s.addPeer(peer(3), "10.0.0.1");
    s.addPeer(peer(4), "10.0.0.1"); // 4 peers on one IP, threshold 2: surplus 2, squared 4
    assertEquals(15 + 6 - 5 * 4, s.score(p), 1e-9);
    s.addPenalty(p, 3); // excess over 1 is 2, squared 4
    assertEquals(15 + 6 - 20 - 4, s.score(p), 1e-9);
  }

  @Test
  void negativeScoresAreRetainedAfterDisconnectPositiveOnesNot() {
    PeerScore s =
        score(
            TopicScoreParams.goHeaderDefaults(),
            PeerScoreParams.builder()
                .behaviourPenalty(-10, 0, 0.9)
                .retainScore(Duration.ofSeconds(30)));
    PeerId bad = peer(1);
    PeerId good = peer(2);
    s.addPeer(bad, null);
    s.addPeer(good, null);
    s.addPenalty(bad, 1);
    ByteString m = id();
    s.validating(good, m);
    s.deliver(good, m, TOPIC);
    s.removePeer(bad);
    s.removePeer(good);
    assertEquals(-10, s.score(bad), 1e-9, "kept, not decayed while away");
    assertEquals(0, s.score(good), 1e-9);
    tick(s, 10);
    s.addPeer(bad, null);
    assertEquals(-10, s.score(bad), 1e-9, "reconnecting does not wash it");
    s.removePeer(bad);
    tick(s, 31);
    assertEquals(0, s.score(bad), 1e-9, "forgotten after the retention time");
    assertEquals(0, s.trackedPeers());
  }

  @Test
  void goHeaderDefaultsAndCelestiaThresholdsAreTheDocumentedValues() {
    TopicScoreParams t = TopicScoreParams.goHeaderDefaults();
    assertEquals(0.1, t.topicWeight());
    assertEquals(0.0002778, t.timeInMeshWeight());
    assertEquals(Duration.ofSeconds(1), t.timeInMeshQuantum());
    assertEquals(1, t.timeInMeshCap());
    assertEquals(5, t.firstMessageDeliveriesWeight());
    assertEquals(100, t.firstMessageDeliveriesCap());
    assertEquals(-1000, t.invalidMessageDeliveriesWeight());
    // Go: ScoreParameterDecay(time.Hour) = 0.01^(1/3600)
    assertEquals(Math.pow(0.01, 1.0 / 3600), t.firstMessageDeliveriesDecay(), 1e-15);
    assertEquals(Math.pow(0.01, 1.0 / 3600), t.invalidMessageDeliveriesDecay(), 1e-15);
    assertEquals(0, t.meshMessageDeliveriesWeight());
    assertEquals(0, t.meshFailurePenaltyWeight());
    assertEquals(
        new PeerScoreThresholds(-1000, -2000, -8000, 1000, 5), PeerScoreThresholds.CELESTIA);
    PeerScoreParams p = PeerScoreParams.forHeaderTopic("/x/header-sub/v0.0.1");
    assertEquals(t, p.topics().get("/x/header-sub/v0.0.1"));
  }

  @Test
  void parametersBreakingGoRulesAreRejectedWithTheirName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new PeerScoreThresholds(-1, -2, -1, 0, 0));
    assertTrue(e.getMessage().contains("graylist"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TopicScoreParams.builder().invalidMessageDeliveries(1000, 0.5).build());
    assertTrue(e.getMessage().contains("invalidMessageDeliveriesWeight"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GossipSubParams.builder().degrees(6, 7, 12, 4, 2, 6).build());
    assertTrue(e.getMessage().contains("Dlo"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GossipSubParams.builder().protocols(List.of("/meshsub/1.3.0")).build());
    assertTrue(e.getMessage().contains("/meshsub/1.3.0"), e.getMessage());
    GossipSubParams d = GossipSubParams.defaults();
    assertEquals(
        List.of(6, 5, 12, 4, 2, 6),
        List.of(d.d(), d.dlo(), d.dhi(), d.dscore(), d.dout(), d.dlazy()));
    assertEquals(Duration.ofSeconds(1), d.heartbeatInterval());
    assertEquals(Duration.ofMillis(100), d.heartbeatInitialDelay());
    assertEquals(false, d.floodPublish(), "Go v0.16.0: off unless WithFloodPublish(true)");
    assertEquals(false, d.peerExchange());
  }
}
