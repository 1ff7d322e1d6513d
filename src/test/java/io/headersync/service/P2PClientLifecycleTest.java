package io.headersync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.PubSubException;
import io.headersync.libp2p.pubsub.RouterKind;
import io.headersync.lifecycle.Service.State;
import io.headersync.lifecycle.ServiceStoppedException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The P2P client's lifecycle ({@link io.headersync.lifecycle.Service}) on an in-memory network:
 * idempotent start and stop, a stop that releases what {@link P2PClient#create} built whether or
 * not the client started, a start the host refuses, and where the futures complete.
 */
class P2PClientLifecycleTest {
  private static final long T = 20;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final ExecutorService workers =
      Executors.newFixedThreadPool(2, r -> new Thread(r, "lifecycle-worker"));
  private final List<P2PClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(P2PClient::close);
    network.close();
    workers.shutdownNow();
  }

  private P2PClient client(long seed, P2PConfig.Builder config) {
    P2PClient c =
        P2PClient.create(
            config
                .identity(P2PClientTest.key(seed))
                .inMemory(network)
                .router(RouterKind.FLOODSUB)
                .build(),
            NetworkProfile.SEED.maxPubsubMessageSize(),
            null,
            workers,
            Clock.systemUTC());
    clients.add(c);
    return c;
  }

  private static Throwable cause(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  /** The client's pubsub router was closed (released), not just left idle. */
  private static void assertPubSubClosed(P2PClient c) {
    PubSubException e =
        assertInstanceOf(PubSubException.class, cause(c.pubSub().peers("/gm/header-sub/v0.0.1")));
    assertEquals(PubSubException.Reason.CLOSED, e.reason());
  }

  @Test
  void startAndStopAreIdempotentAndCompleteOnTheWorkers() throws Exception {
    P2PClient seed = client(1, P2PConfig.builder());
    seed.start().get(T, TimeUnit.SECONDS);
    P2PClient c = client(2, P2PConfig.builder().seed(seed.addresses().get(0)));
    assertEquals(State.NEW, c.state());
    CompletableFuture<Void> first = c.start();
    CompletableFuture<Void> second = c.start();
    first.get(T, TimeUnit.SECONDS);
    second.get(T, TimeUnit.SECONDS);
    assertEquals(State.RUNNING, c.state());
    assertTrue(
        c.host().connectedPeers().contains(seed.host().peerId()), "the seed was dialled at start");

    Multiaddr address = c.addresses().get(0);
    // The seed's view of the stop: until it has seen the connection close, connect() below would
    // return that connection instead of dialling (the race made this test fail now and then).
    CompletableFuture<Void> seedSawClose = new CompletableFuture<>();
    seed.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void disconnected(PeerId peer) {
                if (peer.equals(c.host().peerId())) {
                  seedSawClose.complete(null);
                }
              }
            });
    // Registered before the stop, so it runs where the stop's end is delivered.
    CompletableFuture<String> deliveredOn =
        c.terminated().thenApply(v -> Thread.currentThread().getName());
    CompletableFuture<Void> stopped = c.stop();
    CompletableFuture<Void> again = c.stop();
    stopped.get(T, TimeUnit.SECONDS);
    again.get(T, TimeUnit.SECONDS);
    assertEquals("lifecycle-worker", deliveredOn.get(T, TimeUnit.SECONDS));
    assertEquals(State.STOPPED, c.state());
    assertPubSubClosed(c);
    seedSawClose.get(T, TimeUnit.SECONDS);
    assertThrows(
        ExecutionException.class,
        () -> seed.host().connect(address).get(T, TimeUnit.SECONDS),
        "the host no longer listens");
    c.close();
    c.start().get(T, TimeUnit.SECONDS); // the one start, long done: a client does not restart
    assertEquals(State.STOPPED, c.state());
  }

  @Test
  void stopBeforeStartReleasesWhatCreateBuilt() throws Exception {
    P2PClient c = client(3, P2PConfig.builder());
    c.stop().get(T, TimeUnit.SECONDS);
    assertEquals(State.STOPPED, c.state());
    assertPubSubClosed(c);
    c.terminated().get(T, TimeUnit.SECONDS);
    Throwable e = cause(c.start());
    assertInstanceOf(ServiceStoppedException.class, e);
    assertTrue(e.getMessage().contains(c.host().peerId().toString()), e.getMessage());
    assertTrue(c.host().connectedPeers().isEmpty());
  }

  @Test
  void aListenAddressInUseFailsTheStartAndReleasesTheClient() throws Exception {
    P2PClient first = client(4, P2PConfig.builder().listen(Multiaddr.parse("/memory/4711")));
    first.start().get(T, TimeUnit.SECONDS);
    P2PClient second = client(5, P2PConfig.builder().listen(Multiaddr.parse("/memory/4711")));
    Throwable e = cause(second.start());
    assertEquals(State.FAILED, second.state());
    assertSame(e, second.failure().orElseThrow());
    assertPubSubClosed(second);
    assertSame(e, cause(second.start()), "later starts report the failure");
    second
        .stop()
        .get(T, TimeUnit.SECONDS); // everything was released: stopping a failed client succeeds
    assertEquals(State.FAILED, second.state());
    assertEquals(State.RUNNING, first.state(), "the other client is untouched");
    assertFalse(first.addresses().isEmpty());
  }
}
