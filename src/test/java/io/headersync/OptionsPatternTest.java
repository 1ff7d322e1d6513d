package io.headersync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.ServerOptions;
import io.headersync.libp2p.ConnectionManager;
import io.headersync.libp2p.HostLimits;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.DhtOptions;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.pubsub.GossipSubParams;
import io.headersync.libp2p.pubsub.PeerScoreParams;
import io.headersync.libp2p.pubsub.TopicScoreParams;
import io.headersync.service.P2PConfig;
import io.headersync.store.StoreOptions;
import io.headersync.sync.SyncerOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The one options pattern (docs/architecture.md, "Options"): every public options class has a
 * builder, {@code toBuilder()} that keeps every setting, {@code defaults()}, and validation naming
 * the setting; gossipsub's defaults are go-libp2p-pubsub v0.16.0's, value for value.
 */
class OptionsPatternTest {
  /** Every public no-argument accessor of {@code o}, by name. */
  private static Map<String, Object> settings(Object o) throws Exception {
    Map<String, Object> out = new TreeMap<>();
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() == 0
          && !Modifier.isStatic(m.getModifiers())
          && m.getDeclaringClass() == o.getClass()
          && !List.of("toBuilder", "hashCode", "toString").contains(m.getName())) {
        out.put(m.getName(), m.invoke(o));
      }
    }
    return out;
  }

  private static void assertRoundTrips(Object options, Object rebuilt) throws Exception {
    Map<String, Object> settings = settings(options);
    assertFalse(settings.isEmpty(), options.getClass().getName());
    assertEquals(settings, settings(rebuilt), options.getClass().getName());
  }

  @Test
  void toBuilderKeepsEverySetting() throws Exception {
    assertRoundTrips(ExchangeOptions.defaults(), ExchangeOptions.defaults().toBuilder().build());
    ExchangeOptions ex =
        ExchangeOptions.builder().perPeerDepth(3).chunkSize(10).maxRangeToList(7).build();
    assertRoundTrips(ex, ex.toBuilder().build());
    ServerOptions so = ServerOptions.builder().maxConcurrent(9).build();
    assertRoundTrips(so, so.toBuilder().build());
    StoreOptions st = StoreOptions.builder().maxWaiters(3).build();
    assertRoundTrips(st, st.toBuilder().build());
    SyncerOptions sy = SyncerOptions.builder(Duration.ofSeconds(2)).maxPendingHeaders(100).build();
    assertRoundTrips(sy, sy.toBuilder().build());
    HostLimits hl = HostLimits.builder().maxConnections(12).build();
    assertRoundTrips(hl, hl.toBuilder().build());
    DhtOptions dht = DhtOptions.builder().bucketSize(7).build();
    assertRoundTrips(dht, dht.toBuilder().build());
    DiscoveryOptions disc = DiscoveryOptions.builder().namespace("ns").watermarks(1, 2).build();
    assertRoundTrips(disc, disc.toBuilder().build());
    assertEquals("other", disc.withNamespace("other").namespace().orElseThrow());
    P2PConfig p2p =
        P2PConfig.builder()
            .identity(PrivateKey.ed25519FromSeed(new byte[32]))
            .maxPubsubMessageSize(4096)
            .discovery(disc)
            .build();
    assertRoundTrips(p2p, p2p.toBuilder().build());
    ConnectionManager.Options cm = ConnectionManager.Options.builder().watermarks(3, 4).build();
    assertEquals(cm, cm.toBuilder().build());
    assertRoundTrips(cm, cm.toBuilder().build());

    GossipSubParams g =
        GossipSubParams.builder().d(7).dhi(13).floodPublish(true).maxPxPeers(3).build();
    assertEquals(g, g.toBuilder().build());
    assertRoundTrips(g, g.toBuilder().build());
    assertNotEquals(g, GossipSubParams.defaults());
    TopicScoreParams t = TopicScoreParams.goHeaderDefaults();
    assertEquals(t, t.toBuilder().build());
    assertRoundTrips(t, t.toBuilder().build());
    PeerScoreParams p = PeerScoreParams.forHeaderTopic("/gm/header-sub/v0.0.1");
    assertEquals(p, p.toBuilder().build());
    assertRoundTrips(p, p.toBuilder().build());
    assertEquals(2, p.toBuilder().topic("other", t).build().topics().size());
    assertEquals(1, p.topics().size());
  }

  @Test
  void gossipSubDefaultsAreGoLibp2pPubsubs() {
    GossipSubParams d = GossipSubParams.defaults();
    assertEquals(
        List.of("/meshsub/1.2.0", "/meshsub/1.1.0", "/meshsub/1.0.0", "/floodsub/1.0.0"),
        d.protocols());
    assertEquals(
        List.of(6, 5, 12, 4, 2, 6),
        List.of(d.d(), d.dlo(), d.dhi(), d.dscore(), d.dout(), d.dlazy()));
    assertEquals(5, d.historyLength());
    assertEquals(3, d.historyGossip());
    assertEquals(0.25, d.gossipFactor());
    assertEquals(3, d.gossipRetransmission());
    assertEquals(Duration.ofMillis(100), d.heartbeatInitialDelay());
    assertEquals(Duration.ofSeconds(1), d.heartbeatInterval());
    assertEquals(Duration.ofSeconds(60), d.fanoutTtl());
    assertEquals(16, d.prunePeers());
    assertEquals(Duration.ofMinutes(1), d.pruneBackoff());
    assertEquals(Duration.ofSeconds(10), d.unsubscribeBackoff());
    assertEquals(60, d.opportunisticGraftTicks());
    assertEquals(2, d.opportunisticGraftPeers());
    assertEquals(Duration.ofSeconds(10), d.graftFloodThreshold());
    assertEquals(5000, d.maxIHaveLength());
    assertEquals(10, d.maxIHaveMessages());
    assertEquals(Duration.ofSeconds(3), d.iwantFollowupTime());
    assertEquals(10, d.maxIDontWantLength());
    assertEquals(1000, d.maxIDontWantMessages());
    assertEquals(1024, d.idontwantMessageThreshold());
    assertEquals(3, d.idontwantTtlHeartbeats());
    assertFalse(d.floodPublish());
    assertFalse(d.peerExchange());
    assertEquals(16_384, d.maxCachedMessages());
    assertEquals(65_536, d.maxBackoffEntries());
    assertEquals(16, d.maxPxPeers());
    assertEquals(d, GossipSubParams.builder().build());
    assertEquals(d.hashCode(), GossipSubParams.builder().build().hashCode());
    assertTrue(d.toString().contains("dhi=12"), d.toString());
  }

  @Test
  void buildNamesTheSettingThatIsOutOfRange() {
    assertMessage("maxIHaveMessages", () -> GossipSubParams.builder().maxIHaveMessages(0).build());
    assertMessage(
        "opportunisticGraftPeers",
        () -> GossipSubParams.builder().opportunisticGraftPeers(-1).build());
    assertMessage(
        "maxBackoffEntries", () -> GossipSubParams.builder().maxBackoffEntries(0).build());
    assertMessage("Dout", () -> GossipSubParams.builder().dout(5).build());
    assertMessage("protocols", () -> GossipSubParams.builder().protocols(List.of("/x/1")).build());
    assertMessage(
        "heartbeatInterval",
        () -> GossipSubParams.builder().heartbeatInterval(Duration.ZERO).build());
    assertMessage(
        "invalidMessageDeliveriesDecay",
        () -> TopicScoreParams.builder().invalidMessageDeliveries(-1, 2).build());
    assertMessage(
        "decayInterval",
        () -> PeerScoreParams.builder().decayInterval(Duration.ofMillis(10)).build());
    assertMessage(
        "silencePeriod",
        () -> ConnectionManager.Options.builder().silencePeriod(Duration.ZERO).build());
    assertThrows(NullPointerException.class, () -> GossipSubParams.builder().fanoutTtl(null));
  }

  private static void assertMessage(
      String setting, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(setting), e.getMessage());
  }
}
