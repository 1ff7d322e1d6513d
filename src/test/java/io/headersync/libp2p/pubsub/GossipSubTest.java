package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.FloodSubTest.bytes;
import static io.headersync.libp2p.pubsub.FloodSubTest.get;
import static io.headersync.libp2p.pubsub.FloodSubTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Gossipsub on the in-memory transport. Heartbeats run only when the test advances the shared
 * {@link ManualScheduler} (which also moves the clock); the test then waits for their effects with
 * barriers: a node subscribes to a fresh topic, which travels on its outbound stream after
 * everything the heartbeat sent, and its peers wait until they know of it. Some peers are raw hosts
 * the test drives by hand, writing RPCs and reading what the router sends.
 */
class GossipSubTest {
  static final long T = 20;
  static final String TOPIC = "/gm-headerSync/header-sub/v0.0.1";

  /** D=2, Dlo=1, Dhi=3, Dscore=1, Dout=0, Dlazy=2: small meshes a few hosts can overfill. */
  static final GossipSubParams SMALL = GossipSubParams.builder().degrees(2, 1, 3, 1, 0, 2).build();

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<Host> hosts = new ArrayList<>();
  private final List<PubSub> pubsubs = new ArrayList<>();
  private final List<Host> rawHosts = new ArrayList<>();
  private final List<Stream> rawStreams = new ArrayList<>();
  private int seed = 200;
  private final List<java.util.concurrent.ExecutorService> validators = new ArrayList<>();
  private int barriers;

  @AfterEach
  void close() {
    rawStreams.forEach(Stream::reset);
    pubsubs.forEach(PubSub::close);
    hosts.forEach(Host::close);
    rawHosts.forEach(Host::close);
    network.close();
    validators.forEach(java.util.concurrent.ExecutorService::shutdownNow);
  }

  PubSub node(GossipSubParams params, Consumer<PubSub.Builder> config) throws Exception {
    byte[] s = new byte[32];
    new Random(seed++).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    Host h = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
    hosts.add(h);
    // One validation thread: messages are judged in arrival order, so a later delivery proves that
    // an earlier message (and its score effect) was already judged.
    java.util.concurrent.ExecutorService validation =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    validators.add(validation);
    PubSub.Builder b =
        PubSub.builder(h, key)
            .gossipSub(params)
            .scheduler(scheduler)
            .clock(clock)
            .random(new Random(seed))
            .validationExecutor(validation);
    config.accept(b);
    PubSub p = b.build();
    pubsubs.add(p);
    get(p.start()); // before the host, so identify lists the pubsub protocols
    get(h.start());
    return p;
  }

  PubSub node(GossipSubParams params) throws Exception {
    return node(params, b -> {});
  }

  Host host(PubSub p) {
    return hosts.get(pubsubs.indexOf(p));
  }

  PeerId id(PubSub p) {
    return host(p).peerId();
  }

  /** {@code a} dials {@code b}; both wait until the other is subscribed to TOPIC and reachable. */
  void connect(PubSub a, PubSub b) throws Exception {
    get(host(a).connect(host(b).listenAddresses().get(0)));
    get(a.awaitPeer(TOPIC, id(b)));
    get(b.awaitPeer(TOPIC, id(a)));
  }

  /** Everything {@code from} sent so far has been handled by each of {@code to}. */
  void barrier(PubSub from, PubSub... to) throws Exception {
    String topic = "barrier-" + barriers++;
    from.subscribe(topic);
    for (PubSub p : to) {
      get(p.awaitPeer(topic, id(from)));
    }
  }

  /** Two rounds of barriers both ways between every connected pair of the given nodes. */
  void settle(PubSub... nodes) throws Exception {
    for (int round = 0; round < 2; round++) {
      for (PubSub a : nodes) {
        List<PubSub> others = new ArrayList<>(List.of(nodes));
        others.remove(a);
        others.removeIf(o -> !host(a).connectedPeers().contains(id(o)));
        barrier(a, others.toArray(PubSub[]::new));
      }
    }
  }

  void heartbeat() {
    scheduler.advance(Duration.ofSeconds(1));
  }

  // ---- a raw peer driven by hand ----

