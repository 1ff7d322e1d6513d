package io.headersync.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.lifecycle.Service.State;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.HeldExecutor;
import io.headersync.testing.Identified;
import io.headersync.testing.MemoryHosts;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange client's lifecycle ({@link io.headersync.lifecycle.Service}) on real in-memory
 * hosts: a started exchange tracks the peers that serve the protocol, a stopped one no longer does;
 * idempotence, stop before start, and where the futures complete.
 */
class ExchangeLifecycleTest {
  private static final long T = 30;
  private static final String PROTOCOL = ExchangeProtocol.protocolId("lifecycle");
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(GENESIS.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private int seed = 1;

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
    scheduler.shutdownNow();
    storeExecutor.shutdownNow();
  }

  private Host host() throws Exception {
    Host h = MemoryHosts.start(network, seed++, new ConnectionGater(), T);
    closeables.add(h);
    return h;
  }

  /** A host serving ten headers. */
  private Host server() throws Exception {
    Host h = host();
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    store.append(new DummyChain(GENESIS).next(10)).join();
    P2PServer<DummyHeader> server =
        new P2PServer<>(h, store, PROTOCOL, ServerOptions.defaults(), storeExecutor, CLOCK);
    server.start().get(T, TimeUnit.SECONDS);
    closeables.add(server);
    return h;
  }

  private Exchange<DummyHeader> exchange(Host client, List<Host> trusted, Executor callbacks) {
    ConnectionGater gater = new ConnectionGater();
    return Exchange.builder(client, DummyHeader.TYPE, PROTOCOL)
        .trustedPeers(trusted.stream().map(Host::peerId).toList())
        .gater(gater)
        .scheduler(scheduler)
        .clock(CLOCK)
        .random(new Random(3))
        .callbackExecutor(callbacks)
        .build();
  }

  /** Connects {@code client} to {@code server} and waits until identify said what it serves. */
  private static void connect(Host client, Host server) throws Exception {
    CompletableFuture<Void> identified = Identified.by(client, server.peerId(), PROTOCOL);
    client
        .connect(server.listenAddresses().get(0).withPeerId(server.peerId()))
        .get(T, TimeUnit.SECONDS);
    identified.get(T, TimeUnit.SECONDS);
  }

  @Test
  void aStartedExchangeTracksServingPeersAndAStoppedOneNoLonger() throws Exception {
    Host first = server();
    Host second = server();
    Host client = host();
    connect(client, first); // connected before the start: found by start()
    HeldExecutor callbacks = new HeldExecutor();
    closeables.add(callbacks);
    Exchange<DummyHeader> ex = exchange(client, List.of(first), callbacks);
    assertEquals(List.of(), ex.trackedPeers(), "a new exchange tracks nobody");

    callbacks.hold();
    CompletableFuture<Void> started = ex.start();
    assertFalse(started.isDone(), "completes on the callback executor only");
    assertEquals(State.RUNNING, ex.state());
    assertEquals(List.of(first.peerId()), ex.trackedPeers());
    ex.start(); // idempotent
    assertEquals(1, callbacks.release(), "one start");
    started.get(T, TimeUnit.SECONDS);
    connect(client, second); // connected while running: tracked
    assertTrue(ex.trackedPeers().contains(second.peerId()), ex.trackedPeers().toString());

    callbacks.hold();
    CompletableFuture<Void> stopped = ex.stop();
    assertEquals(State.STOPPED, ex.state());
    assertFalse(stopped.isDone());
    callbacks.release();
    stopped.get(T, TimeUnit.SECONDS);
    ex.stop().get(T, TimeUnit.SECONDS); // idempotent
    ex.close();
    assertEquals(
        5, ex.getByHeight(5).get(T, TimeUnit.SECONDS).height(), "requests still work once stopped");
    Host third = server();
    connect(client, third); // connected once stopped: not tracked
    assertFalse(ex.trackedPeers().contains(third.peerId()), ex.trackedPeers().toString());
  }

  @Test
  void stopBeforeStartReleasesAndTheExchangeNeverTracks() throws Exception {
    Host server = server();
    Host client = host();
    Exchange<DummyHeader> ex = exchange(client, List.of(server), Runnable::run);
    ex.stop().get(T, TimeUnit.SECONDS);
    assertEquals(State.STOPPED, ex.state());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> ex.start().get(T, TimeUnit.SECONDS));
    assertInstanceOf(ServiceStoppedException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains(PROTOCOL), e.getCause().getMessage());
    connect(client, server);
    assertEquals(List.of(), ex.trackedPeers(), "never started: tracks nobody");
    assertTrue(ex.terminated().isDone());
  }

  @Test
  void futuresCompleteEvenWhenTheCallbackExecutorIsGone() throws Exception {
    Host client = host();
    Exchange<DummyHeader> ex =
        exchange(
            client,
            List.of(),
            r -> {
              throw new RejectedExecutionException("shut down");
            });
    ex.start().get(T, TimeUnit.SECONDS);
    ex.stop().get(T, TimeUnit.SECONDS);
    assertEquals(State.STOPPED, ex.state());
  }
}
