package io.headersync.libp2p.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Hex;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.libp2p.dht.internal.Messages;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DhtTest {
  private static final long T = 10;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<Host> hosts = new ArrayList<>();
  private final List<Dht> dhts = new ArrayList<>();

  @AfterEach
  void tearDown() {
    dhts.forEach(Dht::close);
    hosts.forEach(Host::close);
    network.close();
    scheduler.shutdownNow();
  }

  private Dht node(int seed) throws Exception {
    return node(seed, DhtOptions.defaults(), new ConnectionGater());
  }

  private Dht node(int seed, DhtOptions options, ConnectionGater gater) throws Exception {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    Host h =
        Host.builder(io.headersync.libp2p.PrivateKey.ed25519FromSeed(s))
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .gater(gater)
            .build();
    Dht d = Dht.builder(h).options(options).scheduler(scheduler).random(new Random(seed)).build();
    h.start().get(T, TimeUnit.SECONDS);
    hosts.add(h);
    dhts.add(d);
    return d;
  }

  private Host host(Dht d) {
    return hosts.get(dhts.indexOf(d));
  }

  private void connect(Dht a, Dht b) throws Exception {
    host(a).connect(host(b).listenAddresses().get(0)).get(T, TimeUnit.SECONDS);
  }

  @Test
  void namespaceKeyIsTheSha256MultihashGoUses() {
    byte[] key = Dht.namespaceKey("testchain");
    assertEquals(
        "12208656ffcb7ba76d55f1f7b02a76fa5ec1e756ea33f4ddcb0645904579343d8a29", Hex.encode(key));
    assertEquals(
        "26954dab30d034169c76fe26208260ecb3dd6b6f8d3a7b3877fecc1e17f78d9e",
        Hex.encode(Keys.kadId(key)));
  }

  @Test
  void getProvidersRequestMatchesGosBytes() {
    byte[] body =
        Messages.request(Message.MessageType.GET_PROVIDERS, Dht.namespaceKey("testchain"))
            .build()
            .toByteArray();
    assertEquals(
        "0803122212208656ffcb7ba76d55f1f7b02a76fa5ec1e756ea33f4ddcb0645904579343d8a295001",
        Hex.encode(body));
  }

  @Test
  void randomRefreshKeyHasTheWantedCommonPrefixLength() {
    byte[] local = Keys.sha256(new byte[] {1});
    for (int cpl = 0; cpl <= 15; cpl++) {
      byte[] key = Keys.randomKeyWithCpl(local, cpl, new Random(cpl));
      assertEquals(cpl, Keys.commonPrefixLength(Keys.kadId(key), local));
      assertEquals(0x12, key[0]);
      assertEquals(0, key[33]);
    }
  }

  @Test
  void admitsAPeerThatAnswersFindNodeForItsOwnId() throws Exception {
    Dht a = node(1);
    Dht b = node(2);
    connect(a, b);
    assertTrue(a.offerPeer(b.peerId()).get(T, TimeUnit.SECONDS));
    assertTrue(a.routingTable().contains(b.peerId()));
  }

  @Test
  void neverAdmitsAClientModePeer() throws Exception {
    Dht a = node(1);
    Dht client = node(2, DhtOptions.builder().mode(DhtMode.CLIENT).build(), new ConnectionGater());
    connect(client, a);
    assertFalse(a.offerPeer(client.peerId()).get(T, TimeUnit.SECONDS));
    assertFalse(a.routingTable().contains(client.peerId()));
    // The client still queries the server and adds it.
    assertTrue(client.offerPeer(a.peerId()).get(T, TimeUnit.SECONDS));
  }

  @Test
  void findsAProviderTwoHopsAway() throws Exception {
    Dht a = node(1);
    Dht b = node(2);
    Dht c = node(3);
    connect(a, b);
    connect(c, b);
    assertTrue(a.offerPeer(b.peerId()).get(T, TimeUnit.SECONDS));
    assertTrue(c.offerPeer(b.peerId()).get(T, TimeUnit.SECONDS));
    assertTrue(b.offerPeer(a.peerId()).get(T, TimeUnit.SECONDS));
    assertTrue(b.offerPeer(c.peerId()).get(T, TimeUnit.SECONDS));
    byte[] ns = Dht.namespaceKey("gm");
    assertTrue(a.provide(ns).get(T, TimeUnit.SECONDS) >= 1);
    List<PeerAddresses> found = c.findProviders(ns, 60).get(T, TimeUnit.SECONDS);
    assertEquals(1, found.size());
    assertEquals(a.peerId(), found.get(0).peer());
    assertEquals(host(a).listenAddresses().get(0).withoutPeerId(), found.get(0).addresses().get(0));
    // c's lookups went through b, which answered, so c knows a as a candidate and can reach it.
    List<PeerId> closest = c.findClosestPeers(a.peerId().bytes()).get(T, TimeUnit.SECONDS);
    assertTrue(closest.contains(a.peerId()), closest.toString());
  }

  @Test
  void lookupOnAnEmptyTableFailsAtOnce() throws Exception {
    Dht a = node(1);
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> a.findClosestPeers(new byte[] {1, 2}).get(T, TimeUnit.SECONDS));
    assertEquals(DhtException.Reason.LOOKUP_FAILED, ((DhtException) e.getCause()).reason());
  }

  private Stream rawStream(Dht from, Dht to) throws Exception {
    return host(from).newStream(to.peerId(), Dht.PROTOCOL).get(T, TimeUnit.SECONDS);
  }

  @Test
  void keepsAnInboundStreamOpenForMoreRequests() throws Exception {
    Dht a = node(1);
    Dht b = node(2);
    connect(a, b);
    Stream s = rawStream(a, b);
    for (int i = 0; i < 5; i++) {
      s.writeMessage(Messages.request(Message.MessageType.PING, new byte[0]).build().toByteArray())
          .get(T, TimeUnit.SECONDS);
      Message m = Message.parseFrom(s.readMessage(1 << 20).get(T, TimeUnit.SECONDS).orElseThrow());
      assertEquals(Message.MessageType.PING, m.getType());
    }
    // FIND_NODE of the server's own id names the server itself (Go's target exception).
    s.writeMessage(
            Messages.request(Message.MessageType.FIND_NODE, b.peerId().bytes())
                .build()
                .toByteArray())
        .get(T, TimeUnit.SECONDS);
    Message m = Message.parseFrom(s.readMessage(1 << 20).get(T, TimeUnit.SECONDS).orElseThrow());
    assertEquals(b.peerId(), PeerId.fromBytes(m.getCloserPeers(0).getId().toByteArray()));
    assertEquals(1, m.getClusterLevelRaw());
    s.close();
  }

  @Test
  void resetsAMalformedMessageAndCountsItAgainstThePeer() throws Exception {
    Dht a = node(1);
    Dht b = node(2);
    connect(a, b);
    Stream s = rawStream(a, b);
    s.writeMessage(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}).get(T, TimeUnit.SECONDS);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> s.readMessage(1024).get(T, TimeUnit.SECONDS));
    assertEquals(StreamException.Reason.RESET, ((StreamException) e.getCause()).reason());
    assertEquals(1, b.strikes(a.peerId()));
  }

  @Test
  void resetsAnOversizedMessage() throws Exception {
    Dht a = node(1);
    Dht b = node(2, DhtOptions.builder().maxMessageSize(1024).build(), new ConnectionGater());
    connect(a, b);
    // The stream resets itself on the oversized prefix, before the DHT hears of it: wait for the
    // strike.
    CompletableFuture<PeerId> struck = new CompletableFuture<>();
    b.strikeListener = struck::complete;
    Stream s = rawStream(a, b);
    s.writeMessage(new byte[2000]).get(T, TimeUnit.SECONDS);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> s.readMessage(1024).get(T, TimeUnit.SECONDS));
    assertInstanceOf(StreamException.class, e.getCause());
    assertEquals(a.peerId(), struck.get(T, TimeUnit.SECONDS));
    assertEquals(1, b.strikes(a.peerId()));
  }

  @Test
  void refusesAProviderRecordForAnotherPeer() throws Exception {
    Dht a = node(1);
    Dht b = node(2);
    Dht c = node(3);
    connect(a, b);
    Stream s = rawStream(a, b);
    Message add =
        Messages.request(Message.MessageType.ADD_PROVIDER, Dht.namespaceKey("gm"))
            .addProviderPeers(
                Messages.peer(c.peerId(), List.of(Multiaddr.parse("/memory/99")), false))
            .build();
    s.writeMessage(add.toByteArray()).get(T, TimeUnit.SECONDS);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> s.readMessage(1024).get(T, TimeUnit.SECONDS));
    assertEquals(StreamException.Reason.RESET, ((StreamException) e.getCause()).reason());
    assertEquals(0, b.providedKeys(c.peerId()));
    assertEquals(1, b.strikes(a.peerId()));
  }

  @Test
  void boundsTheKeysOnePeerMayProvide() throws Exception {
    Dht a = node(1);
    Dht b = node(2, DhtOptions.builder().maxKeysPerPeer(3).build(), new ConnectionGater());
    connect(a, b);
    Stream s = rawStream(a, b);
    for (int i = 0; i < 10; i++) {
      Message add =
          Messages.request(Message.MessageType.ADD_PROVIDER, Dht.namespaceKey("ns" + i))
              .addProviderPeers(
                  Messages.peer(a.peerId(), List.of(Multiaddr.parse("/memory/7")), false))
              .build();
      s.writeMessage(add.toByteArray()).get(T, TimeUnit.SECONDS);
    }
    // A PING after the flood: its answer proves every ADD_PROVIDER before it was handled.
    s.writeMessage(Messages.request(Message.MessageType.PING, new byte[0]).build().toByteArray())
        .get(T, TimeUnit.SECONDS);
    Optional<byte[]> pong = s.readMessage(1024).get(T, TimeUnit.SECONDS);
    assertTrue(pong.isPresent());
    assertEquals(3, b.providedKeys(a.peerId()));
    assertEquals(0, b.strikes(a.peerId()));
    s.close();
  }

  @Test
  void refusesAPeerAfterTooManyStrikes() throws Exception {
    Dht a = node(1);
    Dht b = node(2, DhtOptions.builder().maxStrikes(2).build(), new ConnectionGater());
    connect(a, b);
    for (int i = 0; i < 2; i++) {
      Stream s = rawStream(a, b);
      s.writeMessage(
              Messages.request(Message.MessageType.GET_PROVIDERS, new byte[0])
                  .build()
                  .toByteArray())
          .get(T, TimeUnit.SECONDS);
      assertThrows(ExecutionException.class, () -> s.readMessage(1024).get(T, TimeUnit.SECONDS));
    }
    assertEquals(2, b.strikes(a.peerId()));
    Stream s = rawStream(a, b);
    // Refused at once: the reset may beat our write, or come after it.
    assertThrows(
        ExecutionException.class,
        () -> {
          s.writeMessage(
                  Messages.request(Message.MessageType.PING, new byte[0]).build().toByteArray())
              .get(T, TimeUnit.SECONDS);
          s.readMessage(1024).get(T, TimeUnit.SECONDS);
        });
  }

  @Test
  void answersGetValueWithCloserPeersAndRefusesPutValue() throws Exception {
    Dht a = node(1);
    Dht b = node(2);
    connect(a, b);
    Stream s = rawStream(a, b);
    s.writeMessage(
            Messages.request(Message.MessageType.GET_VALUE, "/foo/bar".getBytes())
                .build()
                .toByteArray())
        .get(T, TimeUnit.SECONDS);
    Message m = Message.parseFrom(s.readMessage(1 << 20).get(T, TimeUnit.SECONDS).orElseThrow());
    assertEquals(ByteString.copyFromUtf8("/foo/bar"), m.getKey());
    assertFalse(m.hasRecord());
    s.writeMessage(
            Messages.request(Message.MessageType.PUT_VALUE, "/foo/bar".getBytes())
                .build()
                .toByteArray())
        .get(T, TimeUnit.SECONDS);
    assertThrows(ExecutionException.class, () -> s.readMessage(1024).get(T, TimeUnit.SECONDS));
    assertEquals(0, b.strikes(a.peerId()));
  }

  @Test
  void garbageCloserPeersNeverEnterTheRoutingTable() throws Exception {
    Dht a = node(1);
    Dht liar = node(2, DhtOptions.builder().mode(DhtMode.CLIENT).build(), new ConnectionGater());
    // The liar answers FIND_NODE with 200 made-up peers on unreachable addresses.
    host(liar)
        .setStreamHandler(
            Dht.PROTOCOL,
            s ->
                s.readMessage(1 << 20)
                    .thenAccept(
                        req -> {
                          Message.Builder resp =
                              Message.newBuilder().setType(Message.MessageType.FIND_NODE);
                          for (int i = 0; i < 200; i++) {
                            byte[] seed = new byte[32];
                            new Random(1000 + i).nextBytes(seed);
                            PeerId fake =
                                PeerId.fromPublicKey(
                                    io.headersync.libp2p.PrivateKey.ed25519FromSeed(seed)
                                        .publicKey());
                            resp.addCloserPeers(
                                Messages.peer(
                                    fake,
                                    List.of(Multiaddr.parse("/memory/" + (5000 + i))),
                                    false));
                          }
                          resp.addCloserPeers(
                              Message.Peer.newBuilder()
                                  .setId(ByteString.copyFromUtf8("not a peer id")));
                          s.writeMessage(resp.build().toByteArray()).thenRun(s::close);
                        }));
    connect(a, liar);
    assertTrue(a.offerPeer(liar.peerId()).get(T, TimeUnit.SECONDS));
    a.findClosestPeers(new byte[] {9}).get(T, TimeUnit.SECONDS);
    assertEquals(List.of(liar.peerId()), a.routingTable());
  }
}
