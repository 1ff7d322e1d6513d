package io.headersync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.sync.SyncListener;
import io.headersync.testkit.TestNetwork;
import io.headersync.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's tail settings over the real stack (in-memory network, RocksDB): a node started from
 * {@code syncFromHeight}, restarted lower (back-filled over the exchange by hash links), and a node
 * pruning behind the head. Waits on the tail listener, never on time.
 */
class HeaderSyncServiceTailTest {
  private static final long T = 30;

  private static HeaderSyncService<P2PSignedHeader> follower(
      TestNetwork net,
      TestNode seed,
      Path dir,
      CompletableFuture<Void> tailReached,
      java.util.function.LongPredicate tailWanted,
      UnaryOperator<HeaderSyncService.Builder<P2PSignedHeader>> opts) {
    return opts.apply(
            HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
                .p2p(
                    P2PConfig.builder()
                        .identity(HeaderSyncServiceTest.key(79))
                        .inMemory(net.inMemoryNetwork())
                        .seed(seed.p2p().addresses().get(0))
                        .build())
                .storePath(dir)
                .blockTime(Duration.ofMillis(100))
                .listener(
                    new SyncListener<>() {
                      @Override
                      public void tailMoved(P2PSignedHeader tail) {
                        if (tailWanted.test(tail.height())) {
                          tailReached.complete(null);
                        }
                      }
                    }))
        .build();
  }

  @Test
  void syncFromHeightStartsThereAndARestartLowerBackfillsOverTheNetwork(@TempDir Path dir)
      throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(300);
      HeaderSyncService<P2PSignedHeader> first =
          follower(
              net,
              sequencer,
              dir,
              new CompletableFuture<>(),
              t -> false,
              b -> b.syncFromHeight(250));
      first.start().get(T, TimeUnit.SECONDS);
      first.store().awaitHeight(300).get(T, TimeUnit.SECONDS);
      assertEquals(250, first.store().tail().orElseThrow().height());
      first.close();

      CompletableFuture<Void> down = new CompletableFuture<>();
      HeaderSyncService<P2PSignedHeader> second =
          follower(net, sequencer, dir, down, t -> t <= 20, b -> b.syncFromHeight(20));
      try {
        second.start().get(T, TimeUnit.SECONDS);
        down.get(T, TimeUnit.SECONDS);
        assertEquals(20, second.store().tail().orElseThrow().height());
        for (long h = 20; h <= 300; h++) {
          assertEquals(
              sequencer.headers().store().getByHeight(h).orElseThrow(),
              second.store().getByHeight(h).orElseThrow(),
              "height " + h);
        }
        assertEquals(230, second.syncMetrics().headersBackfilled());
      } finally {
        second.close();
      }
    }
  }

  @Test
  void aNodeWithAPruningWindowKeepsOnlyTheWindow(@TempDir Path dir) throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(200);
      // Header times come from the system clock, strictly increasing: a 1 ns window keeps the head
      // and at most the header 1 ns before it.
      CompletableFuture<Void> pruned = new CompletableFuture<>();
      HeaderSyncService<P2PSignedHeader> node =
          follower(
              net,
              sequencer,
              dir,
              pruned,
              t -> t >= 199,
              b -> b.pruningWindow(Duration.ofNanos(1)));
      try {
        node.start().get(T, TimeUnit.SECONDS);
        node.store().awaitHeight(200).get(T, TimeUnit.SECONDS);
        pruned.get(T, TimeUnit.SECONDS); // pruning follows the appends, one bounded step at a time
        long tail = node.store().tail().orElseThrow().height();
        assertTrue(tail >= 199, "tail " + tail);
        assertTrue(node.syncMetrics().headersPruned() >= 198, node.syncMetrics().toString());
        assertTrue(node.syncMetrics().tailHeight() >= tail, node.syncMetrics().toString());
        // A pruned height is still readable: fetched and verified by hash links, not stored again.
        assertEquals(
            sequencer.headers().store().getByHeight(50).orElseThrow(),
            node.getByHeight(50).get(T, TimeUnit.SECONDS));
        assertTrue(node.store().tail().orElseThrow().height() >= 199);
      } finally {
        node.close();
      }
    }
  }

  @Test
  void builderChecksTheTailSettings() {
    HeaderSyncService.Builder<P2PSignedHeader> b =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm");
    assertThrows(IllegalArgumentException.class, () -> b.syncFromHeight(0));
    assertThrows(IllegalArgumentException.class, () -> b.pruningWindow(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.syncFromHash(Hash.EMPTY));
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> b.blockTime(Duration.ZERO));
    assertTrue(zero.getMessage().contains("tail estimate"), zero.getMessage());
    assertEquals(Duration.ofHours(337), NetworkProfile.SEED.pruningWindow());
    assertEquals(Duration.ofDays(99L * 365), NetworkProfile.EVNODE.pruningWindow());
  }

  /**
   * History on demand (go-header issues #112, #334): a node started from a trusted hash near the
   * head follows the head at once and back-fills down to its configured tail in the background.
   */
  @Test
  void aNodeStartedFromATrustedHashNearTheHeadBackfillsHistoryInTheBackground(@TempDir Path dir)
      throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(400);
      CompletableFuture<Void> history = new CompletableFuture<>();
      HeaderSyncService<P2PSignedHeader> node =
          follower(
              net,
              sequencer,
              dir,
              history,
              t -> t == 1,
              b ->
                  b.trustedHash(sequencer.headers().store().getByHeight(390).orElseThrow().hash())
                      .syncFromHeight(1));
      try {
        node.start().get(T, TimeUnit.SECONDS);
        node.store().awaitHeight(400).get(T, TimeUnit.SECONDS);
        history.get(T, TimeUnit.SECONDS);
        assertEquals(1, node.store().tail().orElseThrow().height());
        assertEquals(389, node.syncMetrics().headersBackfilled());
        for (long h = 1; h <= 400; h++) {
          assertEquals(
              sequencer.headers().store().getByHeight(h).orElseThrow(),
              node.store().getByHeight(h).orElseThrow(),
              "height " + h);
        }
      } finally {
        node.close();
      }
    }
  }
}
