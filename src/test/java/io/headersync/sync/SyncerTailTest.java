package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.store.InMemoryStore;
import io.headersync.store.StoreOptions;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The syncer's tail: go-header's {@code sync/syncer_tail_test.go} ported (a remote chain of 100
 * headers one nanosecond apart, go-header's {@code headertest} chain), plus pruning in bounded
 * steps, back-fill by hash links, and the option rules. A direct worker executor, a manual
 * scheduler and a mutable clock make every step deterministic.
 */
@Timeout(30)
class SyncerTailTest {
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");

  /** go-header's {@code headertest.HeaderTime}: the dummy chain's headers are 1 ns apart. */
  private static final Duration HEADER_TIME = Duration.ofNanos(1);

  private static final Executor DIRECT = Runnable::run;

  private final MutableClock clock = new MutableClock(GENESIS.plusSeconds(1));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);
  private final List<DummyHeader> chain = new DummyChain(GENESIS).next(100);
  private final List<String> tailEvents = new ArrayList<>();
  private InMemoryStore<DummyHeader> store = new InMemoryStore<>();

  SyncerTailTest() {
    source.add(chain);
  }

  private DummyHeader h(long height) {
    return chain.get((int) height - 1);
  }

  private SyncerOptions.Builder options() {
    // The clock is a second past the chain: every start asks for the network head. The refresh
    // timer is kept out of the way of the manual scheduler.
    return SyncerOptions.builder(HEADER_TIME).headRefreshInterval(Duration.ofHours(1));
  }

  private Syncer<DummyHeader> syncer(UnaryOperator<SyncerOptions.Builder> opts) {
    return Syncer.builder(store, source, DummyHeader.TYPE)
        .options(opts.apply(options()).build())
        .clock(clock)
        .scheduler(scheduler)
        .workerExecutor(DIRECT)
        .listener(
            new SyncListener<>() {
              @Override
              public void tailMoved(DummyHeader tail) {
                tailEvents.add("tail " + tail.height());
              }
            })
        .build();
  }

  /** What the service does: initialise the empty store from the tail options, then start. */
  private Syncer<DummyHeader> startFresh(UnaryOperator<SyncerOptions.Builder> opts) {
    Syncer<DummyHeader> syncer = syncer(opts);
    DummyHeader first = syncer.initialTail(1).join();
    store.append(List.of(first)).join();
    syncer.start().join();
    syncer.tailIdle().join();
    return syncer;
  }

  private Syncer<DummyHeader> restart(
      Syncer<DummyHeader> old, UnaryOperator<SyncerOptions.Builder> opts) {
    old.stop().join();
    Syncer<DummyHeader> syncer = syncer(opts);
    syncer.start().join();
    syncer.tailIdle().join();
    return syncer;
  }

  private long tail() {
    return store.tail().orElseThrow().height();
  }

  /** go-header TestSyncer_TailHashOverHeight: the hash wins, also over a height set later. */
  @Test
  void tailHashWinsOverHeight() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHash(h(50).hash()));
    assertTrue(syncer.syncWait().isDone());
    assertEquals(100, store.height());
    assertEquals(50, tail());
    syncer = restart(syncer, o -> o.syncFromHash(h(50).hash()).syncFromHeight(99));
    assertEquals(50, tail());
    assertEquals(0, syncer.metrics().headersPruned());
  }

  /**
   * go-header TestSyncer_TailEstimation: an empty store starts from the tail estimated from the
   * trusting period (the chain is younger: height 1), and the window of 50 ns then prunes to 50.
   * go-header prunes on the next {@code Head()} call; we prune as the head advances.
   */
  @Test
  void tailIsEstimatedFromTheTrustingPeriodThenPrunedToTheWindow() {
    Syncer<DummyHeader> syncer = syncer(o -> o.pruningWindow(Duration.ofNanos(50)));
    assertEquals(1, syncer.initialTail(1).join().height());
    store.append(List.of(h(1))).join();
    syncer.start().join();
    syncer.tailIdle().join();
    assertEquals(100, syncer.syncState().height());
    assertEquals(50, tail(), "head time minus 50 ns is header 50's time");
    assertEquals(49, syncer.metrics().headersPruned());
    assertEquals(50, syncer.metrics().tailHeight());
    assertTrue(tailEvents.contains("tail 50"), tailEvents.toString());
  }

  /**
   * The estimate when the chain is older than the trusting period: head - trustingPeriod /
   * blockTime.
   */
  @Test
  void estimatedTailRespectsTheTrustingPeriod() {
    Syncer<DummyHeader> syncer = syncer(o -> o.trustingPeriod(Duration.ofNanos(30)));
    assertEquals(70, syncer.initialTail(1).join().height());
    assertEquals(
        95,
        syncer(o -> o.trustingPeriod(Duration.ofNanos(30))).initialTail(95).join().height(),
        "never below the initial height");
  }

  /** go-header TestSyncer_TailReconfiguration: a restart with SyncFromHeight moves the tail up. */
  @Test
  void restartWithAHigherSyncFromHeightPrunesUpToIt() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(1));
    assertEquals(1, tail());
    syncer = restart(syncer, o -> o.syncFromHeight(69));
    assertEquals(69, tail());
    assertEquals(68, syncer.metrics().headersPruned());
    assertEquals(100, store.height());
  }

  /**
   * go-header TestSyncer_TailInitialization, "SyncFromHash": 69, then a restart with the hash of
   * 79.
   */
  @Test
  void syncFromHashInitialisesThereAndARestartMovesItUp() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHash(h(69).hash()));
    assertEquals(69, tail());
    assertEquals(100, store.height());
    syncer = restart(syncer, o -> o.syncFromHash(h(79).hash()).syncFromHeight(79));
    assertEquals(79, tail());
  }

  /**
   * go-header TestSyncer_TailInitialization, "SyncFromHeight": 69, then a restart with 59
   * back-fills.
   */
  @Test
  void syncFromHeightInitialisesThereAndARestartBelowBackfills() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(69));
    assertEquals(69, tail());
    assertEquals(100, store.height());
    syncer = restart(syncer, o -> o.syncFromHeight(59));
    assertEquals(59, tail());
    assertEquals(10, syncer.metrics().headersBackfilled());
    for (long x = 59; x <= 100; x++) {
      assertEquals(h(x), store.getByHeight(x).orElseThrow());
    }
    assertEquals("tail 59", tailEvents.get(tailEvents.size() - 1));
  }

  /**
   * go-header TestSyncer_TailInitialization, "Estimate": the remote tail, before and after a
   * restart.
   */
  @Test
  void estimateInitialisesAtTheRemoteTail() {
    Syncer<DummyHeader> syncer = startFresh(o -> o);
    assertEquals(1, tail());
    assertEquals(100, store.height());
    restart(syncer, o -> o);
    assertEquals(1, tail(), "337 h window: nothing to prune");
  }

  /** A restart from a trusted hash near the head back-fills far down in 64-header requests. */
  @Test
  void backfillGoesDownInRequestsOf64VerifiedByHashLinks() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHash(h(98).hash()));
    assertEquals(98, tail());
    int before = source.rangeByHeightCalls;
    syncer = restart(syncer, o -> o.syncFromHash(h(2).hash()));
    assertEquals(2, tail());
    assertEquals(2, source.rangeByHeightCalls - before, "96 headers: 64 + 32");
    assertEquals(96, syncer.metrics().headersBackfilled());
  }

  @Test
  void backfillRefusesHeadersThatDoNotLinkAndRetries() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(80));
    DummyHeader forged = h(75).withTime(h(75).time().plusNanos(1)); // same height, another hash
    source.forged.put(75L, forged);
    syncer = restart(syncer, o -> o.syncFromHeight(60));
    assertEquals(80, tail(), "nothing of a batch that does not link is stored");
    assertEquals(0, syncer.metrics().headersBackfilled());
    source.forged.clear();
    scheduler.advance(Duration.ofSeconds(1)); // the retry after the backoff
    syncer.tailIdle().join();
    assertEquals(60, tail());
    assertEquals(20, syncer.metrics().headersBackfilled());
  }

  /**
   * Failed tail work is retried after the syncer's one backoff: the initial delay, doubling,
   * capped.
   */
  @Test
  void failedTailWorkRetriesAfterTheSyncersBackoff() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(80));
    source.forged.put(75L, h(75).withTime(h(75).time().plusNanos(1)));
    syncer =
        restart(
            syncer,
            o ->
                o.syncFromHeight(60)
                    .retryInitialBackoff(Duration.ofMillis(500))
                    .retryMaxBackoff(Duration.ofSeconds(2)));
    int calls = source.rangeByHeightCalls;
    for (Duration wait :
        List.of(
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(2))) {
      scheduler.advance(wait.minusMillis(1));
      assertEquals(calls, source.rangeByHeightCalls, "retried before " + wait);
      scheduler.advance(Duration.ofMillis(1));
      assertEquals(calls + 1, source.rangeByHeightCalls, "not retried after " + wait);
      calls = source.rangeByHeightCalls;
    }
    source.forged.clear();
    scheduler.advance(Duration.ofSeconds(2));
    syncer.tailIdle().join();
    assertEquals(60, tail());
  }

  /**
   * The back-fill's requests are in flight together, but a batch is checked against the one above
   * it and prepended in order: a forged header in the second batch keeps what the first brought and
   * stores nothing of the second; the retry goes on from there.
   */
  @Test
  void pipelinedBackfillPrependsInOrderAndKeepsWhatLinkedBeforeAForgedBatch() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHash(h(98).hash()));
    source.forged.put(20L, h(20).withTime(h(20).time().plusNanos(1)));
    int before = source.rangeByHeightCalls;
    syncer = restart(syncer, o -> o.syncFromHash(h(2).hash()));
    assertEquals(
        2, source.rangeByHeightCalls - before, "both requests sent at once: [34, 98) and [2, 34)");
    assertEquals(34, tail(), "the first batch linked and was prepended, the forged one was not");
    assertEquals(64, syncer.metrics().headersBackfilled());
    source.forged.clear();
    scheduler.advance(Duration.ofSeconds(1)); // the retry after the backoff, from the new tail
    syncer.tailIdle().join();
    assertEquals(2, tail());
    assertEquals(96, syncer.metrics().headersBackfilled());
    assertEquals(h(2), store.getByHeight(2).orElseThrow());
  }

  @Test
  void pruningAsTheHeadAdvancesIsBoundedPerStep() {
    store = new InMemoryStore<>(StoreOptions.builder().maxDeleteHeaders(10).build());
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(1));
    assertEquals(1, tail());
    // Restart without the pin and with a window of 20 ns: the tail moves to 80 in steps of 10.
    syncer = restart(syncer, o -> o.pruningWindow(Duration.ofNanos(20)));
    assertEquals(80, tail());
    assertEquals(79, syncer.metrics().headersPruned());
    List<String> steps = tailEvents.subList(tailEvents.indexOf("tail 11"), tailEvents.size());
    assertEquals(
        List.of(
            "tail 11", "tail 21", "tail 31", "tail 41", "tail 51", "tail 61", "tail 71", "tail 80"),
        steps);
    // New heads keep it inside the window.
    List<DummyHeader> more = new ArrayList<>();
    DummyHeader last = h(100);
    for (int i = 0; i < 30; i++) {
      last = last.next();
      more.add(last);
    }
    source.add(more);
    syncer.incomingHead(last).join();
    syncer.tailIdle().join();
    assertEquals(130, store.height());
    assertEquals(110, tail());
  }

  @Test
  void aPinnedTailIsNeverPruned() {
    Syncer<DummyHeader> syncer =
        startFresh(o -> o.syncFromHeight(1).pruningWindow(Duration.ofNanos(5)));
    assertEquals(1, tail());
    assertEquals(0, syncer.metrics().headersPruned());
  }

  @Test
  void aConfiguredTailAboveTheHeadIsRefusedWithAClearMessage() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(1));
    syncer.stop().join();
    store.deleteRange(91, 101).join();
    Syncer<DummyHeader> again =
        syncer(o -> o.syncFromHeight(95).recencyThreshold(Duration.ofDays(1)));
    clock.set(h(90).time());
    again.start().join();
    again.tailIdle().join();
    assertEquals(1, tail(), "the tail did not move");
    assertEquals(90, store.height());
  }

  @Test
  void optionsFollowGoHeadersRules() {
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class, () -> options().pruningWindow(Duration.ZERO).build());
    assertTrue(none.getMessage().contains("syncFromHeight"), none.getMessage());
    options().pruningWindow(Duration.ZERO).syncFromHeight(1).build();
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> SyncerOptions.builder(Duration.ZERO));
    assertTrue(zero.getMessage().contains("blockTime must be positive"), zero.getMessage());
    assertTrue(zero.getMessage().contains("tail estimate"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> options().syncFromHeight(0));
    assertThrows(IllegalArgumentException.class, () -> options().syncFromHash(Hash.EMPTY));
    assertThrows(
        IllegalArgumentException.class, () -> options().pruningWindow(Duration.ofSeconds(-1)));
    assertEquals(Duration.ofHours(337), SyncerOptions.defaults(HEADER_TIME).pruningWindow());
    SyncerOptions o =
        options()
            .syncFromHash(h(3).hash())
            .syncFromHeight(7)
            .pruningWindow(Duration.ofHours(1))
            .build();
    SyncerOptions copy = o.toBuilder().build();
    assertEquals(o.syncFromHash(), copy.syncFromHash());
    assertEquals(7, copy.syncFromHeight());
    assertEquals(Duration.ofHours(1), copy.pruningWindow());
    assertTrue(copy.tailPinned());
  }

  /**
   * History on demand: a header below the tail, verified by hash links down from the tail, not
   * stored.
   */
  @Test
  void fetchBelowTailVerifiesByHashLinksWithoutStoring() {
    Syncer<DummyHeader> syncer = startFresh(o -> o.syncFromHeight(80));
    int before = source.rangeByHeightCalls;
    assertEquals(h(10), syncer.fetchBelowTail(10).join());
    assertEquals(2, source.rangeByHeightCalls - before, "70 heights: 64 + 6");
    assertEquals(80, tail(), "nothing stored");
    source.forged.put(40L, h(40).withTime(h(40).time().plusNanos(1)));
    Throwable e =
        assertThrows(
                java.util.concurrent.CompletionException.class,
                () -> syncer.fetchBelowTail(10).join())
            .getCause();
    assertTrue(
        e instanceof io.headersync.VerifyException v
            && !v.isSoft()
            && v.height().equals(java.util.OptionalLong.of(40))
            && e.getMessage().contains("header 40"),
        e.toString());
    assertThrows(IllegalArgumentException.class, () -> syncer.fetchBelowTail(80), "at the tail");
    assertThrows(IllegalArgumentException.class, () -> syncer.fetchBelowTail(0));
  }
}
