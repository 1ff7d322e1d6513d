package io.headersync.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.lifecycle.Service.State;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.HeldExecutor;
import io.headersync.testing.MemoryHosts;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange server's lifecycle ({@link io.headersync.lifecycle.Service}) on real in-memory
 * hosts: what start and stop do to the host's protocols, idempotence, stop before start, a start
 * the host refuses, and where the futures complete.
 */
class P2PServerLifecycleTest {
  private static final long T = 30;
  private static final String PROTOCOL = ExchangeProtocol.protocolId("lifecycle");
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(GENESIS.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final HeldExecutor callbacks = new HeldExecutor();
  private final InMemoryStore<DummyHeader> store = new InMemoryStore<>();
  private Host host;
  private Host client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    if (host != null) {
      host.close();
    }
    network.close();
    scheduler.shutdownNow();
    callbacks.close();
  }

  private P2PServer<DummyHeader> server(String protocol) throws Exception {
    if (host == null) {
      host = MemoryHosts.start(network, 1, new ConnectionGater(), T);
      store.append(new DummyChain(GENESIS).next(10)).join();
    }
    return new P2PServer<>(host, store, protocol, ServerOptions.defaults(), callbacks, CLOCK);
  }

  /** An exchange on a second host asking the server's host for header 5. */
  private CompletableFuture<DummyHeader> ask() throws Exception {
    if (client == null) {
      client = MemoryHosts.start(network, 2, new ConnectionGater(), T);
      client
          .connect(host.listenAddresses().get(0).withPeerId(host.peerId()))
          .get(T, TimeUnit.SECONDS);
    }
    Exchange<DummyHeader> ex =
        Exchange.builder(client, DummyHeader.TYPE, PROTOCOL)
            .trustedPeers(List.of(host.peerId()))
            .gater(new ConnectionGater())
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(1))
            .build();
    return ex.getByHeight(5);
  }

  private static Throwable cause(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  @Test
  void startAndStopAreIdempotentAndCompleteOnTheStoreExecutor() throws Exception {
    P2PServer<DummyHeader> server = server(PROTOCOL);
    assertEquals(State.NEW, server.state());
    callbacks.hold();
    CompletableFuture<Void> first = server.start();
    CompletableFuture<Void> second = server.start();
    assertEquals(State.RUNNING, server.state(), "the handler is registered at once");
    assertTrue(host.protocols().contains(PROTOCOL));
    assertFalse(
        first.isDone() || second.isDone(), "the futures complete on the store executor only");
    assertEquals(1, callbacks.release(), "one start");
    first.get(T, TimeUnit.SECONDS);
    second.get(T, TimeUnit.SECONDS);
    assertEquals(5, ask().get(T, TimeUnit.SECONDS).height(), "serving");

    CompletableFuture<Void> terminated = server.terminated();
    callbacks.hold();
    CompletableFuture<Void> stopped = server.stop();
    assertEquals(State.STOPPED, server.state());
    assertFalse(host.protocols().contains(PROTOCOL), "the handler is removed");
    assertFalse(stopped.isDone() || terminated.isDone());
    callbacks.release();
    stopped.get(T, TimeUnit.SECONDS);
    terminated.get(T, TimeUnit.SECONDS);
    server.stop().get(T, TimeUnit.SECONDS); // idempotent: the same stop, done
    server.close();
    assertThrows(
        ExecutionException.class, () -> ask().get(T, TimeUnit.SECONDS), "no longer served");
    assertEquals(State.STOPPED, server.state());
  }

  @Test
  void stopBeforeStartReleasesAndTheServerNeverServes() throws Exception {
    P2PServer<DummyHeader> serving = server(PROTOCOL);
    serving.start();
    P2PServer<DummyHeader> never = server(PROTOCOL); // the same protocol on the same host
    never.stop().get(T, TimeUnit.SECONDS);
    assertEquals(State.STOPPED, never.state());
    assertTrue(
        host.protocols().contains(PROTOCOL),
        "stopping a server that never started removes no other's handler");
    assertEquals(5, ask().get(T, TimeUnit.SECONDS).height());

    assertInstanceOf(ServiceStoppedException.class, cause(never.start()));
    assertEquals(State.STOPPED, never.state());
    serving.close();
  }

  @Test
  void aProtocolTheHostRefusesFailsTheStartAndLeavesTheCause() throws Exception {
    P2PServer<DummyHeader> server = server(Host.PING); // served by the host itself
    Throwable cause = cause(server.start());
    assertInstanceOf(IllegalArgumentException.class, cause);
    assertTrue(cause.getMessage().contains(Host.PING), cause.getMessage());
    assertEquals(State.FAILED, server.state());
    assertSame(cause, server.failure().orElseThrow());
    server.terminated().get(T, TimeUnit.SECONDS);
    server
        .stop()
        .get(T, TimeUnit.SECONDS); // everything was released: stopping a failed server succeeds
    assertEquals(State.FAILED, server.state());
  }
}
