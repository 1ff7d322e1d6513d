package io.headersync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Verification;
import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.store.InMemoryStore;
import io.headersync.store.Store;
import io.headersync.store.StoreOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The test kit's chain generators, clock and scheduler. */
class TestKitToolsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void evNodeChainIsValidAndTheSameForTheSameSeed() {
    List<Block> blocks = EvNodeChain.builder("gm").seed(42).txs(2, 16).build().next(20);
    assertEquals(blocks, EvNodeChain.builder("gm").seed(42).txs(2, 16).build().next(20));
    EvNodeChain other = EvNodeChain.builder("gm").seed(43).build();
    assertNotEquals(blocks.get(0).hash(), other.next().hash());

    List<P2PSignedHeader> headers = EvNodeChain.headers(blocks);
    List<P2PData> data = EvNodeChain.data(blocks);
    MutableClock clock = new MutableClock(T0);
    Verification<P2PSignedHeader> headerCheck =
        new Verification<>(EvNodeTypes.P2P_SIGNED_HEADER, clock);
    Verification<P2PData> dataCheck = new Verification<>(EvNodeTypes.P2P_DATA, clock);
    for (int i = 0; i < blocks.size(); i++) {
      assertEquals(i + 1, headers.get(i).height());
      headers.get(i).validateBasic(clock);
      headers.get(i).verifySignature();
      EvNodeTypes.validate(blocks.get(i).header(), blocks.get(i).data());
      assertEquals(2, blocks.get(i).data().txCount());
      if (i > 0) {
        headerCheck.verify(headers.get(i - 1), headers.get(i));
        dataCheck.verify(data.get(i - 1), data.get(i));
      }
    }
    EvNodeChain chain = EvNodeChain.builder("gm").seed(42).build();
    assertEquals(chain.proposer(), chain.next().header().signer());
    assertEquals(1, chain.head().height());
  }

  @Test
  void evNodeChainStartsAtTheInitialHeightAndTime() {
    EvNodeChain chain =
        EvNodeChain.builder("gm")
            .initialHeight(100)
            .startTime(T0)
            .blockTime(Duration.ofMillis(250))
            .build();
    assertThrows(IllegalStateException.class, chain::head);
    List<Block> blocks = chain.next(3);
    assertEquals(100, blocks.get(0).height());
    assertEquals(T0.plusMillis(500), blocks.get(2).header().time());
    assertThrows(IllegalArgumentException.class, () -> EvNodeChain.builder("gm").initialHeight(0));
    assertThrows(IllegalArgumentException.class, () -> EvNodeChain.builder(""));
  }

  @Test
  void seededDummyChainsAreLinkedRepeatableAndDistinct() {
    List<DummyHeader> a = DummyChain.seeded(5).next(50);
    assertEquals(a, DummyChain.seeded(5).next(50));
    assertNotEquals(a.get(0), DummyChain.seeded(6).next());
    for (int i = 1; i < a.size(); i++) {
      DummyHeader.TYPE.verify(a.get(i - 1), a.get(i));
      assertEquals(a.get(i - 1).hash(), a.get(i).lastHeaderHash());
      assertTrue(a.get(i).time().isAfter(a.get(i - 1).time()));
    }
    Store<DummyHeader> store = new InMemoryStore<>(StoreOptions.defaults());
    StoreContractTest.appendAndWait(store, a);
    StoreContractTest.assertHolds(store, a);
    store.close();
  }

  @Test
  void manualSchedulerRunsTasksInDueOrderAndMovesTheClock() {
    MutableClock clock = new MutableClock(T0);
    ManualScheduler scheduler = new ManualScheduler(clock);
    List<String> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add("b@" + clock.instant()), 2, TimeUnit.SECONDS);
    scheduler.schedule(() -> ran.add("a@" + clock.instant()), 1, TimeUnit.SECONDS);
    ScheduledFuture<?> tick =
        scheduler.scheduleAtFixedRate(() -> ran.add("tick"), 0, 1500, TimeUnit.MILLISECONDS);
    scheduler.execute(() -> ran.add("now"));
    assertEquals(2, scheduler.runPending());
    assertEquals(List.of("tick", "now"), ran);
    scheduler.advance(Duration.ofSeconds(3));
    assertEquals(
        List.of("tick", "now", "a@" + T0.plusSeconds(1), "tick", "b@" + T0.plusSeconds(2), "tick"),
        ran);
    assertEquals(T0.plusSeconds(3), clock.instant());
    tick.cancel(false);
    assertEquals(0, scheduler.queued());
    assertThrows(IllegalArgumentException.class, () -> scheduler.advance(Duration.ofSeconds(-1)));
    scheduler.shutdownNow();
    assertTrue(scheduler.isTerminated());
    assertThrows(
        java.util.concurrent.RejectedExecutionException.class, () -> scheduler.execute(() -> {}));
  }
}
