package io.headersync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.Dht;
import io.headersync.libp2p.dht.DiscoveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** P2PClient with discovery on: nodes seeded with one bootstrap node find each other by chain id. */
class P2PClientDiscoveryTest {
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<P2PClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(P2PClient::close);
    network.close();
  }

  private P2PClient client(int seed, DiscoveryOptions discovery, List<Multiaddr> seeds) throws Exception {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    P2PConfig.Builder b = P2PConfig.builder().identity(PrivateKey.ed25519FromSeed(s)).inMemory(network);
    seeds.forEach(b::seed);
    if (discovery != null) {
      b.discovery(discovery);
    }
    P2PClient c = P2PClient.create(b.build(), 1 << 20, null, null, Clock.systemUTC(), "gm");
    clients.add(c);
    return c;
  }

  @Test
  void twoNodesSeededWithTheSameBootstrapNodeFindEachOtherByChainId() throws Exception {
    DiscoveryOptions options = DiscoveryOptions.builder().checkInterval(Duration.ofMillis(200))
        .advertiseRetry(Duration.ofMillis(200)).build();
    P2PClient boot = client(1, options, List.of());
    boot.start().get(10, TimeUnit.SECONDS);
    List<Multiaddr> seeds = boot.addresses();
    P2PClient a = client(2, options, seeds);
    P2PClient b = client(3, options, seeds);
    CompletableFuture<PeerId> bMetA = new CompletableFuture<>();
    b.host().addConnectionListener(new ConnectionListener() {
      @Override
      public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
        if (peer.equals(a.host().peerId())) {
          bMetA.complete(peer);
        }
      }
    });
    a.start().get(10, TimeUnit.SECONDS);
    b.start().get(10, TimeUnit.SECONDS);
    assertEquals(a.host().peerId(), bMetA.get(20, TimeUnit.SECONDS));
    assertTrue(b.host().protocols().contains(Dht.PROTOCOL));
    assertEquals("gm", b.discovery().orElseThrow().namespace());
  }

  @Test
  void discoveryIsOffByDefault() throws Exception {
    P2PClient c = client(4, null, List.of());
    c.start().get(10, TimeUnit.SECONDS);
    assertTrue(c.dht().isEmpty());
    assertFalse(c.host().protocols().contains(Dht.PROTOCOL));
  }
}
