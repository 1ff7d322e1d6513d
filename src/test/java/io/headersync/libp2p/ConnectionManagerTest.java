package io.headersync.libp2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testing.MemoryHosts;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection manager on in-memory hosts, with a manual clock and scheduler. */
class ConnectionManagerTest {
  private static final long T = 20;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<Host> hosts = new ArrayList<>();
  private final Map<PeerId, CompletableFuture<Void>> gone = new ConcurrentHashMap<>();
  private final Map<PeerId, CompletableFuture<Void>> arrived = new ConcurrentHashMap<>();
  private final Map<PeerId, PeerValue> values = new ConcurrentHashMap<>();
  private Host center;

  private record PeerValue(double score, boolean protect) {}

  @AfterEach
  void close() {
    hosts.forEach(Host::close);
    network.close();
  }

  private ConnectionManager manager(int low, int high) throws Exception {
    center = MemoryHosts.start(network, 1, new ConnectionGater(), T);
    hosts.add(center);
    ConnectionManager m =
        ConnectionManager.builder(center)
            .options(
                ConnectionManager.Options.builder()
                    .watermarks(low, high)
                    .gracePeriod(Duration.ofSeconds(30))
                    .build())
            .clock(clock)
            .scheduler(scheduler)
            .values(
                () -> {
                  Map<PeerId, ConnectionManager.PeerValue> out = new java.util.HashMap<>();
                  values.forEach(
                      (p, v) ->
                          out.put(p, new ConnectionManager.PeerValue(v.score(), v.protect())));
                  return CompletableFuture.completedFuture(out);
                })
            .build();
    // Added after the manager's own listener: listeners run in order, so the manager counted a peer
    // before this one hears of it.
    center.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
            arrived.computeIfAbsent(peer, p -> new CompletableFuture<>()).complete(null);
          }

          @Override
          public void disconnected(PeerId peer) {
            gone.computeIfAbsent(peer, p -> new CompletableFuture<>()).complete(null);
          }
        });
    return m;
  }

  /** A new host that dials the center; returns its id once the center counts it. */
  private PeerId dialer(ConnectionManager m, int seed) throws Exception {
    Host h = MemoryHosts.start(network, seed, new ConnectionGater(), T);
    hosts.add(h);
    h.connect(center.listenAddresses().get(0)).get(T, TimeUnit.SECONDS);
    arrived.computeIfAbsent(h.peerId(), p -> new CompletableFuture<>()).get(T, TimeUnit.SECONDS);
    return h.peerId();
  }

  @Test
  void overTheHighWatermarkTheLeastValuablePeersPastTheirGraceGoDownToTheLowWatermark()
      throws Exception {
    ConnectionManager m = manager(4, 6);
    List<PeerId> p = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      p.add(dialer(m, 100 + i));
    }
    assertEquals(8, center.connectedPeers().size());
    m.protect(p.get(0), "seed");
    m.protect(p.get(1), "trusted");
    m.tagPeer(p.get(2), "useful", 100);
    values.put(p.get(3), new PeerValue(0, true)); // a gossip mesh peer
    values.put(p.get(4), new PeerValue(-50, false)); // a peer gossipsub scores badly

    // Within the grace period nobody goes.
    assertEquals(0, m.trim().get(T, TimeUnit.SECONDS));
    clock.advance(Duration.ofSeconds(31));
    assertEquals(4, m.trim().get(T, TimeUnit.SECONDS));
    Set<PeerId> expectedGone = Set.of(p.get(4), p.get(5), p.get(6), p.get(7));
    for (PeerId g : expectedGone) {
      gone.computeIfAbsent(g, x -> new CompletableFuture<>()).get(T, TimeUnit.SECONDS);
    }
    Set<PeerId> kept = new HashSet<>(center.connectedPeers());
    assertEquals(Set.of(p.get(0), p.get(1), p.get(2), p.get(3)), kept);
    assertEquals(4, m.trimmedPeers());
  }

  @Test
  void aConnectionOverTheHighWatermarkTriggersATrimAfterTheSilencePeriodAndNewPeersHaveGrace()
      throws Exception {
    ConnectionManager m = manager(2, 3);
    List<PeerId> p = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      p.add(dialer(m, 200 + i));
    }
    m.protect(p.get(0), "seed");
    clock.advance(Duration.ofSeconds(31)); // the first three are past their grace
    m.trim()
        .get(
            T,
            TimeUnit
                .SECONDS); // at the high watermark: nothing to do, but the silence period starts
    PeerId late = dialer(m, 300); // 4 > 3: a trim is due once the silence period ends
    assertTrue(center.connectedPeers().contains(late));
    scheduler.advance(Duration.ofSeconds(10));
    // Two must go (4 -> 2): p1 and p2 (past grace, not protected); the late peer is in its grace.
    gone.computeIfAbsent(p.get(1), x -> new CompletableFuture<>()).get(T, TimeUnit.SECONDS);
    gone.computeIfAbsent(p.get(2), x -> new CompletableFuture<>()).get(T, TimeUnit.SECONDS);
    assertTrue(center.connectedPeers().contains(late), "a peer in its grace period was trimmed");
    assertTrue(center.connectedPeers().contains(p.get(0)), "a protected peer was trimmed");
  }

  @Test
  void protectionsAndOptionsAreBoundedAndChecked() throws Exception {
    ConnectionManager m = manager(1, 2);
    PeerId a = dialer(m, 400);
    m.protect(a, "x");
    m.protect(a, "y");
    assertTrue(m.unprotect(a, "x"), "still protected by y");
    assertFalse(m.unprotect(a, "y"));
    assertFalse(m.isProtected(a));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConnectionManager.Options.defaults().toBuilder().watermarks(10, 5).build());
    assertTrue(e.getMessage().contains("low 10, high 5"), e.getMessage());
    for (int i = 0; i < ConnectionManager.MAX_PROTECTED_PEERS; i++) {
      m.protect(PrivateKey.ed25519FromSeed(seed(i)).peerId(), "t");
    }
    IllegalStateException full =
        assertThrows(
            IllegalStateException.class,
            () -> m.protect(PrivateKey.ed25519FromSeed(seed(-1)).peerId(), "t"));
    assertTrue(full.getMessage().contains("4096 peers"), full.getMessage());
  }

  private static byte[] seed(int i) {
    byte[] s = new byte[32];
    s[0] = (byte) i;
    s[1] = (byte) (i >> 8);
    s[2] = (byte) (i >> 16);
    s[31] = 7;
    return s;
  }
}
