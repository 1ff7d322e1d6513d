package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.Dht;
import io.headersync.libp2p.dht.PeerAddresses;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our DHT against go-libp2p-kad-dht v0.40.0 (ev-node v1.2.2's pin) and v0.42.2 (the newest served),
 * set up as ev-node v1.2.2 sets it up ({@code interop/dht}): bootstrap, admission to each other's
 * routing tables, provider records for a namespace both ways, and two Go nodes seeded only with us
 * finding each other through us.
 */
@Tag("interop")
class DhtGoInteropTest {
  private static final String NS = "testchain";
  private Host host;
  private Dht dht;

  private void startJava(List<Multiaddr> bootstrap) throws Exception {
    byte[] seed = new byte[32];
    new Random(14).nextBytes(seed);
    host =
        Host.builder(PrivateKey.ed25519FromSeed(seed))
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .build();
    dht = Dht.builder(host).bootstrapPeers(bootstrap).build();
    host.start().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() {
    if (dht != null) {
      dht.close();
    }
    if (host != null) {
      host.close();
    }
  }

  private String javaAddress() {
    return host.listenAddresses().get(0).toString();
  }

  @ParameterizedTest
  @EnumSource(
      value = GoPeer.Binary.class,
      names = {"DHT", "DHT_KADDHT042"})
  void bootstrapsFromGoAndProviderRecordsFlowBothWays(GoPeer.Binary binary) throws Exception {
    try (GoPeer go = new GoPeer(binary, 1)) {
      PeerId goId = PeerId.parse(go.peerId());
      startJava(List.of(Multiaddr.parse(go.tcpAddress())));
      // Our bootstrap: empty table, so the bootstrap peer is dialled and admitted; then a refresh.
      dht.bootstrap().get(30, TimeUnit.SECONDS);
      assertTrue(
          dht.routingTable().contains(goId), "Go node not in our table: " + dht.routingTable());
      // Go admitted us after identify listed /ipfs/kad/1.0.0; a refresh queries us in any case.
      go.ok("\"cmd\":\"refresh\"", 30);
      assertTrue(
          GoPeer.strings(go.ok("\"cmd\":\"table\"", 10), "peers")
              .contains(host.peerId().toString()),
          "we are not in Go's routing table");

      // We advertise; Go's RoutingDiscovery.FindPeers finds us, with our address.
      assertTrue(dht.provide(Dht.namespaceKey(NS)).get(30, TimeUnit.SECONDS) >= 1);
      String found = go.ok("\"cmd\":\"find\",\"ns\":\"" + NS + "\",\"count\":60", 40);
      assertTrue(GoPeer.strings(found, "peers").contains(host.peerId().toString()), found);
      assertTrue(GoPeer.strings(found, "addrs").contains(javaAddress()), found);

      // Go advertises; we find it.
      go.ok("\"cmd\":\"advertise\",\"ns\":\"" + NS + "\"", 70);
      List<PeerAddresses> providers =
          dht.findProviders(Dht.namespaceKey(NS), 60).get(30, TimeUnit.SECONDS);
      assertEquals(List.of(goId), providers.stream().map(PeerAddresses::peer).toList());
      assertTrue(
          providers.get(0).addresses().stream()
              .anyMatch(a -> go.tcpAddressUnchecked().startsWith(a.toString())),
          providers.toString());
      assertEquals(0, dht.strikes(goId));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = GoPeer.Binary.class,
      names = {"DHT", "DHT_KADDHT042"})
  void twoGoNodesSeededOnlyWithUsFindEachOther(GoPeer.Binary binary) throws Exception {
    startJava(List.of());
    try (GoPeer a = new GoPeer(binary, 2, "-bootstrap", javaAddress());
        GoPeer b = new GoPeer(binary, 3, "-bootstrap", javaAddress())) {
      a.ready();
      b.ready();
      // Go's fixLowPeers dialled us (its only bootstrap peer) and admits us after identify.
      a.ok("\"cmd\":\"await-table\",\"count\":1", 20);
      b.ok("\"cmd\":\"await-table\",\"count\":1", 20);
      a.ok("\"cmd\":\"refresh\"", 30);
      b.ok("\"cmd\":\"refresh\"", 30);
      a.ok("\"cmd\":\"advertise\",\"ns\":\"" + NS + "\"", 70);
      String found = b.ok("\"cmd\":\"find\",\"ns\":\"" + NS + "\",\"count\":60", 40);
      assertTrue(GoPeer.strings(found, "peers").contains(a.peerId()), found);
      b.ok("\"cmd\":\"connect\",\"addr\":\"" + a.tcpAddress() + "\"", 20);
      assertTrue(GoPeer.strings(b.ok("\"cmd\":\"connected\"", 10), "peers").contains(a.peerId()));
      // We stored a's record and keep both Go nodes in our table.
      assertTrue(
          dht.routingTable()
              .containsAll(List.of(PeerId.parse(a.peerId()), PeerId.parse(b.peerId()))),
          dht.routingTable().toString());
    }
  }
}
