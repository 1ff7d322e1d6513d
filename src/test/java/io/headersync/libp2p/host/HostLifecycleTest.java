package io.headersync.libp2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.Dht;
import io.headersync.libp2p.dht.Discovery;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.lifecycle.Service;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Host, PubSub, Dht and Discovery on the one lifecycle: idempotent start and stop, release when
 * never started.
 */
class HostLifecycleTest {
  static final long T = 20;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final ManualScheduler scheduler =
      new ManualScheduler(new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));

  @AfterEach
  void close() {
    network.close();
  }

  Host.Builder builder(PrivateKey key) {
    return Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0"));
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  @Test
  void aHostNeverStartedReleasesTheExecutorItOwns() throws Exception {
    Host h = builder(HostTest.key(1)).build();
    ExecutorService own = assertInstanceOf(ExecutorService.class, h.executor());
    assertEquals(Service.State.NEW, h.state());
    h.close();
    assertEquals(Service.State.STOPPED, h.state());
    assertTrue(own.isShutdown());
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(h.start()));
    assertInstanceOf(ServiceStoppedException.class, e.getCause());
  }

  @Test
  void startAndStopAreIdempotent() throws Exception {
    Host h = builder(HostTest.key(2)).build();
    CompletableFuture<Void> first = h.start();
    CompletableFuture<Void> second = h.start();
    get(first);
    get(second);
    assertEquals(Service.State.RUNNING, h.state());
    assertEquals(1, h.listenAddresses().size(), "bound once");
    get(h.stop());
    get(h.stop());
    h.close();
    assertEquals(Service.State.STOPPED, h.state());
    assertTrue(h.terminated().isDone());
    assertFalse(h.failure().isPresent());
  }

  @Test
  void pubsubRegistersOnTheHostWhenStartedNotWhenBuiltAndLeavesWhenStopped() throws Exception {
    PrivateKey key = HostTest.key(3);
    Host h = builder(key).build();
    PubSub p = PubSub.builder(h, key).scheduler(scheduler).build();
    assertFalse(h.protocols().contains("/floodsub/1.0.0"), "build() registers nothing");
    get(p.start());
    get(p.start());
    assertTrue(h.protocols().contains("/floodsub/1.0.0"));
    get(h.start());
    p.close();
    assertEquals(Service.State.STOPPED, p.state());
    assertFalse(h.protocols().contains("/floodsub/1.0.0"));
    h.close();
  }

  @Test
  void aDhtNeverStartedReleasesWhatItsBuilderRegistered() throws Exception {
    Host h = builder(HostTest.key(4)).build();
    Dht d = Dht.builder(h).scheduler(scheduler).build();
    assertTrue(h.protocols().contains(Dht.PROTOCOL), "the builder registers the handler");
    Discovery disc =
        new Discovery(d, h, DiscoveryOptions.builder().namespace("gm").build(), scheduler);
    disc.close();
    assertEquals(Service.State.STOPPED, disc.state());
    d.close();
    assertEquals(Service.State.STOPPED, d.state());
    assertFalse(h.protocols().contains(Dht.PROTOCOL));
    h.close();
  }

  @Test
  void discoveryStartsItsDhtAndStopsOnlyItself() throws Exception {
    Host h = builder(HostTest.key(5)).build();
    Dht d = Dht.builder(h).scheduler(scheduler).build();
    get(h.start());
    Discovery disc =
        new Discovery(d, h, DiscoveryOptions.builder().namespace("gm").build(), scheduler);
    CompletableFuture<Void> started = disc.start();
    assertSame(Service.State.RUNNING, stateAfter(started, disc));
    get(d.start()); // the DHT's first bootstrap (nobody to ask) ended
    assertEquals(Service.State.RUNNING, d.state());
    disc.close();
    assertEquals(Service.State.RUNNING, d.state(), "the DHT is not the discovery's");
    d.close();
    h.close();
  }

  private static Service.State stateAfter(CompletableFuture<Void> f, Service s) throws Exception {
    get(f);
    return s.state();
  }
}