  /** A bare host speaking one gossipsub protocol; it records every RPC the router sends it. */
  final class Raw {
    final PrivateKey key;
    final Host host;
    final LinkedBlockingQueue<PubsubProto.RPC> received = new LinkedBlockingQueue<>();
    Stream out;
    long written;

    Raw(String protocol) throws Exception {
      byte[] s = new byte[32];
      new Random(seed++ + 5000).nextBytes(s);
      key = PrivateKey.ed25519FromSeed(s);
      host = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
      rawHosts.add(host);
      host.setStreamHandler(
          protocol,
          in -> {
            rawStreams.add(in);
            readLoop(in);
          });
      get(host.start());
    }

    private void readLoop(Stream in) {
      in.readMessage(PubSub.DEFAULT_MAX_MESSAGE_SIZE)
          .whenComplete(
              (frame, err) -> {
                if (err != null || frame.isEmpty()) {
                  return;
                }
                try {
                  received.add(PubsubProto.RPC.parseFrom(frame.get()));
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
                readLoop(in);
              });
    }

    /** Connects to {@code node}, opens our stream, announces TOPIC; waits for the node's stream. */
    void connect(PubSub node, String protocol) throws Exception {
      get(host.connect(host(node).listenAddresses().get(0)));
      out = get(host.newStream(GossipSubTest.this.id(node), protocol));
      rawStreams.add(out);
      send(
          node,
          PubsubProto.RPC
              .newBuilder()
              .addSubscriptions(
                  PubsubProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(TOPIC))
              .build());
      get(node.awaitPeer(TOPIC, host.peerId()));
    }

    /** Writes {@code rpc} and waits until {@code node} handled it. */
    void send(PubSub node, PubsubProto.RPC rpc) throws Exception {
      get(out.writeMessage(rpc.toByteArray()));
      get(node.awaitRpcs(host.peerId(), ++written));
    }

    void control(PubSub node, PubsubProto.ControlMessage.Builder control) throws Exception {
      send(node, PubsubProto.RPC.newBuilder().setControl(control).build());
    }

    /**
     * The RPCs the node sent until now: the node subscribes to a fresh topic, and we read up to
     * that announcement.
     */
    List<PubsubProto.RPC> drain(PubSub node) throws Exception {
      String marker = "barrier-" + barriers++;
      node.subscribe(marker);
      List<PubsubProto.RPC> out = new ArrayList<>();
      while (true) {
        PubsubProto.RPC rpc = received.poll(T, TimeUnit.SECONDS);
        assertNotNull(rpc, "no marker " + marker + " from the node; got " + out);
        if (rpc.getSubscriptionsList().stream().anyMatch(s -> s.getTopicid().equals(marker))) {
          return out;
        }
        out.add(rpc);
      }
    }

    PeerId id() {
      return host.peerId();
    }
  }

  static PubsubProto.ControlMessage.Builder graft(String topic) {
    return PubsubProto.ControlMessage.newBuilder()
        .addGraft(PubsubProto.ControlGraft.newBuilder().setTopicID(topic));
  }

  static PubsubProto.ControlMessage.Builder prune(String topic, long backoffSeconds) {
    return PubsubProto.ControlMessage.newBuilder()
        .addPrune(
            PubsubProto.ControlPrune.newBuilder().setTopicID(topic).setBackoff(backoffSeconds));
  }

  static long count(
      List<PubsubProto.RPC> rpcs, java.util.function.ToIntFunction<PubsubProto.RPC> f) {
    return rpcs.stream().mapToInt(f).sum();
  }

  // ---- mesh ----

