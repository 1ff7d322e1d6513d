package io.headersync.libp2p.dht;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 100 in-memory hosts, each seeded with one other, find each other through the namespace. */
class DiscoveryScaleTest {
  private static final int N = 100;
  private static final int WANTED = 8;

  @Test
  void hundredHostsSeededWithOneOtherEachReachEightNamespacePeers() throws Exception {
    Random random = new Random(14);
    ExecutorService user = Executors.newFixedThreadPool(4);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    List<Host> hosts = new ArrayList<>();
    List<Dht> dhts = new ArrayList<>();
    List<Discovery> discoveries = new ArrayList<>();
    DiscoveryOptions options =
        DiscoveryOptions.builder().namespace("gm").findLimit(20).watermarks(WANTED, 20).build();
    InMemoryNetwork network = new InMemoryNetwork(2);
    try {
      for (int i = 0; i < N; i++) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        Host h =
            Host.builder(PrivateKey.ed25519FromSeed(seed))
                .inMemory(network)
                .listen(Multiaddr.parse("/memory/0"))
                .executor(user)
                .build();
        Dht d = Dht.builder(h).scheduler(scheduler).random(new Random(i)).build();
        h.start().get(10, TimeUnit.SECONDS);
        hosts.add(h);
        dhts.add(d);
        discoveries.add(new Discovery(d, h, options, scheduler));
      }
      // Each host is seeded with one other: host i with a random earlier one (host 0 with host 1).
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        int seedIndex = i == 0 ? 1 : random.nextInt(i);
        Dht d = dhts.get(i);
        PeerId seedPeer = dhts.get(seedIndex).peerId();
        all.add(
            hosts
                .get(i)
                .connect(hosts.get(seedIndex).listenAddresses().get(0))
                .thenCompose(p -> d.offerPeer(seedPeer)));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      all.clear();
      for (Dht d : dhts) {
        all.add(d.bootstrap());
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      all.clear();
      for (Discovery d : discoveries) {
        all.add(d.advertise());
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      all.clear();
      for (Discovery d : discoveries) {
        all.add(d.findAndDial());
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

      Set<PeerId> members = new HashSet<>();
      dhts.forEach(d -> members.add(d.peerId()));
      int minPeers = Integer.MAX_VALUE;
      int maxLookups = 0;
      int maxStore = 0;
      for (int i = 0; i < N; i++) {
        Set<PeerId> connected = new HashSet<>(hosts.get(i).connectedPeers());
        connected.retainAll(members);
        minPeers = Math.min(minPeers, connected.size());
        maxLookups = Math.max(maxLookups, dhts.get(i).lookupsStarted());
        maxStore = Math.max(maxStore, dhts.get(i).peerStore().size());
      }
      System.out.printf(
          "discovery scale: %d hosts, fewest namespace peers connected %d, most lookups per host %d,"
              + " largest peer store %d%n",
          N, minPeers, maxLookups, maxStore);
      assertTrue(minPeers >= WANTED, "a host has only " + minPeers + " namespace peers");
      // bootstrap: a self lookup and one per CPL up to 15; then one provide and one search
      assertTrue(maxLookups <= 1 + 16 + 2, "a host ran " + maxLookups + " lookups");
      assertTrue(maxStore <= N, "peer store of " + maxStore);
    } finally {
      discoveries.forEach(Discovery::close);
      dhts.forEach(Dht::close);
      hosts.forEach(Host::close);
      network.close();
      scheduler.shutdownNow();
      user.shutdownNow();
    }
  }
}
