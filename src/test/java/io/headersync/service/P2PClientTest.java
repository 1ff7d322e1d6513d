package io.headersync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.Dht;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.pubsub.RouterKind;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class P2PClientTest {
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<P2PClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(P2PClient::close);
    network.close();
  }

  static PrivateKey key(long seed) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    return PrivateKey.ed25519FromSeed(s);
  }

  P2PClient client(P2PConfig.Builder config, ManualScheduler scheduler) {
    // FloodSub: no heartbeat timers, so the scheduler holds only the client's own timers.
    P2PClient c =
        P2PClient.create(
            config.inMemory(network).router(RouterKind.FLOODSUB).build(),
            NetworkProfile.SEED.maxPubsubMessageSize(),
            scheduler,
            null,
            Clock.systemUTC());
    clients.add(c);
    return c;
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static CompletableFuture<PeerId> connectedTo(P2PClient c) {
    CompletableFuture<PeerId> f = new CompletableFuture<>();
    c.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
                f.complete(peer);
              }
            });
    return f;
  }

  @Test
  void dialsSeedsAndRedialsThemWithBackoff() throws Exception {
    ManualScheduler scheduler =
        new ManualScheduler(new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
    P2PClient seed = client(P2PConfig.builder().identity(key(1)), scheduler);
    get(seed.start());
    P2PClient node =
        client(
            P2PConfig.builder()
                .identity(key(2))
                .seed(seed.addresses().get(0))
                .seedRedial(Duration.ofSeconds(1), Duration.ofSeconds(4)),
            scheduler);
    assertEquals(List.of(seed.host().peerId()), node.seedPeers());
    CompletableFuture<PeerId> first = connectedTo(seed);
    get(node.start());
    assertEquals(node.host().peerId(), get(first), "the seed was dialled at start");

    CompletableFuture<PeerId> again = connectedTo(seed);
    CompletableFuture<PeerId> lost = new CompletableFuture<>();
    node.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void disconnected(PeerId peer) {
                lost.complete(
                    peer); // listeners run in order: the client's own listener has scheduled the
                // re-dial
              }
            });
    int timers = scheduler.queued(); // the connection managers' periodic checks
    get(seed.host().disconnect(node.host().peerId()));
    assertEquals(seed.host().peerId(), get(lost));
    // The re-dial is a timer on the injected scheduler: nothing happens until it fires.
    assertEquals(timers + 1, scheduler.queued());
    assertFalse(again.isDone());
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(node.host().peerId(), get(again), "re-dialled after the backoff");
  }

  @Test
  void blockedPeersAreRefusedAndAllowedOnesOverrideTheBlock() throws Exception {
    ManualScheduler scheduler =
        new ManualScheduler(new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
    P2PClient blocked = client(P2PConfig.builder().identity(key(3)), scheduler);
    P2PClient allowed = client(P2PConfig.builder().identity(key(4)), scheduler);
    get(blocked.start());
    get(allowed.start());
    P2PClient node =
        client(
            P2PConfig.builder()
                .identity(key(5))
                .blockPeer(blocked.host().peerId())
                .blockPeer(allowed.host().peerId())
                .allowPeer(allowed.host().peerId()),
            scheduler);
    get(node.start());
    assertEquals(java.util.Set.of(blocked.host().peerId()), node.gater().blockedPeers());

    ExecutionException out =
        assertThrows(
            ExecutionException.class, () -> get(node.host().connect(blocked.addresses().get(0))));
    assertTrue(
        out.getCause().getMessage().contains("refused by the connection gater"),
        out.getCause().getMessage());
    assertThrows(
        ExecutionException.class, () -> get(blocked.host().connect(node.addresses().get(0))));
    assertFalse(node.host().connectedPeers().contains(blocked.host().peerId()));

    assertEquals(allowed.host().peerId(), get(node.host().connect(allowed.addresses().get(0))));
  }

  @Test
  void configRejectsBadInput() {
    IllegalArgumentException noId =
        assertThrows(
            IllegalArgumentException.class,
            () -> P2PConfig.builder().seed(Multiaddr.parse("/ip4/127.0.0.1/tcp/7676")));
    assertTrue(noId.getMessage().contains("/p2p/"), noId.getMessage());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                P2PConfig.builder()
                    .seeds(
                        "/ip4/127.0.0.1/tcp/7676/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA,nonsense"));
    assertTrue(bad.getMessage().contains("nonsense"), bad.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> P2PConfig.builder().maxPubsubMessageSize(10));
    assertThrows(
        IllegalArgumentException.class,
        () -> P2PConfig.builder().seedRedial(Duration.ofSeconds(5), Duration.ofSeconds(1)));
  }

  /** A client with discovery on (null: off), chain id "gm", its own scheduler. */
  private P2PClient discovering(long seed, DiscoveryOptions discovery, List<Multiaddr> seeds) {
    P2PConfig.Builder b = P2PConfig.builder().identity(key(seed)).inMemory(network);
    seeds.forEach(b::seed);
    if (discovery != null) {
      b.discovery(discovery);
    }
    P2PClient c =
        P2PClient.create(
            b.build(),
            NetworkProfile.SEED.maxPubsubMessageSize(),
            null,
            null,
            Clock.systemUTC(),
            "gm");
    clients.add(c);
    return c;
  }

  @Test
  void twoNodesSeededWithTheSameBootstrapNodeFindEachOtherByChainId() throws Exception {
    DiscoveryOptions options =
        DiscoveryOptions.builder()
            .checkInterval(Duration.ofMillis(200))
            .advertiseRetry(Duration.ofMillis(200))
            .build();
    P2PClient boot = discovering(11, options, List.of());
    get(boot.start());
    P2PClient a = discovering(12, options, boot.addresses());
    P2PClient b = discovering(13, options, boot.addresses());
    CompletableFuture<PeerId> bMetA = new CompletableFuture<>();
    b.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
                if (peer.equals(a.host().peerId())) {
                  bMetA.complete(peer);
                }
              }
            });
    get(a.start());
    get(b.start());
    assertEquals(a.host().peerId(), get(bMetA));
    assertTrue(b.host().protocols().contains(Dht.PROTOCOL));
    assertEquals("gm", b.discovery().orElseThrow().namespace());

    // a is connected already; a search that returns it still counts it as discovered (the CLI's
    // progress line shows "discovered" peers among the connected ones).
    assertTrue(get(a.discovery().orElseThrow().advertise()) >= 1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!b.discovery().orElseThrow().discoveredPeers().contains(a.host().peerId())) {
      assertTrue(System.nanoTime() < deadline, "b's searches never returned a");
      // Completes at once while the discovery's own periodic search runs; it records a too.
      get(b.discovery().orElseThrow().findAndDial());
      Thread.onSpinWait();
    }
    assertFalse(b.discovery().orElseThrow().discoveredPeers().contains(b.host().peerId()));
  }

  @Test
  void discoveryIsOffByDefault() throws Exception {
    P2PClient c = discovering(14, null, List.of());
    get(c.start());
    assertTrue(c.dht().isEmpty());
    assertFalse(c.host().protocols().contains(Dht.PROTOCOL));
  }
}