  @Test
  void joinGraftsTopicPeersAndMessagesFlowAlongTheMesh() throws Exception {
    PubSub a = node(GossipSubParams.defaults());
    PubSub b = node(GossipSubParams.defaults());
    PubSub c = node(GossipSubParams.defaults());
    for (PubSub p : List.of(a, b, c)) {
      p.subscribe("warmup"); // something to be subscribed to, so hellos flow
    }
    // a - b - c in a line; TOPIC joined after the peers are known: Join grafts them at once.
    get(host(a).connect(host(b).listenAddresses().get(0)));
    get(host(c).connect(host(b).listenAddresses().get(0)));
    get(a.awaitPeer("warmup", id(b)));
    get(c.awaitPeer("warmup", id(b)));
    get(b.awaitPeer("warmup", id(a)));
    get(b.awaitPeer("warmup", id(c)));
    Subscription sa = a.subscribe(TOPIC);
    Subscription sb = b.subscribe(TOPIC);
    Subscription sc = c.subscribe(TOPIC);
    get(a.awaitPeer(TOPIC, id(b)));
    get(b.awaitPeer(TOPIC, id(a)));
    get(b.awaitPeer(TOPIC, id(c)));
    get(c.awaitPeer(TOPIC, id(b)));
    heartbeat(); // whoever joined before knowing the others grafts them now
    settle(a, b, c);
    assertEquals(Set.of(id(b)), get(a.meshPeers(TOPIC)));
    assertEquals(Set.of(id(a), id(c)), get(b.meshPeers(TOPIC)));
    assertEquals(Set.of(id(b)), get(c.meshPeers(TOPIC)));

    get(a.publish(TOPIC, bytes("hello")));
    Message atC = get(sc.next());
    assertEquals("hello", text(atC));
    assertEquals(id(b), atC.receivedFrom());
    assertEquals("hello", text(get(sb.next())));
    assertEquals("hello", text(get(sa.next())));
    barrier(b, a, c);
    assertEquals(0, c.stats().duplicates());
    assertEquals(1, c.stats().messagesReceived());
  }

  @Test
  void heartbeatShrinksAnOverfullMeshAndPrunedPeersKeepTheBackoff() throws Exception {
    PubSub hub = node(SMALL);
    hub.subscribe(TOPIC);
    List<PubSub> leaves = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      PubSub leaf = node(SMALL);
      leaf.subscribe(TOPIC);
      leaves.add(leaf);
      connect(
          hub, leaf); // the hub dials: its peers are outbound, so it accepts their GRAFTs past Dhi
    }
    heartbeat(); // every leaf grafts the hub (its only peer); the hub grafts 2 leaves
    PubSub[] all = new PubSub[6];
    all[0] = hub;
    for (int i = 0; i < 5; i++) {
      all[i + 1] = leaves.get(i);
    }
    settle(all);
    assertEquals(
        5, get(hub.meshPeers(TOPIC)).size(), "GRAFTs of outbound peers are accepted beyond Dhi");

    heartbeat(); // over Dhi=3: the hub keeps D=2 and prunes 3
    settle(all);
    Set<PeerId> kept = get(hub.meshPeers(TOPIC));
    assertEquals(2, kept.size());
    int pruned = 0;
    for (PubSub leaf : leaves) {
      Set<PeerId> mesh = get(leaf.meshPeers(TOPIC));
      assertEquals(
          kept.contains(id(leaf)), mesh.contains(id(hub)), "a pruned leaf dropped the hub");
      pruned += mesh.isEmpty() ? 1 : 0;
    }
    assertEquals(3, pruned);

    // Within the 60 s backoff the pruned leaves do not graft again (Go would penalise it).
    for (int i = 0; i < 30; i++) {
      heartbeat();
    }
    settle(all);
    assertEquals(kept, get(hub.meshPeers(TOPIC)));
    assertEquals(0.0, get(hub.score(id(leaves.get(0)))));
    long graftsBefore = hub.stats().graftsReceived();
    // After the backoff (and Go's 2 extra heartbeats) they graft again; the hub takes them in up to
    // Dhi (they are outbound to it, so all of them) and shrinks again at its next heartbeat.
    for (int i = 0; i < 33; i++) {
      heartbeat();
    }
    settle(all);
    assertTrue(
        hub.stats().graftsReceived() > graftsBefore,
        "pruned leaves grafted again after the backoff");
  }

