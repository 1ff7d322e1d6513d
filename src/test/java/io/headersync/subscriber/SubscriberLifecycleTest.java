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
import io.headersync.lifecycle.Service.State;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.testing.HeldExecutor;
import io.headersync.testkit.DummyHeader;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The subscriber's lifecycle ({@link io.headersync.lifecycle.Service}) on a real pubsub router (an
 * in-memory host): start registers the topic validator, stop removes it and leaves the router open;
 * idempotence, stop before start, messages waiting for a verifier, and where the futures complete.
 */
class SubscriberLifecycleTest {
  private static final String TOPIC = Subscriber.topic("gm");
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.systemUTC();

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final HeldExecutor callbacks = new HeldExecutor();
  private final ExecutorService validationPool = Executors.newSingleThreadExecutor();

  /** One permit per validation task run. */
  private final Semaphore validations = new Semaphore(0);

  private Host host;
  private PubSub pubSub;

  @BeforeEach
  void setUp() throws Exception {
    byte[] s = new byte[32];
    new Random(11).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    host = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
    pubSub =
        PubSub.builder(host, key)
            .validationExecutor(
                r ->
                    validationPool.execute(
                        () -> {
                          r.run();
                          validations
                              .release(); // the validator was called (its answer may still be
                          // pending)
                        }))
            .build();
    get(host.start());
  }

  @AfterEach
  void tearDown() {
    pubSub.close();
    host.close();
    network.close();
    callbacks.close();
    validationPool.shutdownNow();
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static CompletableFuture<Void> refuse(DummyHeader h) {
    return CompletableFuture.failedFuture(
        new VerifyException(VerifyException.Reason.TYPE_CHECK, "refused", false));
  }

  private static PubSubException.Reason published(CompletableFuture<Void> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(f));
    return assertInstanceOf(PubSubException.class, e.getCause()).reason();
  }

  @Test
  void startAndStopAreIdempotentAndTheRouterStaysOpen() throws Exception {
    Subscriber<DummyHeader> sub =
        new Subscriber<>(pubSub, DummyHeader.TYPE, TOPIC, CLOCK, callbacks);
    callbacks.hold();
    CompletableFuture<Void> first = sub.start();
    CompletableFuture<Void> second = sub.start();
    assertEquals(State.RUNNING, sub.state(), "the validator is registered at once");
    assertFalse(first.isDone(), "completes on the callback executor only");
    assertEquals(1, callbacks.release(), "one start");
    get(first);
    get(second);
    sub.setVerifier(SubscriberLifecycleTest::refuse);
    assertEquals(
        PubSubException.Reason.REJECTED,
        published(sub.broadcast(DummyHeader.genesis("gm", 1, T0))),
        "our own message passes the validator");
    sub.subscribe().close();

    callbacks.hold();
    CompletableFuture<Void> stopped = sub.stop();
    assertEquals(State.STOPPED, sub.state());
    assertFalse(stopped.isDone());
    callbacks.release();
    get(stopped);
    get(sub.stop()); // idempotent
    sub.close();
    ExecutionException closed =
        assertThrows(
            ExecutionException.class, () -> get(sub.broadcast(DummyHeader.genesis("gm", 1, T0))));
    assertTrue(
        closed.getCause().getMessage().contains("is closed"), closed.getCause().getMessage());
    assertThrows(IllegalStateException.class, sub::subscribe);
    // The validator is gone and the router is still open: a raw publish of the same header passes.
    get(pubSub.publish(TOPIC, DummyHeader.genesis("gm", 1, T0).encode()));
  }

  @Test
  void stopBeforeStartReleasesAndRemovesNoOtherValidator() throws Exception {
    Subscriber<DummyHeader> running =
        new Subscriber<>(pubSub, DummyHeader.TYPE, TOPIC, CLOCK, callbacks);
    running.start();
    running.setVerifier(SubscriberLifecycleTest::refuse);
    Subscriber<DummyHeader> never =
        new Subscriber<>(pubSub, DummyHeader.TYPE, TOPIC, CLOCK, callbacks);
    get(never.stop());
    assertEquals(State.STOPPED, never.state());
    assertEquals(
        PubSubException.Reason.REJECTED,
        published(running.broadcast(DummyHeader.genesis("gm", 1, T0))),
        "the running subscriber's validator is still registered");

    ExecutionException e = assertThrows(ExecutionException.class, () -> get(never.start()));
    assertInstanceOf(ServiceStoppedException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains(TOPIC), e.getCause().getMessage());
    assertThrows(IllegalStateException.class, never::subscribe);
    get(never.terminated());
    running.close();
  }

  @Test
  void aMessageWaitingForTheVerifierIsIgnoredWhenTheSubscriberStops() throws Exception {
    Subscriber<DummyHeader> sub = new Subscriber<>(pubSub, DummyHeader.TYPE, TOPIC, CLOCK);
    get(sub.start()); // the default callback executor: the calling thread
    CompletableFuture<Void> waiting =
        sub.broadcast(DummyHeader.genesis("gm", 1, T0)); // no verifier yet
    assertTrue(validations.tryAcquire(20, TimeUnit.SECONDS), "the validator was called");
    assertFalse(waiting.isDone(), "it waits for a verifier");
    get(sub.stop());
    assertEquals(PubSubException.Reason.IGNORED, published(waiting));
    assertEquals(1, sub.metrics().ignored());
  }
}
