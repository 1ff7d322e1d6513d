package io.headersync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.HeaderSyncException;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.lifecycle.Service.State;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import io.headersync.store.StoreFailedException;
import io.headersync.testkit.TestNetwork;
import io.headersync.testkit.TestNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header sync service's lifecycle ({@link io.headersync.lifecycle.Service}) through the real
 * stack on an in-memory network: idempotent start and stop, a stop that releases the store and the
 * P2P client whether or not the service started, a failed start, a stop while starting, a part that
 * fails while the service runs, and where the futures complete.
 */
class HeaderSyncServiceLifecycleTest {
  private static final long T = 30;

  private final ExecutorService workers =
      Executors.newFixedThreadPool(2, r -> new Thread(r, "lifecycle-worker"));

  @AfterEach
  void close() {
    workers.shutdownNow();
  }

  private static HeaderSyncService.Builder<P2PSignedHeader> follower(
      TestNetwork net, TestNode seed, long key) {
    return HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
        .p2p(
            P2PConfig.builder()
                .identity(HeaderSyncServiceTest.key(key))
                .inMemory(net.inMemoryNetwork())
                .seed(seed.p2p().addresses().get(0))
                .build())
        .blockTime(Duration.ofMillis(100));
  }

  private static Throwable cause(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  /** Nothing holds the RocksDB at {@code path} any more: it opens again. */
  private static void assertStoreReleased(Path path) {
    try (RocksDbStore<P2PSignedHeader> reopened =
        RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER)
            .path(path)
            .prefix(NetworkProfile.SEED.storePrefix(NetworkProfile.SyncKind.HEADERS))
            .build()) {
      reopened.height();
    }
  }

  private static void assertPartsStopped(HeaderSyncService<?> s) {
    assertEquals(State.STOPPED, s.exchange().state());
    assertEquals(State.STOPPED, s.p2p().state(), "the owned P2P client");
  }

  @Test
  void startAndStopAreIdempotentAndStopReleasesEveryPart(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("headers");
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(20);
      HeaderSyncService<P2PSignedHeader> s =
          follower(net, sequencer, 90).storePath(path).workerExecutor(workers).build();
      assertEquals(State.NEW, s.state());
      assertEquals(State.NEW, s.exchange().state());
      CompletableFuture<Void> first = s.start();
      CompletableFuture<Void> second = s.start();
      first.get(T, TimeUnit.SECONDS);
      second.get(T, TimeUnit.SECONDS);
      assertEquals(State.RUNNING, s.state());
      assertEquals(State.RUNNING, s.exchange().state());
      assertEquals(State.RUNNING, s.p2p().state());
      s.store().awaitHeight(20).get(T, TimeUnit.SECONDS);

      // Registered before the stop, so it runs where the stop's end is delivered: the worker pool.
      CompletableFuture<String> deliveredOn =
          s.terminated().thenApply(v -> Thread.currentThread().getName());
      CompletableFuture<Void> stopped = s.stop();
      CompletableFuture<Void> again = s.stop();
      stopped.get(T, TimeUnit.SECONDS);
      again.get(T, TimeUnit.SECONDS);
      assertEquals("lifecycle-worker", deliveredOn.get(T, TimeUnit.SECONDS));
      assertEquals(State.STOPPED, s.state());
      assertPartsStopped(s);
      assertStoreReleased(path);
      s.close();
      s.start().get(T, TimeUnit.SECONDS); // the one start, long done: a service does not restart
      assertEquals(State.STOPPED, s.state());
    }
  }

  @Test
  void stopBeforeStartReleasesTheStoreAndTheP2PClient(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("headers");
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      HeaderSyncService<P2PSignedHeader> s = follower(net, sequencer, 91).storePath(path).build();
      s.stop().get(T, TimeUnit.SECONDS);
      assertEquals(State.STOPPED, s.state());
      assertPartsStopped(s);
      assertStoreReleased(path);
      Throwable e = cause(s.start());
      assertInstanceOf(ServiceStoppedException.class, e);
      assertTrue(e.getMessage().contains("header sync service gm"), e.getMessage());
      assertEquals(State.STOPPED, s.exchange().state(), "no part started");
    }
  }

  @Test
  void aFailedStartClosesEveryPartAndLeavesTheCause(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("headers");
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer(); // produced nothing: nobody has the genesis
      HeaderSyncService<P2PSignedHeader> s =
          follower(net, sequencer, 92).storePath(path).initTimeout(Duration.ofMillis(500)).build();
      HeaderSyncException e = assertInstanceOf(HeaderSyncException.class, cause(s.start()));
      assertTrue(e.getMessage().contains("initial height 1"), e.getMessage());
      assertEquals(State.FAILED, s.state());
      assertSame(e, s.failure().orElseThrow());
      assertSame(e, cause(s.start()), "later starts report the failure");
      assertPartsStopped(s);
      assertStoreReleased(path);
      s.stop()
          .get(T, TimeUnit.SECONDS); // everything was released: stopping a failed service succeeds
      assertEquals(State.FAILED, s.state());
    }
  }

  @Test
  void aStopWhileStartingEndsTheStartWithoutWaitingForTheInitTimeout(@TempDir Path dir)
      throws Exception {
    Path path = dir.resolve("headers");
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer =
          net.sequencer(); // produced nothing: initialisation retries until the timeout
      HeaderSyncService<P2PSignedHeader> s =
          follower(net, sequencer, 93).storePath(path).initTimeout(Duration.ofMinutes(10)).build();
      CompletableFuture<Void> started = s.start();
      assertEquals(State.STARTING, s.state());
      s.stop().get(T, TimeUnit.SECONDS); // well within the init timeout
      assertInstanceOf(ServiceStoppedException.class, cause(started));
      assertEquals(State.STOPPED, s.state(), "stopped on request: not a failure");
      assertTrue(s.failure().isEmpty());
      assertPartsStopped(s);
      assertStoreReleased(path);
    }
  }

  @Test
  void aStoreThatFailsAWriteWhileRunningFailsTheService() throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(30);
      InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
      HeaderSyncService<P2PSignedHeader> s =
          follower(net, sequencer, 94)
              .store(diskFullAbove(store, 10))
              .workerExecutor(workers)
              .build();
      s.start()
          .get(
              T,
              TimeUnit.SECONDS); // initialised at the genesis, then the syncer's first batch fails
      s.terminated().get(T, TimeUnit.SECONDS);
      assertEquals(State.FAILED, s.state());
      StoreFailedException cause =
          assertInstanceOf(StoreFailedException.class, s.failure().orElseThrow());
      assertTrue(cause.getMessage().contains("disk full"), cause.getMessage());
      assertPartsStopped(s);
      assertTrue(store.height() <= 10, "stored past the failing height: " + store.height());
      s.close(); // the failure is the service's, not the stop's
    }
  }

  /** {@code store}, failing every append past {@code limit} as a full disk does. */
  @SuppressWarnings("unchecked")
  private static Store<P2PSignedHeader> diskFullAbove(Store<P2PSignedHeader> store, long limit) {
    return (Store<P2PSignedHeader>)
        Proxy.newProxyInstance(
            HeaderSyncServiceLifecycleTest.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              if (method.getName().equals("append")) {
                List<P2PSignedHeader> batch = (List<P2PSignedHeader>) args[0];
                if (batch.get(batch.size() - 1).height() > limit) {
                  return CompletableFuture.failedFuture(
                      new StoreFailedException(
                          "writing heights "
                              + batch.get(0).height()
                              + ".. failed (is the disk full?)"));
                }
              }
              try {
                return method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
