package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import io.headersync.store.RocksDbStore;
import io.headersync.sync.SyncListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HeaderSyncService} (ev-node profile, {@code P2PSignedHeader}) with Go peers running
 * go-header v0.8.6's exchange server and {@code p2p.Subscriber} over go-libp2p: initialisation from
 * genesis and from a trusted hash, catch-up of 10,000 headers, following gossip, restart on the
 * same RocksDB, blocked and allowed peers.
 */
@Tag("interop")
class ServiceGoInteropTest {
  static final long T = 120;
  static final int N = 10_000;

  private GoPeer go;
  private GoPeer other;
  private HeaderSyncService<P2PSignedHeader> service;

  @AfterEach
  void stop() throws Exception {
    try {
      if (service != null) {
        service.close();
      }
    } finally {
      if (go != null) {
        go.close();
      }
      if (other != null) {
        other.close();
      }
    }
    for (GoPeer g : new GoPeer[] {go, other}) {
      if (g == null) {
        continue;
      }
      String bad =
          g.stderr()
              .lines()
              .filter(l -> HostGoInteropTest.PROTOCOL_ERROR.matcher(l).find())
              .reduce("", (a, b) -> a + b + "\n");
      assertEquals("", bad, "go-libp2p logged protocol errors; its whole stderr:\n" + g.stderr());
    }
  }

