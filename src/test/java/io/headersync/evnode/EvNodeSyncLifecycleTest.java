package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.HeaderSyncException;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.lifecycle.Service.State;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.service.NetworkProfile;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.service.P2PConfig;
import io.headersync.store.RocksDbStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ev-node node's lifecycle ({@link io.headersync.lifecycle.Service}): one state machine over its
 * P2P client and services, on an in-memory network, with RocksDB stores so that a test sees what a
 * stop releases.
 */
class EvNodeSyncLifecycleTest {
  private static final long T = 30;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Random random = new Random(17);
  private final List<EvNodeSync> nodes = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    network.close();
  }

  private EvNodeSync node(EvNodeSync.Role role, List<Multiaddr> seeds, Path dir) {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    P2PConfig.Builder p2p =
        P2PConfig.builder().identity(PrivateKey.ed25519FromSeed(seed)).inMemory(network);
    seeds.forEach(p2p::seed);
    EvNodeSync n =
        EvNodeSync.builder("gm")
            .role(role)
            .profile(NetworkProfile.EVNODE)
            .p2p(p2p.build())
            .dataDir(dir)
            .blockTime(Duration.ofMillis(100))
            .clock(Clock.systemUTC())
            .initTimeout(Duration.ofMillis(500))
            .random(new Random(random.nextLong()))
            .build();
    nodes.add(n);
    return n;
  }

  private static Throwable cause(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  /** Nothing holds the node's RocksDB stores any more: both open again. */
  private static void assertStoresReleased(Path dir) {
    try (RocksDbStore<P2PSignedHeader> h =
            RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER)
                .path(dir.resolve("headers"))
                .prefix(NetworkProfile.EVNODE.storePrefix(SyncKind.HEADERS))
                .build();
        RocksDbStore<P2PData> d =
            RocksDbStore.builder(EvNodeTypes.P2P_DATA)
                .path(dir.resolve("data"))
                .prefix(NetworkProfile.EVNODE.storePrefix(SyncKind.DATA))
                .build()) {
      assertTrue(h.height() >= 0 && d.height() >= 0);
    }
  }

  private static void assertParts(EvNodeSync node, State headers, State data, State p2p) {
    assertEquals(headers, node.headers().state(), "header service");
    assertEquals(data, node.data().orElseThrow().state(), "data service");
    assertEquals(p2p, node.p2p().state(), "P2P client");
  }

  @Test
  void startAndStopAreIdempotentAndStopReleasesEveryPart(@TempDir Path dir) throws Exception {
    EvNodeSync sequencer = node(EvNodeSync.Role.SEQUENCER, List.of(), dir);
    assertEquals(State.NEW, sequencer.state());
    assertParts(sequencer, State.NEW, State.NEW, State.NEW);
    CompletableFuture<Void> first = sequencer.start();
    CompletableFuture<Void> second = sequencer.start();
    first.get(T, TimeUnit.SECONDS);
    second.get(T, TimeUnit.SECONDS);
    assertEquals(State.RUNNING, sequencer.state());
    assertParts(sequencer, State.RUNNING, State.RUNNING, State.RUNNING);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(7)))
            .chainId("gm")
            .clock(Clock.systemUTC())
            .build();
    sequencer.publish(signer.genesis(List.of())).get(T, TimeUnit.SECONDS);

    CompletableFuture<Void> terminated = sequencer.terminated();
    CompletableFuture<Void> stopped = sequencer.stop();
    CompletableFuture<Void> again = sequencer.stop();
    stopped.get(T, TimeUnit.SECONDS);
    again.get(T, TimeUnit.SECONDS);
    terminated.get(T, TimeUnit.SECONDS);
    assertEquals(State.STOPPED, sequencer.state());
    assertParts(sequencer, State.STOPPED, State.STOPPED, State.STOPPED);
    assertStoresReleased(dir);
    sequencer.close();
    sequencer.start().get(T, TimeUnit.SECONDS); // the one start, long done: a node does not restart
    assertEquals(State.STOPPED, sequencer.state());
  }

  @Test
  void stopBeforeStartReleasesTheStoresAndTheP2PClient(@TempDir Path dir) throws Exception {
    EvNodeSync full = node(EvNodeSync.Role.FULL, List.of(), dir);
    full.stop().get(T, TimeUnit.SECONDS);
    assertEquals(State.STOPPED, full.state());
    assertParts(full, State.STOPPED, State.STOPPED, State.STOPPED);
    assertStoresReleased(dir);
    Throwable e = cause(full.start());
    assertInstanceOf(ServiceStoppedException.class, e);
    assertEquals("full node of gm was stopped before it finished starting", e.getMessage());
    assertEquals(State.STOPPED, full.headers().state(), "nothing started");
  }

  @Test
  void aFailedStartFailsTheNodeAndReleasesEveryPart(@TempDir Path seqDir, @TempDir Path dir)
      throws Exception {
    EvNodeSync sequencer = node(EvNodeSync.Role.SEQUENCER, List.of(), seqDir); // produced nothing
    sequencer.start().get(T, TimeUnit.SECONDS);
    EvNodeSync full = node(EvNodeSync.Role.FULL, sequencer.p2p().addresses(), dir);
    HeaderSyncException e = assertInstanceOf(HeaderSyncException.class, cause(full.start()));
    assertTrue(
        e.getMessage().startsWith("full node of gm: header service start failed"), e.getMessage());
    assertEquals(State.FAILED, full.state());
    assertSame(e, full.failure().orElseThrow());
    assertSame(e, cause(full.start()), "later starts report the failure");
    assertParts(full, State.FAILED, State.STOPPED, State.STOPPED);
    assertStoresReleased(dir);
    full.stop()
        .get(T, TimeUnit.SECONDS); // everything was released: stopping a failed node succeeds
    assertEquals(State.FAILED, full.state());
    assertEquals(State.RUNNING, sequencer.state(), "the other node is untouched");
  }
}
