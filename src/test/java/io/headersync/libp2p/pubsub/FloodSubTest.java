package io.headersync.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FloodSubTest {
  static final long T = 20;
  static final String TOPIC = "/gm-headerSync/header-sub/v0.0.1";

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<Host> hosts = new ArrayList<>();
  private final List<PubSub> pubsubs = new ArrayList<>();
  private int seed = 100;

  @AfterEach
  void close() {
    pubsubs.forEach(PubSub::close);
    hosts.forEach(Host::close);
    network.close();
  }

  PubSub node(Consumer<PubSub.Builder> config) throws Exception {
    byte[] s = new byte[32];
    new Random(seed++).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    Host h = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
    hosts.add(h);
    PubSub.Builder b = PubSub.builder(h, key);
    config.accept(b);
    PubSub p = b.build();
    pubsubs.add(p);
    get(p.start()); // before the host, so identify lists /floodsub/1.0.0
    get(h.start());
    return p;
  }

  PubSub node() throws Exception {
    return node(b -> {});
  }

  Host host(PubSub p) {
    return hosts.get(pubsubs.indexOf(p));
  }

  void connect(PubSub a, PubSub b) throws Exception {
    get(host(a).connect(host(b).listenAddresses().get(0)));
  }

  /** Waits until each of a and b can send topic messages to the other. */
  void linked(PubSub a, PubSub b) throws Exception {
    get(a.awaitPeer(TOPIC, host(b).peerId()));
    get(b.awaitPeer(TOPIC, host(a).peerId()));
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(Message m) {
    return new String(m.data(), StandardCharsets.UTF_8);
  }

  @Test
  void relaysAlongALine() throws Exception {
    PubSub a = node();
    PubSub b = node();
    PubSub c = node();
    Subscription sa = a.subscribe(TOPIC);
    Subscription sb = b.subscribe(TOPIC);
    Subscription sc = c.subscribe(TOPIC);
    connect(a, b);
    connect(c, b);
    linked(a, b);
    linked(b, c);

    get(a.publish(TOPIC, bytes("hello")));
    Message atC = get(sc.next());
    assertEquals("hello", text(atC));
    assertEquals(host(a).peerId(), atC.from().orElseThrow());
    assertEquals(host(b).peerId(), atC.receivedFrom());
    assertEquals(8, atC.seqno().length);
    assertEquals(TOPIC, atC.topic());
    assertArrayEquals(MessageIdFunction.DEFAULT.apply(atC), atC.id());
    assertEquals("hello", text(get(sb.next())));
    assertEquals("hello", text(get(sa.next())), "our own publishes reach our subscriptions");

    get(c.publish(TOPIC, bytes("back")));
    Message atA = get(sa.next());
    assertEquals("back", text(atA));
    assertEquals(host(c).peerId(), atA.from().orElseThrow());
    assertEquals(atC.seqnoAsLong() > 0, true);
  }

  @Test
  void ringDeliversEachMessageOnce() throws Exception {
    PubSub a = node();
    PubSub b = node();
    PubSub c = node();
    PubSub d = node();
    Subscription sb = b.subscribe(TOPIC);
    Subscription sc = c.subscribe(TOPIC);
    Subscription sd = d.subscribe(TOPIC);
    connect(a, b);
    connect(b, c);
    connect(c, d);
    connect(d, a);
    get(a.awaitPeer(TOPIC, host(b).peerId()));
    get(a.awaitPeer(TOPIC, host(d).peerId()));
    linked(b, c);
    linked(c, d);

    int n = 20;
    for (int i = 0; i < n; i++) {
      get(a.publish(TOPIC, bytes("m" + i)));
    }
    Set<String> atC = new HashSet<>();
    for (int i = 0; i < n; i++) {
      assertTrue(atC.add(text(get(sc.next()))), "duplicate delivered");
      get(sb.next());
      get(sd.next());
    }
    // B and D have forwarded every message to C before they publish their markers, and each stream
    // is ordered: once C has both markers it has handled every copy of every message.
    get(b.publish(TOPIC, bytes("marker-b")));
    get(d.publish(TOPIC, bytes("marker-d")));
    Set<String> markers = new HashSet<>();
    markers.add(text(get(sc.next())));
    markers.add(text(get(sc.next())));
    assertEquals(Set.of("marker-b", "marker-d"), markers);
    assertFalse(sc.next().isDone(), "nothing more, in particular no duplicate");
  }

  @Test
  void rejectedMessagesAreNeitherDeliveredNorForwarded() throws Exception {
    PubSub a = node();
    PubSub b = node();
    PubSub c = node();
    b.registerValidator(
        TOPIC,
        (src, m) ->
            CompletableFuture.completedFuture(
                text(m).startsWith("bad") ? ValidationResult.REJECT : ValidationResult.ACCEPT));
    Subscription sb = b.subscribe(TOPIC);
    Subscription sc = c.subscribe(TOPIC);
    a.subscribe(TOPIC);
    connect(a, b);
    connect(b, c);
    linked(a, b);
    linked(b, c);

    get(a.publish(TOPIC, bytes("bad 1")));
    get(a.publish(TOPIC, bytes("good")));
    assertEquals("good", text(get(sb.next())));
    assertEquals("good", text(get(sc.next())));
  }

  @Test
  void ignoredAndTimedOutMessagesAreDropped() throws Exception {
    PubSub a = node();
    PubSub b = node(cfg -> cfg.validationTimeout(java.time.Duration.ofMillis(50)));
    b.registerValidator(
        TOPIC,
        (src, m) ->
            switch (text(m)) {
              case "ignore" -> CompletableFuture.completedFuture(ValidationResult.IGNORE);
              case "never" -> new CompletableFuture<>();
              case "throw" -> throw new IllegalStateException("boom");
              default -> CompletableFuture.completedFuture(ValidationResult.ACCEPT);
            });
    Subscription sb = b.subscribe(TOPIC);
    a.subscribe(TOPIC);
    connect(a, b);
    linked(a, b);
    get(a.publish(TOPIC, bytes("ignore")));
    get(a.publish(TOPIC, bytes("throw")));
    get(a.publish(TOPIC, bytes("never")));
    get(a.publish(TOPIC, bytes("ok")));
    assertEquals("ok", text(get(sb.next())));
  }

  @Test
  void ownMessageRejectedByOurValidatorFailsPublish() throws Exception {
    PubSub a = node();
    a.registerValidator(
        TOPIC, (src, m) -> CompletableFuture.completedFuture(ValidationResult.REJECT));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> get(a.publish(TOPIC, bytes("x"))));
    assertEquals(
        PubSubException.Reason.REJECTED,
        assertInstanceOf(PubSubException.class, e.getCause()).reason());
  }

  @Test
  void unsubscribeIsAnnouncedAndEndsTheSubscription() throws Exception {
    PubSub a = node();
    PubSub b = node();
    a.subscribe(TOPIC);
    Subscription sb = b.subscribe(TOPIC);
    connect(a, b);
    linked(a, b);
    assertEquals(Set.of(host(b).peerId()), get(a.peers(TOPIC)));

    CompletableFuture<Message> pending = sb.next();
    sb.cancel();
    assertThrows(CancellationException.class, () -> get(pending));
    assertThrows(CancellationException.class, () -> get(sb.next()));
    // Subscription changes travel in order on B's stream: once A knows of "other", it has seen
    // B leave TOPIC.
    b.subscribe("other");
    get(a.awaitPeer("other", host(b).peerId()));
    assertEquals(Set.of(), get(a.peers(TOPIC)));
  }

  @Test
  void publishOverMaximumSizeFails() throws Exception {
    PubSub a = node(cfg -> cfg.maxMessageSize(4096));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> get(a.publish(TOPIC, new byte[4096])));
    assertEquals(
        PubSubException.Reason.TOO_LARGE,
        assertInstanceOf(PubSubException.class, e.getCause()).reason());
    get(a.publish(TOPIC, new byte[3000]));
  }

  @Test
  void receiverDropsFramesOverItsMaximum() throws Exception {
    PubSub a = node(cfg -> cfg.maxMessageSize(PubSub.EVNODE_MAX_MESSAGE_SIZE));
    PubSub b = node(cfg -> cfg.maxMessageSize(4096));
    Subscription sb = b.subscribe(TOPIC);
    a.subscribe(TOPIC);
    connect(a, b);
    linked(a, b);
    get(a.publish(TOPIC, new byte[10_000]));
    get(a.publish(TOPIC, bytes("small")));
    // B reset A's stream at the large frame; nothing of it (or after it) is delivered.
    CompletableFuture<Message> next = sb.next();
    get(b.publish(TOPIC, bytes("own")));
    assertEquals("own", text(get(next)));
  }

  @Test
  void slowSubscriberDropsBeyondCapacity() throws Exception {
    PubSub a = node(cfg -> cfg.subscriptionCapacity(2));
    Subscription sa = a.subscribe(TOPIC);
    for (int i = 0; i < 5; i++) {
      get(a.publish(TOPIC, bytes("m" + i)));
    }
    assertEquals(3, sa.dropped());
    assertEquals("m0", text(get(sa.next())));
    assertEquals("m1", text(get(sa.next())));
    assertFalse(sa.next().isDone());
  }

  @Test
  void strictNoSignNodesRelayUnsignedMessages() throws Exception {
    Consumer<PubSub.Builder> noSign =
        cfg ->
            cfg.signaturePolicy(SignaturePolicy.STRICT_NO_SIGN)
                .defaultMessageIdFunction(Message::data);
    PubSub a = node(noSign);
    PubSub b = node(noSign);
    PubSub c = node(noSign);
    b.subscribe(TOPIC);
    Subscription sc = c.subscribe(TOPIC);
    connect(a, b);
    connect(b, c);
    get(a.awaitPeer(TOPIC, host(b).peerId()));
    linked(b, c);
    get(a.publish(TOPIC, bytes("unsigned")));
    Message m = get(sc.next());
    assertEquals("unsigned", text(m));
    assertTrue(m.from().isEmpty());
    assertEquals(0, m.seqno().length);
    assertEquals(0, m.signature().length);
    assertArrayEquals(bytes("unsigned"), m.id());
  }

  @Test
  void strictSignNodeDropsUnsignedMessages() throws Exception {
    PubSub a = node(cfg -> cfg.signaturePolicy(SignaturePolicy.STRICT_NO_SIGN));
    PubSub b = node();
    Subscription sb = b.subscribe(TOPIC);
    a.subscribe(TOPIC);
    connect(a, b);
    linked(a, b);
    get(a.publish(TOPIC, bytes("unsigned")));
    CompletableFuture<Message> next = sb.next();
    get(b.publish(TOPIC, bytes("own")));
    assertEquals("own", text(get(next)));
  }

  @Test
  void reconnectedPeersTalkAgain() throws Exception {
    PubSub a = node();
    PubSub b = node();
    a.subscribe(TOPIC);
    Subscription sb = b.subscribe(TOPIC);
    connect(a, b);
    linked(a, b);
    get(a.publish(TOPIC, bytes("first")));
    assertEquals("first", text(get(sb.next())));

    // Listeners hear events in order, after the PubSub's own listener (registered first): once
    // ours heard the disconnect, A's router has the disconnect queued before anything we ask next.
    CompletableFuture<Void> aSawDisconnect = new CompletableFuture<>();
    host(a)
        .addConnectionListener(
            new io.headersync.libp2p.ConnectionListener() {
              @Override
              public void disconnected(io.headersync.libp2p.PeerId peer) {
                aSawDisconnect.complete(null);
              }
            });
    CompletableFuture<Void> bSawDisconnect = new CompletableFuture<>();
    host(b)
        .addConnectionListener(
            new io.headersync.libp2p.ConnectionListener() {
              @Override
              public void disconnected(io.headersync.libp2p.PeerId peer) {
                bSawDisconnect.complete(null);
              }
            });
    get(host(a).disconnect(host(b).peerId()));
    get(aSawDisconnect);
    get(bSawDisconnect);
    connect(b, a);
    linked(a, b);
    get(a.publish(TOPIC, bytes("second")));
    assertEquals("second", text(get(sb.next())));
  }

  @Test
  void closedPubSubFailsPublishAndEndsSubscriptions() throws Exception {
    PubSub a = node();
    Subscription sa = a.subscribe(TOPIC);
    CompletableFuture<Message> pending = sa.next();
    a.close();
    assertThrows(CancellationException.class, () -> get(pending));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> get(a.publish(TOPIC, bytes("x"))));
    assertEquals(
        PubSubException.Reason.CLOSED,
        assertInstanceOf(PubSubException.class, e.getCause()).reason());
    a.close(); // idempotent
  }

  @Test
  void slowPeerGetsAtMostItsQueueAndTheRestIsDropped() throws Exception {
    PubSub a = node(cfg -> cfg.peerQueueSize(8));
    a.subscribe(TOPIC);
    // A bare host that speaks floodsub, announces the topic and never reads what A sends.
    byte[] s = new byte[32];
    new Random(999).nextBytes(s);
    Host slow =
        Host.builder(PrivateKey.ed25519FromSeed(s))
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .build();
    hosts.add(slow);
    List<io.headersync.libp2p.Stream> unread = new ArrayList<>();
    slow.setStreamHandler("/floodsub/1.0.0", unread::add);
    get(slow.start());
    get(slow.connect(host(a).listenAddresses().get(0)));
    io.headersync.libp2p.Stream out = get(slow.newStream(host(a).peerId(), "/floodsub/1.0.0"));
    get(
        out.writeMessage(
            io.headersync.libp2p.pubsub.internal.pb.PubsubProto.RPC
                .newBuilder()
                .addSubscriptions(
                    io.headersync.libp2p.pubsub.internal.pb.PubsubProto.RPC
                        .SubOpts
                        .newBuilder()
                        .setSubscribe(true)
                        .setTopicid(TOPIC))
                .build()
                .toByteArray()));
    get(a.awaitPeer(TOPIC, slow.peerId()));

    byte[] data = new byte[64 << 10];
    int n = 40;
    for (int i = 0; i < n; i++) {
      get(a.publish(TOPIC, data));
    }
    // 40 x 64 KiB is far beyond the 256 KiB Yamux window the slow peer never opens further: once 8
    // writes are stuck, the rest is dropped. (How many writes the stream buffers before they get
    // stuck depends on the host's buffers, so only the bounds are checked.)
    long dropped = a.droppedOutbound();
    assertTrue(dropped > 0 && dropped <= n - 8, "dropped " + dropped);
    out.close();
    unread.forEach(io.headersync.libp2p.Stream::reset);
  }

  @Test
  void anAnnouncementDroppedOnAFullQueueIsRetriedLikeGoDoes() throws Exception {
    io.headersync.testkit.MutableClock clock =
        new io.headersync.testkit.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    io.headersync.testkit.ManualScheduler scheduler =
        new io.headersync.testkit.ManualScheduler(clock);
    PubSub a =
        node(cfg -> cfg.peerQueueSize(2).scheduler(scheduler).clock(clock).random(new Random(7)));
    a.subscribe(TOPIC);
    byte[] s = new byte[32];
    new Random(998).nextBytes(s);
    Host slow =
        Host.builder(PrivateKey.ed25519FromSeed(s))
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .build();
    hosts.add(slow);
    CompletableFuture<io.headersync.libp2p.Stream> fromA = new CompletableFuture<>();
    slow.setStreamHandler("/floodsub/1.0.0", fromA::complete);
    get(slow.start());
    get(slow.connect(host(a).listenAddresses().get(0)));
    io.headersync.libp2p.Stream out = get(slow.newStream(host(a).peerId(), "/floodsub/1.0.0"));
    get(
        out.writeMessage(
            io.headersync.libp2p.pubsub.internal.pb.PubsubProto.RPC
                .newBuilder()
                .addSubscriptions(
                    io.headersync.libp2p.pubsub.internal.pb.PubsubProto.RPC
                        .SubOpts
                        .newBuilder()
                        .setSubscribe(true)
                        .setTopicid(TOPIC))
                .build()
                .toByteArray()));
    get(a.awaitPeer(TOPIC, slow.peerId()));
    // The slow peer reads nothing: A's two queue slots fill with messages stuck behind the Yamux
    // window.
    for (int i = 0; i < 20; i++) {
      get(a.publish(TOPIC, new byte[64 << 10]));
    }
    long before = a.droppedOutbound();
    assertTrue(before > 0, "the queue never filled");
    a.subscribe("late");
    get(a.fanoutPeers(TOPIC)); // a router round trip: the subscription was announced (or dropped)
    assertEquals(before + 1, a.droppedOutbound(), "the announcement of 'late' was not dropped");

    // Now the peer reads: once A's queue drains and the retry timer fires, 'late' arrives.
    io.headersync.libp2p.Stream in = get(fromA);
    CompletableFuture<Void> sawLate = new CompletableFuture<>();
    readUntilSubscribed(in, "late", sawLate);
    for (int second = 0; !sawLate.isDone(); second++) {
      assertTrue(second < 30, "'late' never announced after the queue drained");
      scheduler.advance(java.time.Duration.ofSeconds(1));
      try {
        sawLate.get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // the write completions have not reached the router yet: advance again
      }
    }
    get(sawLate);
    out.close();
    in.reset();
  }

  private static void readUntilSubscribed(
      io.headersync.libp2p.Stream in, String topic, CompletableFuture<Void> done) {
    in.readMessage(1 << 20)
        .whenComplete(
            (m, err) -> {
              if (err != null || m.isEmpty()) {
                done.completeExceptionally(err != null ? err : new AssertionError("stream ended"));
                return;
              }
              try {
                var rpc =
                    io.headersync.libp2p.pubsub.internal.pb.PubsubProto.RPC.parseFrom(m.get());
                if (rpc.getSubscriptionsList().stream()
                    .anyMatch(o -> o.getSubscribe() && o.getTopicid().equals(topic))) {
                  done.complete(null);
                  return;
                }
              } catch (Exception e) {
                done.completeExceptionally(e);
                return;
              }
              readUntilSubscribed(in, topic, done);
            });
  }

  @Test
  void messagesBeyondTheValidationLimitAreDropped() throws Exception {
    java.util.concurrent.LinkedBlockingQueue<Runnable> held =
        new java.util.concurrent.LinkedBlockingQueue<>();
    PubSub a = node();
    PubSub b = node(cfg -> cfg.maxConcurrentValidations(1).validationExecutor(held::add));
    Subscription sb = b.subscribe(TOPIC);
    a.subscribe(TOPIC);
    connect(a, b);
    linked(a, b);

    get(a.publish(TOPIC, bytes("m1")));
    Runnable first = held.poll(T, TimeUnit.SECONDS); // m1's signature check, not run yet
    assertTrue(first != null);
    get(a.publish(TOPIC, bytes("m2")));
    // A's subscription change follows m2 on the same stream: once B knows it, B has handled m2.
    a.subscribe("barrier");
    get(b.awaitPeer("barrier", host(a).peerId()));
    assertEquals(1, b.throttled());
    assertTrue(held.isEmpty(), "m2 never reached the validation executor");

    first.run();
    assertEquals("m1", text(get(sb.next())));
    get(a.publish(TOPIC, bytes("m3")));
    held.poll(T, TimeUnit.SECONDS).run();
    assertEquals("m3", text(get(sb.next())));
  }

  @Test
  void topicMessageIdFunctionDecidesWhatIsADuplicate() throws Exception {
    Consumer<PubSub.Builder> byData = cfg -> cfg.messageIdFunction(TOPIC, Message::data);
    PubSub a = node(byData);
    PubSub b = node(byData);
    PubSub c = node(byData);
    a.subscribe(TOPIC);
    Subscription sb = b.subscribe(TOPIC);
    c.subscribe(TOPIC);
    connect(a, b);
    connect(b, c);
    linked(a, b);
    linked(b, c);

    get(a.publish(TOPIC, bytes("same")));
    Message first = get(sb.next());
    assertArrayEquals(bytes("same"), first.id());
    get(c.publish(TOPIC, bytes("same"))); // another author, same id: a duplicate for B
    get(c.publish(TOPIC, bytes("after")));
    assertEquals("after", text(get(sb.next())));
  }

  @Test
  void aForgedCopyDoesNotSuppressTheGenuineMessage() throws Exception {
    PubSub b = node();
    Subscription sb = b.subscribe(TOPIC);
    byte[] s = new byte[32];
    new Random(777).nextBytes(s);
    PrivateKey rawKey = PrivateKey.ed25519FromSeed(s);
    Host raw = Host.builder(rawKey).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
    hosts.add(raw);
    raw.setStreamHandler("/floodsub/1.0.0", io.headersync.libp2p.Stream::close);
    get(raw.start());
    get(raw.connect(host(b).listenAddresses().get(0)));
    io.headersync.libp2p.Stream out = get(raw.newStream(host(b).peerId(), "/floodsub/1.0.0"));
    var genuine =
        io.headersync.libp2p.pubsub.internal.MessageSigning.sign(rawKey, 5, TOPIC, bytes("real"));
    var forged =
        genuine.toBuilder().setData(com.google.protobuf.ByteString.copyFromUtf8("fake")).build();
    for (var m : List.of(forged, genuine, forged)) {
      get(
          out.writeMessage(
              io.headersync.libp2p.pubsub.internal.pb.PubsubProto.RPC
                  .newBuilder()
                  .addPublish(m)
                  .build()
                  .toByteArray()));
    }
    Message got = get(sb.next());
    assertEquals("real", text(got));
    assertEquals(raw.peerId(), got.from().orElseThrow());
    CompletableFuture<Message> next = sb.next();
    get(b.publish(TOPIC, bytes("own")));
    assertEquals("own", text(get(next)), "no forged copy delivered");
    out.close();
  }
}