  @Test
  void graftDuringBackoffIsPrunedAndPenalisedAndGraylistingFollows() throws Exception {
    PeerScoreParams score =
        PeerScoreParams.builder()
            .topic(TOPIC, TopicScoreParams.goHeaderDefaults())
            .behaviourPenalty(-10, 0, 0.9)
            .build();
    PeerScoreThresholds thresholds = new PeerScoreThresholds(-10, -20, -30, 10, 1);
    PubSub node = node(GossipSubParams.defaults(), b -> b.peerScore(score, thresholds));
    node.subscribe(TOPIC);
    Raw raw = new Raw(GossipSubParams.MESHSUB_V11);
    raw.connect(node, GossipSubParams.MESHSUB_V11);

    raw.control(node, graft(TOPIC));
    assertEquals(Set.of(raw.id()), get(node.meshPeers(TOPIC)));
    raw.control(node, prune(TOPIC, 60));
    assertEquals(Set.of(), get(node.meshPeers(TOPIC)));
    assertEquals(0.0, get(node.score(raw.id())));

    raw.control(node, graft(TOPIC)); // within the 60 s it asked for, and within the flood threshold
    assertEquals(Set.of(), get(node.meshPeers(TOPIC)));
    // Two P7 points (GRAFT in backoff, and again within the flood threshold): -10 * 2^2.
    assertEquals(-40.0, get(node.score(raw.id())), 1e-9);
    List<PubsubProto.RPC> sent = raw.drain(node);
    PubsubProto.ControlPrune answer =
        sent.stream()
            .filter(r -> r.getControl().getPruneCount() > 0)
            .findFirst()
            .orElseThrow()
            .getControl()
            .getPrune(0);
    assertEquals(TOPIC, answer.getTopicID());
    assertEquals(60, answer.getBackoff());
    assertEquals(0, answer.getPeersCount(), "no PX for a peer that misbehaved");

    // -40 is under the graylist threshold (-30): everything it sends is dropped now.
    Subscription sub = node.subscribe(TOPIC);
    raw.send(
        node,
        PubsubProto.RPC
            .newBuilder()
            .addPublish(MessageSigning.sign(raw.key, 1, TOPIC, bytes("from a graylisted peer")))
            .build());
    assertEquals(1, node.stats().graylistedRpcs());
    assertEquals(0, node.stats().messagesReceived());
    CompletableFuture<Message> heard = sub.next();
    assertFalse(heard.isDone());

    // The penalty decays (0.9 per decay interval): after enough time the peer is heard again.
    for (int i = 0; i < 40; i++) {
      scheduler.advance(Duration.ofSeconds(1));
    }
    double later = get(node.score(raw.id()));
    assertTrue(later > -30 && later < 0, "decayed to " + later);
    raw.send(
        node,
        PubsubProto.RPC
            .newBuilder()
            .addPublish(MessageSigning.sign(raw.key, 2, TOPIC, bytes("heard again")))
            .build());
    assertEquals("heard again", text(get(heard)));
  }

  @Test
  void invalidMessagesCostTheSenderP4AndItsMeshPlace() throws Exception {
    PubSub a = node(GossipSubParams.defaults());
    PubSub b =
        node(
            GossipSubParams.defaults(),
            cfg ->
                cfg.peerScore(PeerScoreParams.forHeaderTopic(TOPIC), PeerScoreThresholds.CELESTIA));
    b.registerValidator(
        TOPIC,
        (src, m) ->
            CompletableFuture.completedFuture(
                text(m).startsWith("bad") ? ValidationResult.REJECT : ValidationResult.ACCEPT));
    a.subscribe(TOPIC);
    Subscription sb = b.subscribe(TOPIC);
    connect(a, b);
    heartbeat();
    settle(a, b);
    assertEquals(Set.of(id(a)), get(b.meshPeers(TOPIC)));

    get(a.publish(TOPIC, bytes("good")));
    assertEquals("good", text(get(sb.next())));
    // P2: one first delivery, weight 5, topic weight 0.1 (P1 is still 0: mesh time counts at
    // decay).
    assertEquals(0.5, get(b.score(id(a))), 1e-9);

    get(a.publish(TOPIC, bytes("bad")));
    get(a.publish(TOPIC, bytes("good again")));
    assertEquals("good again", text(get(sb.next())));
    // P4: -1000 * 1^2 * 0.1, plus two first deliveries.
    assertEquals(-100 + 1.0, get(b.score(id(a))), 1e-9);
    assertEquals(1, b.stats().rejected());

    heartbeat(); // a negative score: pruned from the mesh
    assertEquals(Set.of(), get(b.meshPeers(TOPIC)));
  }

  // ---- gossip ----