  static PrivateKey key(long seed) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    return PrivateKey.ed25519FromSeed(s);
  }

  static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), "no " + field + " in " + json);
    return Long.parseLong(m.group(1));
  }

  static GoPeer goSequencer(long seed) throws Exception {
    GoPeer g = new GoPeer(seed, "-network", "gm-headerSync", "-chain-id", "gm");
    g.ok("\"cmd\":\"hsub-start\"", T);
    g.ok("\"cmd\":\"gen\",\"count\":" + N + ",\"seed\":1", T);
    return g;
  }

  /** Counts appended headers and records the lowest height of an appended batch. */
  static final class Appended {
    final AtomicLong count = new AtomicLong();
    final AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);
  }

  private HeaderSyncService<P2PSignedHeader> service(
      P2PConfig.Builder p2p, Path dir, Appended appended) {
    HeaderSyncService.Builder<P2PSignedHeader> b =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
            .profile(NetworkProfile.EVNODE)
            .p2p(p2p.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build())
            .storePath(dir)
            .blockTime(Duration.ofSeconds(1));
    if (appended != null) {
      b.listener(
          new SyncListener<>() {
            @Override
            public void batchAppended(long fromHeight, int count, Duration elapsed) {
              appended.count.addAndGet(count);
              appended.lowest.accumulateAndGet(fromHeight, Math::min);
            }
          });
    }
    return b.build();
  }

  private void assertSameAsGo(GoPeer g, long... heights) throws Exception {
    for (long h : heights) {
      String got = g.ok("\"cmd\":\"store-height\",\"height\":" + h, T);
      assertEquals(
          GoPeer.string(got, "hash").toUpperCase(),
          service.store().getByHeight(h).orElseThrow().hash().toString().toUpperCase(),
          "height " + h);
    }
  }

  @Test
  void initialisesFromGenesisCatchesUpAndFollowsGoGossip(@TempDir Path dir) throws Exception {
    go = goSequencer(21);
    service =
        service(
            P2PConfig.builder().identity(key(1)).seed(Multiaddr.parse(go.tcpAddress())), dir, null);
    service.start().get(T, TimeUnit.SECONDS);
    assertEquals(1, service.store().tail().orElseThrow().height(), "initialised at genesis");
    service.store().awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertSameAsGo(go, 1, 2, N / 2, N);

    // The Go sequencer goes on: new headers reach us by gossip.
    go.ok("\"cmd\":\"hsub-wait-peer\",\"peer\":\"" + service.p2p().host().peerId() + "\"", T);
    go.ok("\"cmd\":\"gen\",\"count\":5,\"seed\":1", T);
    for (int h = N + 1; h <= N + 5; h++) {
      go.ok("\"cmd\":\"hsub-broadcast\",\"height\":" + h, T);
    }
    service.store().awaitHeight(N + 5).get(T, TimeUnit.SECONDS);
    assertTrue(
        service.gossipMetrics().accepted() >= 1, "followed gossip: " + service.gossipMetrics());
    assertSameAsGo(go, N + 5);
  }

  @Test
  void trustedHashInitialisation(@TempDir Path dir) throws Exception {
    go = goSequencer(22);
    String at = go.ok("\"cmd\":\"store-height\",\"height\":5000", T);
    service =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
            .profile(NetworkProfile.EVNODE)
            .p2p(
                P2PConfig.builder()
                    .identity(key(2))
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .seed(Multiaddr.parse(go.tcpAddress()))
                    .build())
            .storePath(dir)
            .blockTime(Duration.ofSeconds(1))
            .trustedHash(Hash.parse(GoPeer.string(at, "hash")))
            .build();
    service.start().get(T, TimeUnit.SECONDS);
    assertEquals(5000, service.store().tail().orElseThrow().height());
    service.store().awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertSameAsGo(go, 5000, N);
  }

  @Test
  void restartOnTheSameRocksDbResumesWithoutDownloadingAgain(@TempDir Path dir) throws Exception {
    go = goSequencer(23);
    Appended first = new Appended();
    service =
        service(
            P2PConfig.builder().identity(key(3)).seed(Multiaddr.parse(go.tcpAddress())),
            dir,
            first);
    service.start().get(T, TimeUnit.SECONDS);
    service.store().awaitHeight(N).get(T, TimeUnit.SECONDS);
    service.close();
    assertEquals(2, first.lowest.get(), "everything after the genesis came through the syncer");

    go.ok("\"cmd\":\"gen\",\"count\":100,\"seed\":1", T);
    Appended second = new Appended();
    service =
        service(
            P2PConfig.builder().identity(key(3)).seed(Multiaddr.parse(go.tcpAddress())),
            dir,
            second);
    service.start().get(T, TimeUnit.SECONDS);
    service.store().awaitHeight(N + 100).get(T, TimeUnit.SECONDS);
    // Listener calls may trail the store by a batch, so check what was fetched, not how much yet.
    assertTrue(
        second.lowest.get() > N,
        "resumed above the stored head " + N + ": first batch from " + second.lowest);
    assertTrue(second.count.get() <= 100, "at most the 100 new headers: " + second.count);
    assertEquals(1, service.store().tail().orElseThrow().height());
    assertSameAsGo(go, 1, N, N + 100);
  }

  @Test
  void blockedPeersAreNeverConnectedAndAllowedOnesAre(@TempDir Path dir) throws Exception {
    go = goSequencer(24);
    other = new GoPeer(25, "-network", "gm-headerSync", "-chain-id", "gm");
    PeerId blocked = PeerId.parse(other.peerId());
    PeerId allowed = PeerId.parse(go.peerId());
    service =
        service(
            P2PConfig.builder()
                .identity(key(4))
                .seed(Multiaddr.parse(go.tcpAddress()))
                .seed(Multiaddr.parse(other.tcpAddress()))
                .blockPeer(blocked)
                .blockPeer(allowed)
                .allowPeer(allowed),
            dir,
            null);
    service.start().get(T, TimeUnit.SECONDS);
    service.store().awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertTrue(service.p2p().host().connectedPeers().contains(allowed));
    String refused =
        other.command(
            "\"cmd\":\"connect\",\"addr\":\"" + service.p2p().addresses().get(0) + "\"", T);
    assertTrue(refused.contains("\"ok\":false"), refused);
    assertFalse(
        service.p2p().host().connectedPeers().contains(blocked),
        "the blocked seed never got a connection");
  }

  @Test
  void goSyncerCatchesUpFromOurSequencerAndFollowsItsGossip(@TempDir Path dir) throws Exception {
    Duration blockTime = Duration.ofMillis(100);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(6)))
            .chainId("gm")
            .startTime(Instant.now().minus(blockTime.multipliedBy(N)))
            .blockTime(blockTime)
            .build();
    List<Block> chain = new ArrayList<>(signer.chain(N));
    // The sequencer's history, as a restarted sequencer finds it in its store.
    try (RocksDbStore<P2PSignedHeader> store =
        RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER)
            .path(dir)
            .prefix(NetworkProfile.EVNODE.storePrefix(NetworkProfile.SyncKind.HEADERS))
            .build()) {
      for (int i = 0; i < N; i += 1000) {
        store.append(chain.subList(i, i + 1000).stream().map(Block::p2pHeader).toList());
      }
      store.flush();
    }
    service =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
            .profile(NetworkProfile.EVNODE)
            .p2p(
                P2PConfig.builder()
                    .identity(key(6))
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .build())
            .storePath(dir)
            .blockTime(blockTime)
            .build();
    service.start().get(T, TimeUnit.SECONDS);
    assertEquals(N, service.store().height(), "resumed from its store");

    go = new GoPeer(26, "-network", "gm-headerSync", "-chain-id", "gm");
    go.ok("\"cmd\":\"connect\",\"addr\":\"" + service.p2p().addresses().get(0) + "\"", T);
    go.ok(
        "\"cmd\":\"sync-start\",\"peer\":\""
            + service.p2p().host().peerId()
            + "\",\"height\":1,"
            + "\"blockTimeMillis\":100",
        T);
    go.ok("\"cmd\":\"sync-wait\",\"height\":" + N + ",\"millis\":" + T * 1000, T + 10);

    // New blocks reach the Go syncer by gossip.
    service
        .p2p()
        .pubSub()
        .awaitPeer(service.topic(), PeerId.parse(go.peerId()))
        .get(T, TimeUnit.SECONDS);
    for (int i = 0; i < 5; i++) {
      Block next = signer.next(chain.get(chain.size() - 1), List.of());
      chain.add(next);
      service.writeToStoreAndBroadcast(next.p2pHeader()).get(T, TimeUnit.SECONDS);
    }
    go.ok("\"cmd\":\"sync-wait\",\"height\":" + (N + 5) + ",\"millis\":" + T * 1000, T + 10);
    for (long h : new long[] {1, N, N + 5}) {
      String got = go.ok("\"cmd\":\"sync-header\",\"height\":" + h + ",\"from\":\"sync\"", T);
      assertEquals(
          chain.get((int) h - 1).p2pHeader().hash().toString().toUpperCase(),
          GoPeer.string(got, "hash").toUpperCase(),
          "height " + h);
    }
    assertTrue(service.gossipMetrics().accepted() >= 5, service.gossipMetrics().toString());
  }
}
