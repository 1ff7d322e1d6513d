package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.HeaderType;
import io.headersync.VerifyException;
import io.headersync.lifecycle.Service;
import io.headersync.store.InMemoryStore;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The syncer against a network-free header source (go-header's {@code local.Exchange} style), with
 * a manual scheduler, a mutable clock and a direct worker executor: every step is deterministic.
 * Scenarios ported from go-header's {@code sync/syncer_test.go} and {@code syncer_head_test.go}.
 */
@Timeout(30)
class SyncerTest {
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BLOCK_TIME = Duration.ofSeconds(1);
  private static final Executor DIRECT = Runnable::run;

  private final MutableClock clock = new MutableClock(GENESIS.plus(Duration.ofHours(1)));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);
  private final List<DummyHeader> chain = new DummyChain(GENESIS).next(3_000);
  private final InMemoryStore<DummyHeader> store = new InMemoryStore<>();
  private final List<String> events = new ArrayList<>();

  private Syncer.Builder<DummyHeader> builder(SyncerOptions options) {
    return Syncer.builder(store, source, DummyHeader.TYPE)
        .options(options)
        .clock(clock)
        .scheduler(scheduler)
        .workerExecutor(DIRECT)
        .listener(
            new SyncListener<>() {
              @Override
              public void headChanged(DummyHeader head) {
                events.add("head " + head.height());
              }

              @Override
              public void syncFinished(SyncState state) {
                events.add("finished " + state.toHeight());
              }

              @Override
              public void syncFailed(SyncState state, Throwable cause) {
                events.add("failed " + state.toHeight());
              }
            });
  }

  private Syncer<DummyHeader> syncer() {
    return builder(SyncerOptions.defaults(BLOCK_TIME)).build();
  }

  private DummyHeader h(long height) {
    return chain.get((int) height - 1);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isDone(), "future is not done");
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return e.getCause();
  }

  private void initStore(long height) {
    store.append(chain.subList(0, (int) height)).join();
  }

  /**
   * A store that fails every append past {@code limit} as a full disk does (go-header retries such
   * a sync for ever).
   */
  @SuppressWarnings("unchecked")
  private io.headersync.store.Store<DummyHeader> diskFullAbove(long limit) {
    return (io.headersync.store.Store<DummyHeader>)
        java.lang.reflect.Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {io.headersync.store.Store.class},
            (proxy, method, args) -> {
              if (method.getName().equals("append")) {
                List<DummyHeader> batch = (List<DummyHeader>) args[0];
                if (batch.get(batch.size() - 1).height() > limit) {
                  return CompletableFuture.failedFuture(
                      new io.headersync.store.StoreFailedException(
                          "writing heights "
                              + batch.get(0).height()
                              + ".. failed (is the disk full?)"));
                }
              }
              try {
                return method.invoke(store, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void aStoreThatFailedAWriteStopsTheSyncerInsteadOfRetryingForEver() {
    initStore(1);
    source.add(chain);
    Syncer<DummyHeader> syncer =
        Syncer.builder(diskFullAbove(1_000), source, DummyHeader.TYPE)
            .options(SyncerOptions.defaults(BLOCK_TIME))
            .clock(clock)
            .scheduler(scheduler)
            .workerExecutor(DIRECT)
            .build();
    CompletableFuture<Void> fatal = syncer.fatalFailure();
    // The direct worker runs the whole catch-up inside start(): the failure fails the start too.
    CompletableFuture<Void> start = syncer.start();
    assertTrue(store.height() <= 1_000, "stored past the failing height: " + store.height());
    Throwable cause = failure(fatal);
    assertInstanceOf(io.headersync.store.StoreFailedException.class, cause);
    assertTrue(cause.getMessage().contains("disk full"), cause.getMessage());
    assertSame(cause, failure(start));
    assertFalse(syncer.isRunning(), "the syncer still runs on a store that accepts no writes");
    assertEquals(Service.State.FAILED, syncer.state());
    assertSame(cause, syncer.failure().orElseThrow());
    assertTrue(syncer.terminated().isDone());
    int requests = source.rangeCalls;
    scheduler.advance(
        Duration.ofMinutes(10)); // no retry timer, no head refresh: nothing is asked any more
    assertEquals(requests, source.rangeCalls);
  }

  @Test
  void blockTimeMustBePositive() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> SyncerOptions.builder(Duration.ZERO));
    assertTrue(zero.getMessage().contains("blockTime"), zero.getMessage());
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class, () -> SyncerOptions.defaults(Duration.ofSeconds(-1)));
    assertTrue(negative.getMessage().contains("blockTime"), negative.getMessage());
    assertEquals(Duration.ofSeconds(3), SyncerOptions.defaults(BLOCK_TIME).recencyThreshold());
    assertEquals(Duration.ofHours(336), SyncerOptions.defaults(BLOCK_TIME).trustingPeriod());
  }

  @Test
  void builderNamesWhatIsMissing() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Syncer.builder(store, source, DummyHeader.TYPE)
                    .scheduler(scheduler)
                    .workerExecutor(DIRECT)
                    .build());
    assertTrue(e.getMessage().contains("options"), e.getMessage());
    e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Syncer.builder(store, source, DummyHeader.TYPE)
                    .options(SyncerOptions.defaults(BLOCK_TIME))
                    .workerExecutor(DIRECT)
                    .build());
    assertTrue(e.getMessage().contains("scheduler"), e.getMessage());
  }

  @Test
  void startRequiresAnInitialisedStore() {
    Syncer<DummyHeader> syncer = syncer();
    Throwable e = failure(syncer.start());
    assertInstanceOf(IllegalStateException.class, e);
    assertTrue(e.getMessage().contains("store is empty"), e.getMessage());
    assertEquals(Service.State.FAILED, syncer.state());
  }

  /** go-header's TestSyncSimpleRequestingHead / TestSyncCatchUp. */
  @Test
  void catchesUpToTheNetworkHeadWhenTheStoreHeadIsNotRecent() {
    initStore(1);
    source.add(chain);
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    assertEquals(1, source.trustedHeadCalls);
    assertEquals(0, source.headCalls);
    assertEquals(3_000, store.height(), syncer.syncState().toString());
    assertTrue(syncer.syncWait().isDone());
    SyncState state = syncer.syncState();
    assertEquals(1, state.id());
    assertEquals(2, state.fromHeight());
    assertEquals(3_000, state.toHeight());
    assertEquals(h(1).hash(), state.fromHash());
    assertEquals(h(3_000).hash(), state.toHash());
    assertTrue(state.finished());
    assertTrue(state.error().isEmpty());
    assertTrue(state.end().isPresent());
    assertEquals(2_999, syncer.metrics().headersAppended());
    assertEquals(List.of("head 3000", "finished 3000"), events);
    assertEquals(0, syncer.pendingCount());
  }

  @Test
  void aRecentStoreHeadNeedsNoNetworkHeadUntilItAges() {
    initStore(10);
    source.add(chain.subList(0, 20));
    clock.set(h(10).time().plusSeconds(2)); // within 3 x block time
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    assertEquals(0, source.trustedHeadCalls);
    assertEquals(10, store.height());
    assertEquals(0, syncer.metrics().outdatedHead());
    // The refresh timer finds the head no longer recent and asks the network.
    scheduler.advance(Duration.ofSeconds(3));
    assertEquals(1, source.trustedHeadCalls);
    assertEquals(20, store.height());
    assertEquals(1, syncer.metrics().outdatedHead());
    // The new head (time ~ genesis) is not recent either: trusted peers are out of sync.
    assertEquals(1, syncer.metrics().trustedPeersOutOfSync());
  }

  @Test
  void anExpiredStoreHeadIsReinitialisedFromTrustedPeers() {
    initStore(5);
    source.add(chain.subList(0, 100));
    clock.set(GENESIS.plus(Duration.ofMinutes(10)));
    SyncerOptions options =
        SyncerOptions.builder(BLOCK_TIME).trustingPeriod(Duration.ofMinutes(5)).build();
    Syncer<DummyHeader> syncer = builder(options).build();
    // The store head and the trusted peers' head are both older than the trusting period.
    // The syncer runs on (and retries on its timer); the first head says why it is not known.
    syncer.start().join();
    assertTrue(syncer.isRunning());
    CompletableFuture<DummyHeader> start = syncer.firstHead();
    assertInstanceOf(SyncException.class, failure(start));
    assertTrue(failure(start).getMessage().contains("expired"), failure(start).getMessage());
    assertEquals(1, source.headCalls);
    assertEquals(0, source.trustedHeadCalls);
    assertEquals(1, syncer.metrics().subjectiveInits());
    assertEquals(5, store.height());
    syncer.stop().join();
    // The trusted peers move on: a head newer than the trusting period is accepted as the
    // subjective head.
    DummyHeader fresh = h(6).withTime(GENESIS.plus(Duration.ofMinutes(9)));
    List<DummyHeader> newer = new ArrayList<>(List.of(fresh));
    for (int i = 0; i < 94; i++) {
      newer.add(newer.get(newer.size() - 1).next());
    }
    source.remote.clear();
    source.add(chain.subList(0, 5));
    source.add(newer);
    Syncer<DummyHeader> second = builder(options).build();
    second.start().join();
    assertEquals(1, second.metrics().subjectiveInits());
    assertEquals(100, store.height());
    assertEquals(newer.get(94), store.head().orElseThrow());
  }

  @Test
  void gossipBeforeStartIsIgnoredAndSyncWaitWithNothingToDoIsDone() {
    initStore(10);
    clock.set(h(10).time());
    Syncer<DummyHeader> syncer = syncer();
    assertInstanceOf(SyncException.class, failure(syncer.incomingHead(h(11))));
    syncer.start().join();
    assertTrue(syncer.syncWait().isDone());
    assertTrue(syncer.syncState().finished());
    assertEquals(0, syncer.syncState().id());
  }

  /** go-header's TestSyncer_incomingNetworkHeadRaces: concurrent candidates, one at a time. */
  @Test
  void concurrentGossipOfOneHeaderIsAcceptedOnce() throws Exception {
    initStore(10);
    clock.set(h(10).time());
    source.add(chain.subList(0, 100));
    source.hold = true;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      Syncer<DummyHeader> syncer =
          Syncer.builder(store, source, DummyHeader.TYPE)
              .options(SyncerOptions.defaults(BLOCK_TIME))
              .clock(clock)
              .scheduler(scheduler)
              .workerExecutor(pool)
              .build();
      syncer.start().get(10, java.util.concurrent.TimeUnit.SECONDS);
      List<CompletableFuture<Void>> all = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        all.add(f);
        threads.add(
            new Thread(
                () ->
                    syncer
                        .incomingHead(h(50))
                        .whenComplete(
                            (v, e) -> {
                              if (e != null) {
                                f.completeExceptionally(e);
                              } else {
                                f.complete(null);
                              }
                            })));
      }
      threads.forEach(Thread::start);
      int accepted = 0;
      for (CompletableFuture<Void> f : all) {
        try {
          f.get(10, java.util.concurrent.TimeUnit.SECONDS);
          accepted++;
        } catch (java.util.concurrent.ExecutionException e) {
          VerifyException v = assertInstanceOf(VerifyException.class, e.getCause());
          assertEquals(VerifyException.Reason.KNOWN_HEADER, v.reason());
        }
      }
      assertEquals(1, accepted);
      assertEquals(1, syncer.pendingCount());
      assertEquals(7, syncer.metrics().gossipIgnored());
      syncer.stop().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void gossipAdjacentHeaderIsAppended() {
    initStore(10);
    clock.set(h(10).time());
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    syncer.incomingHead(h(11)).join();
    assertEquals(11, store.height());
    assertEquals(0, source.rangeCalls);
    assertEquals(1, syncer.metrics().gossipAccepted());
  }

  /** go-header's TestSyncerIncomingDuplicate: known headers are ignored (soft), not rejected. */
  @Test
  void gossipKnownHeaderIsASoftKnownHeaderFailure() {
    initStore(10);
    clock.set(h(10).time());
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    for (long height : new long[] {10, 5}) {
      VerifyException e =
          assertInstanceOf(VerifyException.class, failure(syncer.incomingHead(h(height))));
      assertEquals(VerifyException.Reason.KNOWN_HEADER, e.reason());
      assertTrue(e.isSoft());
      assertTrue(e.getMessage().contains("known header"), e.getMessage());
    }
    assertEquals(2, syncer.metrics().gossipIgnored());
  }

  @Test
  void gossipInvalidHeaderIsAHardFailure() {
    initStore(10);
    clock.set(h(10).time());
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    // Adjacent, but not linked by hash.
    DummyHeader unlinked = new DummyChain("test", 11, h(10).time()).next();
    VerifyException e =
        assertInstanceOf(VerifyException.class, failure(syncer.incomingHead(unlinked)));
    assertFalse(e.isSoft());
    e =
        assertInstanceOf(
            VerifyException.class, failure(syncer.incomingHead(h(11).withChainId("other"))));
    assertEquals(VerifyException.Reason.WRONG_CHAIN_ID, e.reason());
    assertFalse(e.isSoft());
    assertEquals(2, syncer.metrics().gossipRejected());
    assertEquals(10, store.height());
    syncer.incomingHead(h(11)).join();
    assertEquals(11, store.height());
  }

  /**
   * go-header's TestSyncPendingRangesWithMisses: gossip ahead becomes the target; gaps are fetched.
   */
  @Test
  void gossipAheadBecomesTheTargetAndTheGapIsFetched() {
    initStore(10);
    source.add(chain.subList(0, 200));
    clock.set(h(10).time());
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    source.hold = true;
    syncer.incomingHead(h(50)).join();
    assertEquals(50, syncer.subjectiveHead().height());
    CompletableFuture<Void> wait50 = syncer.syncWait();
    syncer.incomingHead(h(51)).join();
    syncer.incomingHead(h(100)).join();
    assertEquals(3, syncer.pendingCount());
    assertEquals(1, source.rangeCalls);
    CompletableFuture<Void> wait100 = syncer.syncWait();
    assertFalse(wait50.isDone());
    // The held range (10, 50) is delivered; the job appends 50 and 51 from pending and fetches (51,
    // 100).
    source.release();
    assertTrue(wait50.isDone());
    assertTrue(wait100.isDone());
    assertEquals(100, store.height());
    assertEquals(2, source.rangeCalls);
    assertEquals(0, syncer.pendingCount());
    assertEquals(h(100), store.head().orElseThrow());
    assertEquals(1, syncer.syncState().id());
  }

  @Test
  void pendingHeadersAreBounded() {
    initStore(10);
    source.add(chain.subList(0, 2_000));
    clock.set(h(10).time());
    Syncer<DummyHeader> syncer =
        builder(SyncerOptions.builder(BLOCK_TIME).maxPendingHeaders(3).maxPendingAhead(500).build())
            .build();
    syncer.start().join();
    source.hold = true;
    for (long height = 20; height < 30; height++) {
      syncer.incomingHead(h(height)).join();
    }
    assertEquals(3, syncer.pendingCount());
    assertEquals(7, syncer.metrics().pendingEvicted());
    // A header far ahead becomes the target; pending headers beyond the window are dropped.
    syncer.incomingHead(h(1_500)).join();
    assertEquals(1_500, syncer.subjectiveHead().height());
    // Older or equal candidates are known now.
    assertInstanceOf(VerifyException.class, failure(syncer.incomingHead(h(1_000))));
    assertTrue(syncer.pendingCount() <= 3);
    source.hold = false;
    source.held.remove(0).result().completeExceptionally(new RuntimeException("released"));
    scheduler.advance(Duration.ofSeconds(1)); // the retry
    assertEquals(1_500, store.height());
  }

  /** go-header's TestSync_SoftFailureBifurcate. */
  @Test
  void softFailingNetworkHeadBifurcatesAndSyncsBelowIt() {
    initStore(1);
    List<DummyHeader> remote = new ArrayList<>(chain.subList(0, 400));
    DummyHeader malicious = remote.get(399).withVerifyFailure(true);
    remote.set(399, malicious);
    source.add(remote);
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    syncer.syncWait().join();
    SyncState state = syncer.syncState();
    assertEquals(399, state.height());
    assertEquals(399, store.height());
    assertTrue(state.finished());
    assertEquals(1, syncer.metrics().bifurcations());
    assertEquals(1, syncer.metrics().failedBifurcations());
    assertTrue(source.getByHeightCalls > 0);
    // The peer fixes its head and goes on; a new head arrives and the syncer syncs through 400.
    source.add(chain.subList(399, 500));
    syncer.incomingHead(h(500)).join();
    syncer.syncWait().join();
    assertEquals(500, store.height());
    assertEquals(h(400), store.getByHeight(400).orElseThrow());
  }

  /**
   * go-header's TestSyncer_verifyBifurcatingCannotVerify: every candidate soft-fails down to an
   * adjacent pair.
   */
  @Test
  void bifurcationFailsWhenOnlyAnAdjacentPairIsLeft() {
    initStore(1);
    clock.set(h(1).time());
    source.add(chain.subList(0, 1_000));
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    source.hold = true;
    DummyHeader soft = h(1_000).withVerifyFailure(true);
    VerifyException e = assertInstanceOf(VerifyException.class, failure(syncer.incomingHead(soft)));
    assertTrue(e.isSoft()); // Ignore, not Reject
    assertTrue(e.getMessage().contains("bifurcation: new head failed"), e.getMessage());
    assertEquals(1, syncer.metrics().failedBifurcations());
    // The headers in between that verified became the subjective head, up to the one below the
    // candidate.
    assertEquals(999, syncer.subjectiveHead().height());
  }

  /**
   * go-header's TestSyncer_verifyBifurcatingSuccess: a header type whose non-adjacent check only
   * trusts headers at most 100 heights apart (like a validator set that changes over time).
   */
  @Test
  void bifurcationFindsAHeaderInBetweenThatTheCandidateVerifiesAgainst() {
    initStore(1);
    clock.set(h(1).time());
    source.add(chain.subList(0, 1_000));
    HeaderType<DummyHeader> shortTrust =
        new HeaderType<>() {
          @Override
          public DummyHeader decode(byte[] bytes) {
            return DummyHeader.TYPE.decode(bytes);
          }

          @Override
          public void verify(DummyHeader trusted, DummyHeader untrusted) {
            DummyHeader.TYPE.verify(trusted, untrusted);
            if (untrusted.height() - trusted.height() > 100) {
              throw new VerifyException(
                  VerifyException.Reason.TYPE_CHECK, "too far apart to trust", false);
            }
          }

          @Override
          public String name() {
            return "ShortTrust";
          }
        };
    Syncer<DummyHeader> syncer =
        Syncer.builder(store, source, shortTrust)
            .options(SyncerOptions.defaults(BLOCK_TIME))
            .clock(clock)
            .scheduler(scheduler)
            .workerExecutor(DIRECT)
            .build();
    syncer.start().join();
    source.hold = true;
    syncer.incomingHead(h(1_000)).join();
    assertEquals(1_000, syncer.subjectiveHead().height());
    assertEquals(1, syncer.metrics().bifurcations());
    assertEquals(0, syncer.metrics().failedBifurcations());
    assertTrue(source.getByHeightCalls >= 2, "candidates fetched: " + source.getByHeightCalls);
    source.release();
    assertEquals(1_000, store.height());
  }

  @Test
  void extraCheckRejectsAForgedGossipHeader() {
    initStore(10);
    clock.set(h(10).time());
    DummyHeader forged = h(12);
    Syncer<DummyHeader> syncer =
        builder(SyncerOptions.defaults(BLOCK_TIME))
            .extraCheck(
                h -> {
                  if (h.equals(forged)) {
                    throw new VerifyException(
                        VerifyException.Reason.TYPE_CHECK,
                        "bad proposer signature at " + h.height(),
                        false);
                  }
                })
            .build();
    syncer.start().join();
    VerifyException e =
        assertInstanceOf(VerifyException.class, failure(syncer.incomingHead(forged)));
    assertFalse(e.isSoft());
    assertTrue(e.getMessage().contains("bad proposer signature"), e.getMessage());
    syncer.incomingHead(h(11)).join();
    assertEquals(11, store.height());
  }

  @Test
  void extraCheckFailureInAFetchedBatchFailsTheJobAndIsRetried() {
    initStore(1);
    source.add(chain.subList(0, 300));
    boolean[] reject = {true};
    Syncer<DummyHeader> syncer =
        builder(SyncerOptions.defaults(BLOCK_TIME))
            .extraCheck(
                h -> {
                  if (reject[0] && h.height() == 200) {
                    throw new IllegalStateException("signature of 200 is not the proposer's");
                  }
                })
            .build();
    syncer.start().join();
    SyncState state = syncer.syncState();
    assertTrue(state.error().orElseThrow().contains("200"), state.toString());
    assertTrue(
        store.height() < 200 && store.height() >= 129,
        "appended before the bad batch: " + store.height());
    assertEquals(List.of("head 300", "failed 300"), events);
    reject[0] = false;
    scheduler.advance(Duration.ofMillis(500));
    assertEquals(300, store.height());
    assertEquals(2, syncer.syncState().id());
    assertTrue(syncer.syncState().error().isEmpty());
  }

  /**
   * Syncs 300 headers with an extra check that throws {@code failure} at {@code height}, and
   * returns how the range session's sink failed: with the signal that makes the session block the
   * peer that served the header, a hard {@link VerifyException} naming its height.
   */
  private VerifyException sinkFailureForACheckFailingAt(long height, RuntimeException failure) {
    return sinkFailureForACheckFailingAt(height, failure, OptionalLong.of(height));
  }

  private VerifyException sinkFailureForACheckFailingAt(
      long height, RuntimeException failure, OptionalLong named) {
    initStore(1);
    source.add(chain.subList(0, 300));
    builder(SyncerOptions.defaults(BLOCK_TIME))
        .extraCheck(
            h -> {
              if (h.height() == height) {
                throw failure;
              }
            })
        .build()
        .start()
        .join();
    assertEquals(1, source.sinkFailures.size(), source.sinkFailures.toString());
    Throwable t = source.sinkFailures.get(0);
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    VerifyException e = assertInstanceOf(VerifyException.class, t);
    assertFalse(e.isSoft());
    assertEquals(named, e.height());
    return e;
  }

  @Test
  void aFetchedHeaderFailingTheExtraCheckFailsTheSinkNamingItsHeight() {
    VerifyException e =
        sinkFailureForACheckFailingAt(
            100,
            new VerifyException(
                VerifyException.Reason.TYPE_CHECK, "signature of 100 is bad", false));
    assertTrue(e.getMessage().contains("signature of 100"), e.getMessage());
    assertTrue(
        store.height() < 100, "nothing at or after the bad header appended: " + store.height());
  }

  @Test
  void aCheckThatBreaksFailsTheSinkWithoutNamingAHeaderSoNoPeerIsBlamed() {
    VerifyException e =
        sinkFailureForACheckFailingAt(
            100, new IllegalStateException("key store unavailable"), OptionalLong.empty());
    assertTrue(
        e.getMessage().contains("checking header 100 failed: key store unavailable"),
        e.getMessage());
    assertTrue(store.height() < 100, "nothing at or after the header appended: " + store.height());
  }

  @Test
  void aBadHeaderInTheLastBatchStillFailsTheSinkNotJustTheJob() {
    // The pipeline reports a failed check with a later submission; the last batch has none, so its
    // stage waits for the checks: the range session sees the failure and can blame the peer. The
    // check's failure is soft and names no header: the syncer makes it hard and names the header.
    sinkFailureForACheckFailingAt(
        290, new VerifyException(VerifyException.Reason.TYPE_CHECK, "bad signature", true));
    assertEquals(257, store.height());
    assertEquals(List.of("head 300", "failed 300"), events);
  }

  @Test
  void failedJobsAreRetriedWithBackoff() {
    initStore(1);
    source.add(chain.subList(0, 100));
    source.failNextRanges = 3;
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    assertTrue(syncer.syncState().error().orElseThrow().contains("simulated timeout"));
    scheduler.advance(Duration.ofMillis(500));
    assertEquals(2, source.rangeCalls);
    scheduler.advance(Duration.ofMillis(999));
    assertEquals(2, source.rangeCalls);
    scheduler.advance(Duration.ofMillis(1));
    assertEquals(3, source.rangeCalls);
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(4, source.rangeCalls);
    assertEquals(100, store.height());
    assertEquals(3, syncer.metrics().syncFailures());
    assertTrue(syncer.syncState().error().isEmpty());
  }

  @Test
  void stopDuringCatchUpCancelsTheSessionAndIsIdempotent() {
    initStore(1);
    source.add(chain.subList(0, 100));
    source.hold = true;
    Syncer<DummyHeader> syncer = syncer();
    syncer.start().join();
    CompletableFuture<Void> wait = syncer.syncWait();
    CompletableFuture<Void> session = source.held.get(0).result();
    CompletableFuture<Void> stopped = syncer.stop();
    assertTrue(session.isCancelled());
    assertTrue(stopped.isDone());
    assertInstanceOf(SyncException.class, failure(wait));
    assertTrue(syncer.stop().isDone());
    assertFalse(syncer.isRunning());
    assertInstanceOf(SyncException.class, failure(syncer.incomingHead(h(2))));
    assertEquals(List.of("head 100"), events); // a stop is not a failure
    assertEquals(0, scheduler.queued());
    // A stopped syncer stays stopped: start() answers the one start, it does not restart.
    syncer.start().join();
    assertEquals(Service.State.STOPPED, syncer.state());
    assertFalse(syncer.isRunning());
    assertEquals(0, scheduler.queued());
  }

  /**
   * The lifecycle: futures on the worker executor, close() for try-with-resources, terminated().
   */
  @Test
  void theSyncerIsAServiceWhoseFuturesCompleteOnTheWorker() {
    initStore(10);
    source.add(chain.subList(0, 20));
    AtomicInteger onWorker = new AtomicInteger();
    Executor worker =
        r -> {
          onWorker.incrementAndGet();
          r.run();
        };
    Syncer<DummyHeader> syncer =
        Syncer.builder(store, source, DummyHeader.TYPE)
            .options(SyncerOptions.defaults(BLOCK_TIME))
            .clock(clock)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .build();
    assertEquals(Service.State.NEW, syncer.state());
    CompletableFuture<Void> terminated = syncer.terminated();
    try (syncer) {
      syncer.start().join();
      assertEquals(Service.State.RUNNING, syncer.state());
      assertEquals(h(20), syncer.firstHead().join());
      syncer.syncWait().join();
      assertEquals(20, store.height());
      assertFalse(terminated.isDone());
      int before = onWorker.get();
      CompletableFuture<Void> stopped = syncer.stop();
      assertTrue(stopped.isDone());
      assertTrue(onWorker.get() > before, "the stop future did not complete on the worker");
      assertTrue(syncer.stop().isDone()); // idempotent
    }
    assertEquals(Service.State.STOPPED, syncer.state());
    assertTrue(syncer.failure().isEmpty());
    assertTrue(terminated.isDone());
  }

  @Test
  void aNewSyncerOnTheSameStoreResumesFromItsHead() {
    initStore(1);
    source.add(chain.subList(0, 1_000));
    Syncer<DummyHeader> first = syncer();
    source.hold = true;
    first.start().join();
    source.hold = false;
    // Deliver part of the range by hand, as if the first syncer had got that far.
    store.append(chain.subList(1, 600)).join();
    first.stop().join();
    Syncer<DummyHeader> second = syncer();
    second.start().join();
    second.syncWait().join();
    assertEquals(1_000, store.height());
    assertEquals(601, second.syncState().fromHeight());
  }
}