  @Test
  void ihaveIsAnsweredWithIwantAndIwantWithTheMessageAtMostThreeTimes() throws Exception {
    PubSub node =
        node(GossipSubParams.defaults(), cfg -> cfg.messageIdFunction(TOPIC, Message::data));
    node.subscribe(TOPIC);
    Raw raw = new Raw(GossipSubParams.MESHSUB_V11);
    raw.connect(node, GossipSubParams.MESHSUB_V11);
    // Keep the raw peer out of the node's mesh: it prunes the node with a long backoff.
    heartbeat();
    raw.control(node, prune(TOPIC, 600));
    assertEquals(Set.of(), get(node.meshPeers(TOPIC)));

    get(node.publish(TOPIC, bytes("m1")));
    raw.drain(node);
    heartbeat(); // gossip: IHAVE of the cached ids to non-mesh peers
    List<PubsubProto.RPC> got = raw.drain(node);
    List<ByteString> ihave =
        got.stream()
            .flatMap(r -> r.getControl().getIhaveList().stream())
            .flatMap(h -> h.getMessageIDsList().stream())
            .toList();
    assertEquals(List.of(ByteString.copyFromUtf8("m1")), ihave);
    assertEquals(
        0, count(got, PubsubProto.RPC::getPublishCount), "m1 itself did not go to a non-mesh peer");

    PubsubProto.ControlMessage.Builder iwant =
        PubsubProto.ControlMessage.newBuilder()
            .addIwant(
                PubsubProto.ControlIWant.newBuilder().addMessageIDs(ByteString.copyFromUtf8("m1")));
    for (int i = 0; i < 4; i++) {
      raw.control(node, iwant);
    }
    got = raw.drain(node);
    assertEquals(3, count(got, PubsubProto.RPC::getPublishCount), "IWANT answered 3 times, not 4");
    assertEquals("m1", got.get(0).getPublish(0).getData().toStringUtf8());

    // Our IHAVE of an id the node lacks: it asks for it (IWANT); a promise is made.
    raw.control(
        node,
        PubsubProto.ControlMessage.newBuilder()
            .addIhave(
                PubsubProto.ControlIHave.newBuilder()
                    .setTopicID(TOPIC)
                    .addMessageIDs(ByteString.copyFromUtf8("unknown"))
                    .addMessageIDs(ByteString.copyFromUtf8("m1"))));
    got = raw.drain(node);
    List<ByteString> wanted =
        got.stream()
            .flatMap(r -> r.getControl().getIwantList().stream())
            .flatMap(w -> w.getMessageIDsList().stream())
            .toList();
    assertEquals(List.of(ByteString.copyFromUtf8("unknown")), wanted, "only what it has not seen");
    // IHAVE for a topic the node did not join is ignored.
    raw.control(
        node,
        PubsubProto.ControlMessage.newBuilder()
            .addIhave(
                PubsubProto.ControlIHave.newBuilder()
                    .setTopicID("other")
                    .addMessageIDs(ByteString.copyFromUtf8("x"))));
    assertEquals(0, count(raw.drain(node), r -> r.getControl().getIwantCount()));
  }

  @Test
  void brokenIwantPromiseIsABehaviourPenalty() throws Exception {
    PeerScoreParams score =
        PeerScoreParams.builder()
            .topic(TOPIC, TopicScoreParams.goHeaderDefaults())
            .behaviourPenalty(-10, 0, 0.99)
            .build();
    PubSub node =
        node(GossipSubParams.defaults(), b -> b.peerScore(score, PeerScoreThresholds.CELESTIA));
    node.subscribe(TOPIC);
    Raw raw = new Raw(GossipSubParams.MESHSUB_V11);
    raw.connect(node, GossipSubParams.MESHSUB_V11);
    raw.control(
        node,
        PubsubProto.ControlMessage.newBuilder()
            .addIhave(
                PubsubProto.ControlIHave.newBuilder()
                    .setTopicID(TOPIC)
                    .addMessageIDs(ByteString.copyFromUtf8("never sent"))));
    assertEquals(0.0, get(node.score(raw.id())), 1e-3);
    scheduler.advance(Duration.ofSeconds(2)); // within the 3 s follow-up time
    assertEquals(0.0, get(node.score(raw.id())), 1e-3, "only P1 of the mesh the heartbeat made");
    // Past 3 s the next heartbeat counts the broken promise; the score then decays (0.99 per s).
    scheduler.advance(Duration.ofMillis(1100));
    double s = get(node.score(raw.id()));
    assertTrue(s < -9 && s >= -10, "score " + s);
    assertEquals(1, node.stats().brokenPromises());
  }

