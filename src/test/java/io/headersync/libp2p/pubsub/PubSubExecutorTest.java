package io.headersync.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.host.TestExecutors;
import io.headersync.lifecycle.Service;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PubSub's executors: by default everything runs on the host's user executor (router serialised
 * over it, validators, callbacks), and a task an executor refuses fails the future that waited for
 * it.
 */
class PubSubExecutorTest {
  static final long T = 20;
  static final String TOPIC = "/gm-headerSync/header-sub/v0.0.1";

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<Host> hosts = new ArrayList<>();
  private final List<PubSub> pubsubs = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private TestExecutors.Pumped pumped;
  private int seed = 900;

  @AfterEach
  void close() throws Exception {
    List<Service> all = new ArrayList<>(pubsubs);
    all.addAll(hosts);
    for (Service s : all) {
      if (pumped != null) {
        pumped.pump(s.stop());
      } else {
        get(s.stop());
      }
    }
    network.close();
    pool.shutdownNow();
  }

  /** A router on a new in-memory host whose user executor is {@code user}; neither started. */
  PubSub node(Executor user, Consumer<PubSub.Builder> config) {
    byte[] s = new byte[32];
    new Random(seed++).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    Host h =
        Host.builder(key)
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .executor(user)
            .build();
    hosts.add(h);
    PubSub.Builder b = PubSub.builder(h, key);
    config.accept(b);
    PubSub p = b.build();
    pubsubs.add(p);
    return p;
  }

  /** A router on the pool, started with its host. */
  PubSub started(Consumer<PubSub.Builder> config) throws Exception {
    PubSub p = node(pool, config);
    get(p.start());
    get(host(p).start());
    return p;
  }

  Host host(PubSub p) {
    return hosts.get(pubsubs.indexOf(p));
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void routerValidatorsAndCallbacksRunOnTheHostsUserExecutor() throws Exception {
    TestExecutors.Pumped user = new TestExecutors.Pumped();
    pumped = user;
    Thread me = Thread.currentThread();
    List<String> elsewhere = Collections.synchronizedList(new ArrayList<>());
    Runnable here =
        () -> {
          if (Thread.currentThread() != me) {
            elsewhere.add(Thread.currentThread().getName());
          }
        };
    PubSub a = node(user, b -> {});
    PubSub b = node(user, cfg -> {});
    b.registerValidator(
        TOPIC,
        (from, m) -> {
          here.run();
          return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
        });
    user.pump(a.start());
    user.pump(b.start());
    user.pump(host(a).start());
    user.pump(host(b).start());
    a.subscribe(TOPIC);
    Subscription atB = b.subscribe(TOPIC);
    user.pump(host(a).connect(host(b).listenAddresses().get(0)));
    user.pump(a.awaitPeer(TOPIC, host(b).peerId()));
    user.pump(b.awaitPeer(TOPIC, host(a).peerId()));

    // Only this thread runs the host's executor: whatever the router, the validator or a callback
    // runs on, if it is not that executor, it is not this thread.
    CompletableFuture<Message> next = atB.next();
    next.whenComplete((m, t) -> here.run());
    CompletableFuture<Void> published = a.publish(TOPIC, bytes("hello"));
    published.whenComplete((v, t) -> here.run());
    user.pump(published);
    assertEquals("hello", new String(user.pump(next).data(), StandardCharsets.UTF_8));
    CompletableFuture<Void> stopped = a.stop();
    stopped.whenComplete((v, t) -> here.run());
    user.pump(stopped);
    assertTrue(elsewhere.isEmpty(), "ran on " + elsewhere);
    assertEquals(1, b.stats().delivered());
  }

  @Test
  void aTaskTheRouterExecutorRefusesFailsItsFuture() throws Exception {
    TestExecutors.Refusing router = new TestExecutors.Refusing(pool);
    PubSub p = started(cfg -> cfg.routerExecutor(router));

    router.refuse = true;
    PubSubException publish =
        assertInstanceOf(PubSubException.class, failure(p.publish(TOPIC, bytes("x"))));
    assertEquals(PubSubException.Reason.CLOSED, publish.reason());
    assertTrue(publish.getMessage().contains("refused"), publish.getMessage());
    assertInstanceOf(PubSubException.class, failure(p.awaitPeer(TOPIC, host(p).peerId())));
    assertInstanceOf(PubSubException.class, failure(p.meshPeers(TOPIC)));
    Subscription sub = p.subscribe(TOPIC);
    assertThrows(CancellationException.class, () -> sub.next().get(T, TimeUnit.SECONDS));
    // The router cannot run its clean-up: the stop does it itself, and still completes.
    get(p.stop());
    assertEquals(Service.State.STOPPED, p.state());
  }

  @Test
  void aCompletionTheCallbackExecutorRefusesFailsTheFuture() throws Exception {
    TestExecutors.Refusing callbacks = new TestExecutors.Refusing(pool);
    PubSub p = started(cfg -> cfg.callbackExecutor(callbacks));
    Subscription sub = p.subscribe(TOPIC);
    get(p.meshPeers(TOPIC)); // the router handled the subscription
    CompletableFuture<Message> next = sub.next();

    callbacks.refuse = true;
    PubSubException publish =
        assertInstanceOf(PubSubException.class, failure(p.publish(TOPIC, bytes("x"))));
    assertEquals(PubSubException.Reason.CLOSED, publish.reason());
    assertTrue(publish.getMessage().contains("callback"), publish.getMessage());
    // The message could not be handed over: the subscription ends rather than completing elsewhere.
    assertThrows(CancellationException.class, () -> next.get(T, TimeUnit.SECONDS));
    assertInstanceOf(PubSubException.class, failure(p.meshPeers(TOPIC)));
  }
}
