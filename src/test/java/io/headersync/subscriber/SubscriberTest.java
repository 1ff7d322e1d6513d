package io.headersync.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.VerifyException;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.libp2p.pubsub.PubSubException;
import io.headersync.libp2p.pubsub.Subscription;
import io.headersync.lifecycle.Service;
import io.headersync.testing.Logs;
import io.headersync.testkit.DummyHeader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SubscriberTest {
  static final String TOPIC = Subscriber.topic("gm");
  static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Clock clock = Clock.systemUTC();
  private int seed = 7;

  private PubSub pa;
  private PubSub pb;
  private Subscriber<DummyHeader> a;
  private Subscriber<DummyHeader> b;

  @BeforeEach
  void setUp() throws Exception {
    pa = pubSub();
    pb = pubSub();
    a = new Subscriber<>(pa, DummyHeader.TYPE, TOPIC, clock);
    b = new Subscriber<>(pb, DummyHeader.TYPE, TOPIC, clock);
    closeables.add(a);
    closeables.add(b);
    a.start();
    b.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
  }

  private final List<Host> hosts = new ArrayList<>();

  PubSub pubSub() throws Exception {
    byte[] s = new byte[32];
    new Random(seed++).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    Host h = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
    // One validation thread: validations finish in arrival order, so a later delivery proves an
    // earlier message was already judged.
    ExecutorService validation = Executors.newSingleThreadExecutor();
    closeables.add(validation::shutdownNow);
    PubSub p = PubSub.builder(h, key).validationExecutor(validation).build();
    closeables.add(h);
    closeables.add(p);
    hosts.add(h);
    get(p.start());
    get(h.start());
    return p;
  }

  void link() throws Exception {
    get(hosts.get(0).connect(hosts.get(1).listenAddresses().get(0)));
    get(pa.awaitPeer(TOPIC, hosts.get(1).peerId()));
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static CompletableFuture<Void> accept(DummyHeader h) {
    return CompletableFuture.completedFuture(null);
  }

  @Test
  void topicFollowsGoHeader() {
    assertEquals("/gm/header-sub/v0.0.1", Subscriber.topic("gm"));
    assertEquals("header-sub/v0.0.1", Subscriber.topic(""));
    assertEquals("/gm-headerSync/header-sub/v0.0.1", Subscriber.topic("gm-headerSync"));
  }

  @Test
  void broadcastReachesThePeerDecodedAndVerified() throws Exception {
    List<DummyHeader> verifiedAtB = new ArrayList<>();
    a.setVerifier(SubscriberTest::accept);
    b.setVerifier(
        h -> {
          synchronized (verifiedAtB) {
            verifiedAtB.add(h);
          }
          return CompletableFuture.completedFuture(null);
        });
    HeaderSubscription<DummyHeader> atB = b.subscribe();
    HeaderSubscription<DummyHeader> atA = a.subscribe();
    link();

    DummyHeader h = DummyHeader.genesis("gm", 1, T0);
    get(a.broadcast(h));
    assertEquals(h, get(atB.next()));
    assertEquals(h, get(atA.next()), "our own broadcast reaches our subscription");
    synchronized (verifiedAtB) {
      assertEquals(List.of(h), verifiedAtB);
    }
    assertEquals(1, b.metrics().accepted());
    assertEquals(1, a.metrics().accepted(), "our own message passes our validator");
    assertEquals(0, b.metrics().rejected() + b.metrics().ignored());
  }

  @Test
  void undecodablePayloadIsRejectedAndNotDelivered() throws Exception {
    a.setVerifier(SubscriberTest::accept);
    b.setVerifier(SubscriberTest::accept);
    HeaderSubscription<DummyHeader> atB = b.subscribe();
    Subscription rawAtA = pa.subscribe(TOPIC);
    closeables.add(rawAtA);
    link();

    // A raw publish with a validator that lets everything through on the sender's side.
    pa.unregisterValidator(TOPIC);
    get(pa.publish(TOPIC, "not a header".getBytes(StandardCharsets.UTF_8)));
    get(rawAtA.next());
    DummyHeader good = DummyHeader.genesis("gm", 5, T0);
    get(a.broadcast(good));
    assertEquals(
        good, get(atB.next()), "the garbage never reached the subscription; the next header did");
    assertEquals(1, b.metrics().rejected());
    assertEquals(1, b.metrics().accepted());
  }

  @Test
  void aPeerSendingInvalidMessagesIsNamedInOneWarningAMinute() throws Exception {
    a.setVerifier(SubscriberTest::accept);
    b.setVerifier(
        h ->
            h.height() == 9
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(
                    new VerifyException(VerifyException.Reason.TYPE_CHECK, "forged", false)));
    HeaderSubscription<DummyHeader> atB = b.subscribe();
    link();
    List<String> lines =
        Logs.capture(
            () -> {
              try {
                for (long height = 2; height <= 4; height++) {
                  get(a.broadcast(DummyHeader.genesis("gm", height, T0)));
                }
                a.close(); // a raw publish, past a's own validator
                get(pa.publish(TOPIC, "not a header".getBytes(StandardCharsets.UTF_8)));
                get(pa.publish(TOPIC, DummyHeader.genesis("gm", 9, T0).encode()));
                // b validates in arrival order on one thread: once 9 is delivered, the four before
                // it were judged.
                assertEquals(9, get(atB.next()).height());
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    List<String> loud = Logs.loud(lines);
    assertEquals(1, loud.size(), "one warning for four rejections: " + loud);
    assertTrue(loud.get(0).contains(hosts.get(0).peerId().toString()), loud.get(0));
    assertEquals(4, b.metrics().rejected());
  }

  @Test
  void softFailureIsIgnoredAndHardFailureRejected() throws Exception {
    a.setVerifier(SubscriberTest::accept);
    b.setVerifier(
        h ->
            h.height() == 2
                ? CompletableFuture.failedFuture(
                    new VerifyException(VerifyException.Reason.KNOWN_HEADER, "soft", true))
                : h.height() == 3
                    ? CompletableFuture.failedFuture(
                        new VerifyException(VerifyException.Reason.TYPE_CHECK, "hard", false))
                    : h.height() == 4
                        ? CompletableFuture.failedFuture(new IllegalStateException("syncer busy"))
                        : CompletableFuture.completedFuture(null));
    HeaderSubscription<DummyHeader> atB = b.subscribe();
    link();
    for (long height = 2; height <= 5; height++) {
      get(a.broadcast(DummyHeader.genesis("gm", height, T0)));
    }
    assertEquals(5, get(atB.next()).height(), "only the accepted header is delivered");
    assertEquals(new SubscriberMetrics(1, 2, 1, b.metrics().bytes(), 1), b.metrics());
  }

  @Test
  void messagesWaitForTheVerifier() throws Exception {
    a.setVerifier(SubscriberTest::accept);
    HeaderSubscription<DummyHeader> atB = b.subscribe();
    link();
    DummyHeader h = DummyHeader.genesis("gm", 9, T0);
    get(a.broadcast(h));
    CompletableFuture<DummyHeader> next = atB.next();
    assertFalse(next.isDone(), "held until a verifier is set");
    b.setVerifier(SubscriberTest::accept);
    assertEquals(h, get(next));
  }

  @Test
  void ownBroadcastRefusedByOurVerifierFailsWithTheReason() throws Exception {
    a.setVerifier(
        h ->
            CompletableFuture.failedFuture(
                new VerifyException(VerifyException.Reason.TYPE_CHECK, "bad link", false)));
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> get(a.broadcast(DummyHeader.genesis("gm", 1, T0))));
    PubSubException pe = assertInstanceOf(PubSubException.class, e.getCause());
    assertEquals(PubSubException.Reason.REJECTED, pe.reason());
  }

  @Test
  void onlyOneVerifierAndNoUseBeforeStartOrAfterClose() throws Exception {
    a.setVerifier(SubscriberTest::accept);
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> a.setVerifier(SubscriberTest::accept));
    assertTrue(twice.getMessage().contains("already set"), twice.getMessage());

    Subscriber<DummyHeader> fresh =
        new Subscriber<>(pa, DummyHeader.TYPE, "/other/header-sub/v0.0.1", clock);
    assertThrows(IllegalStateException.class, fresh::subscribe);
    ExecutionException notStarted =
        assertThrows(
            ExecutionException.class, () -> get(fresh.broadcast(DummyHeader.genesis("gm", 1, T0))));
    assertTrue(
        notStarted.getCause().getMessage().contains("not started"),
        notStarted.getCause().getMessage());

    a.close();
    a.close();
    assertThrows(IllegalStateException.class, a::subscribe);
    get(a.start()); // the one start, long done
    assertEquals(Service.State.STOPPED, a.state(), "a stopped subscriber does not start again");
    assertThrows(IllegalStateException.class, a::subscribe);
  }
}