  @Test
  void idontwantIsHonouredAndSentForLargeMessages() throws Exception {
    PubSub node =
        node(GossipSubParams.defaults(), cfg -> cfg.messageIdFunction(TOPIC, Message::data));
    Subscription atNode = node.subscribe(TOPIC);
    Raw raw = new Raw(GossipSubParams.MESHSUB_V12);
    raw.connect(node, GossipSubParams.MESHSUB_V12);
    raw.control(node, graft(TOPIC));
    assertEquals(Set.of(raw.id()), get(node.meshPeers(TOPIC)));
    raw.drain(node);

    raw.control(
        node,
        PubsubProto.ControlMessage.newBuilder()
            .addIdontwant(
                PubsubProto.ControlIDontWant.newBuilder()
                    .addMessageIDs(ByteString.copyFromUtf8("skip me"))));
    get(node.publish(TOPIC, bytes("skip me")));
    get(node.publish(TOPIC, bytes("send me")));
    List<PubsubProto.RPC> got = raw.drain(node);
    List<String> data =
        got.stream()
            .flatMap(r -> r.getPublishList().stream())
            .map(m -> m.getData().toStringUtf8())
            .toList();
    assertEquals(List.of("send me"), data);
    assertEquals(1, node.stats().skippedForIdontwant());

    // A second v1.2 mesh peer: a large message from it makes the node tell the raw peer IDONTWANT.
    PubSub other =
        node(GossipSubParams.defaults(), cfg -> cfg.messageIdFunction(TOPIC, Message::data));
    other.subscribe(TOPIC);
    connect(other, node);
    heartbeat();
    settle(node, other);
    assertTrue(get(node.meshPeers(TOPIC)).contains(id(other)));
    raw.drain(node);
    byte[] large = new byte[2000];
    large[0] = 'L';
    get(atNode.next()); // skip me
    get(atNode.next()); // send me
    get(other.publish(TOPIC, large));
    assertEquals('L', get(atNode.next()).data()[0]); // delivered, so forwarded too
    got = raw.drain(node);
    List<ByteString> dontWant =
        got.stream()
            .flatMap(r -> r.getControl().getIdontwantList().stream())
            .flatMap(i -> i.getMessageIDsList().stream())
            .toList();
    assertEquals(List.of(ByteString.copyFrom(large)), dontWant);
    assertEquals(
        1,
        count(got, PubsubProto.RPC::getPublishCount),
        "and then forwards it (raw sent no IDONTWANT)");
  }

  // ---- fanout, flood publish, floodsub peers ----

  @Test
  void publishingWithoutJoiningUsesFanoutUntilItsTtl() throws Exception {
    PubSub pub = node(SMALL);
    pub.subscribe("warmup");
    List<Subscription> subs = new ArrayList<>();
    List<PubSub> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      PubSub p = node(SMALL);
      subs.add(p.subscribe(TOPIC));
      others.add(p);
      get(host(pub).connect(host(p).listenAddresses().get(0)));
      get(pub.awaitPeer(TOPIC, id(p)));
    }
    get(pub.publish(TOPIC, bytes("via fanout")));
    Set<PeerId> fanout = get(pub.fanoutPeers(TOPIC));
    assertEquals(2, fanout.size(), "D=2 fanout peers");
    for (int i = 0; i < 3; i++) {
      if (fanout.contains(id(others.get(i)))) {
        assertEquals("via fanout", text(get(subs.get(i).next())));
      }
    }
    assertEquals(Set.of(), get(pub.meshPeers(TOPIC)));
    for (int i = 0; i < 59; i++) {
      heartbeat();
    }
    assertEquals(fanout, get(pub.fanoutPeers(TOPIC)));
    heartbeat();
    heartbeat();
    assertEquals(Set.of(), get(pub.fanoutPeers(TOPIC)), "expired 60 s after the last publish");
  }

  @Test
  void floodPublishSendsOurOwnMessagesToEveryTopicPeer() throws Exception {
    PubSub pub =
        node(GossipSubParams.builder().degrees(2, 1, 3, 1, 0, 2).floodPublish(true).build());
    pub.subscribe(TOPIC);
    List<Subscription> subs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      PubSub p = node(SMALL);
      subs.add(p.subscribe(TOPIC));
      connect(pub, p);
    }
    // Everyone joined before knowing a peer and no heartbeat ran: no mesh at all. Without flood
    // publishing the message would go nowhere; with it, it goes to every topic peer.
    assertEquals(Set.of(), get(pub.meshPeers(TOPIC)));
    get(pub.publish(TOPIC, bytes("to all")));
    for (Subscription s : subs) {
      Message m = get(s.next());
      assertEquals("to all", text(m));
      assertEquals(id(pub), m.receivedFrom());
    }
  }

  @Test
  void floodsubPeersGetEveryMessageAndStayOutOfTheMesh() throws Exception {
    PubSub gossip = node(GossipSubParams.defaults());
    PubSub mesh = node(GossipSubParams.defaults());
    byte[] s = new byte[32];
    new Random(seed++).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    Host fh = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
    hosts.add(fh);
    PubSub flood = PubSub.builder(fh, key).build();
    pubsubs.add(flood);
    get(flood.start());
    get(fh.start());
    Subscription sg = gossip.subscribe(TOPIC);
    Subscription sm = mesh.subscribe(TOPIC);
    Subscription sf = flood.subscribe(TOPIC);
    connect(gossip, mesh);
    connect(flood, gossip);
    heartbeat();
    settle(gossip, mesh);
    assertEquals(Set.of(id(mesh)), get(gossip.meshPeers(TOPIC)));

    get(mesh.publish(TOPIC, bytes("from the mesh")));
    Message atFlood = get(sf.next());
    assertEquals("from the mesh", text(atFlood));
    assertEquals(id(gossip), atFlood.receivedFrom());
    assertEquals("from the mesh", text(get(sm.next())));
    assertEquals("from the mesh", text(get(sg.next())));
    get(flood.publish(TOPIC, bytes("from floodsub")));
    assertEquals("from floodsub", text(get(sg.next())));
    Message atMesh = get(sm.next());
    assertEquals("from floodsub", text(atMesh));
    assertEquals(id(gossip), atMesh.receivedFrom());
  }

  @Test
  void graftFromAnInboundPeerIntoAFullMeshIsPruned() throws Exception {
    PubSub hub = node(SMALL);
    hub.subscribe(TOPIC);
    List<Raw> raws = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Raw raw = new Raw(GossipSubParams.MESHSUB_V11);
      raw.connect(hub, GossipSubParams.MESHSUB_V11); // the raw peer dials: inbound for the hub
      raws.add(raw);
    }
    for (int i = 0; i < 3; i++) {
      raws.get(i).control(hub, graft(TOPIC));
    }
    assertEquals(3, get(hub.meshPeers(TOPIC)).size());
    Raw late = raws.get(3);
    late.drain(hub);
    late.control(hub, graft(TOPIC)); // Dhi=3 reached and the peer is inbound
    assertFalse(get(hub.meshPeers(TOPIC)).contains(late.id()));
    List<PubsubProto.RPC> got = late.drain(hub);
    PubsubProto.ControlPrune answer =
        got.stream()
            .filter(r -> r.getControl().getPruneCount() > 0)
            .findFirst()
            .orElseThrow()
            .getControl()
            .getPrune(0);
    assertEquals(60, answer.getBackoff());
  }

  @Test
  void leavingPrunesWithTheUnsubscribeBackoffAndV10PeersGetNoBackoffField() throws Exception {
    PubSub node = node(GossipSubParams.defaults());
    Subscription sub = node.subscribe(TOPIC);
    Raw v11 = new Raw(GossipSubParams.MESHSUB_V11);
    v11.connect(node, GossipSubParams.MESHSUB_V11);
    Raw v10 = new Raw(GossipSubParams.MESHSUB_V10);
    v10.connect(node, GossipSubParams.MESHSUB_V10);
    v11.control(node, graft(TOPIC));
    v10.control(node, graft(TOPIC));
    assertEquals(Set.of(v11.id(), v10.id()), get(node.meshPeers(TOPIC)));
    v11.drain(node);
    v10.drain(node);
    sub.cancel();
    assertEquals(Set.of(), get(node.meshPeers(TOPIC)));
    PubsubProto.ControlPrune to11 =
        v11.drain(node).stream()
            .filter(r -> r.getControl().getPruneCount() > 0)
            .findFirst()
            .orElseThrow()
            .getControl()
            .getPrune(0);
    assertEquals(10, to11.getBackoff(), "unsubscribe backoff");
    PubsubProto.ControlPrune to10 =
        v10.drain(node).stream()
            .filter(r -> r.getControl().getPruneCount() > 0)
            .findFirst()
            .orElseThrow()
            .getControl()
            .getPrune(0);
    assertFalse(to10.hasBackoff(), "v1.0 knows no backoff");
  }

  @Test
  void pxRecordsAreAcceptedOnlyFromPeersAtTheAcceptPxThreshold() throws Exception {
    PubsubProto.ControlMessage.Builder pruneWithPx =
        PubsubProto.ControlMessage.newBuilder()
            .addPrune(
                PubsubProto.ControlPrune.newBuilder()
                    .setTopicID(TOPIC)
                    .setBackoff(60)
                    .addPeers(
                        PubsubProto.PeerInfo.newBuilder().setPeerID(ByteString.copyFromUtf8("p1")))
                    .addPeers(
                        PubsubProto.PeerInfo.newBuilder()
                            .setPeerID(ByteString.copyFromUtf8("p2"))));
    PubSub open = node(GossipSubParams.defaults());
    open.subscribe(TOPIC);
    Raw a = new Raw(GossipSubParams.MESHSUB_V11);
    a.connect(open, GossipSubParams.MESHSUB_V11);
    a.control(open, graft(TOPIC));
    a.control(open, pruneWithPx);
    assertEquals(
        2, open.stats().pxRecordsAccepted(), "no scoring: every score is 0, at the threshold 0");

    PubSub strict =
        node(
            GossipSubParams.defaults(),
            cfg ->
                cfg.peerScore(PeerScoreParams.forHeaderTopic(TOPIC), PeerScoreThresholds.CELESTIA));
    strict.subscribe(TOPIC);
    Raw b = new Raw(GossipSubParams.MESHSUB_V11);
    b.connect(strict, GossipSubParams.MESHSUB_V11);
    b.control(strict, graft(TOPIC));
    b.control(strict, pruneWithPx);
    assertEquals(0, strict.stats().pxRecordsAccepted(), "score 0 is under celestia's 1000");
    assertEquals(Set.of(), get(strict.meshPeers(TOPIC)));
  }

  @Test
  void pxPeersAreOfferedForDiallingWhenTheMeshIsBelowDlo() throws Exception {
    io.headersync.libp2p.PeerId offeredPeer =
        io.headersync.libp2p.PrivateKey.ed25519FromSeed(new byte[32]).peerId();
    PubsubProto.ControlMessage.Builder pruneWithPx =
        PubsubProto.ControlMessage.newBuilder()
            .addPrune(
                PubsubProto.ControlPrune.newBuilder()
                    .setTopicID(TOPIC)
                    .setBackoff(60)
                    .addPeers(
                        PubsubProto.PeerInfo.newBuilder()
                            .setPeerID(ByteString.copyFromUtf8("not a peer id")))
                    .addPeers(
                        PubsubProto.PeerInfo.newBuilder()
                            .setPeerID(ByteString.copyFrom(offeredPeer.bytes()))));
    java.util.concurrent.CompletableFuture<List<io.headersync.libp2p.PeerId>> offered =
        new java.util.concurrent.CompletableFuture<>();
    PubSub node =
        node(GossipSubParams.defaults(), cfg -> cfg.peerExchangeDialer(offered::complete));
    node.subscribe(TOPIC);
    Raw a = new Raw(GossipSubParams.MESHSUB_V11);
    a.connect(node, GossipSubParams.MESHSUB_V11);
    a.control(node, graft(TOPIC));
    a.control(node, pruneWithPx);
    // The mesh is empty again (below Dlo): the valid id is offered, the malformed one skipped.
    assertEquals(List.of(offeredPeer), offered.get(10, java.util.concurrent.TimeUnit.SECONDS));
  }
}
