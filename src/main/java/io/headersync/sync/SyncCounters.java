package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.instrument.Histogram;
import io.headersync.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters of one {@link Syncer} (go-header's sync metrics, as plain numbers, and ours) and its
 * histogram {@code hdr_sync_subjective_head_lag_seconds}. Lock-free: every part counts from any
 * thread; {@link #snapshot} reads them for {@link Syncer#metrics()}.
 */
final class SyncCounters {
  final AtomicLong headersAppended = new AtomicLong();
  final AtomicLong batchesAppended = new AtomicLong();
  final AtomicLong syncJobs = new AtomicLong();
  final AtomicLong syncFailures = new AtomicLong();
  final AtomicLong gossipAccepted = new AtomicLong();
  final AtomicLong gossipIgnored = new AtomicLong();
  final AtomicLong gossipRejected = new AtomicLong();
  final AtomicLong pendingEvicted = new AtomicLong();
  final AtomicLong bifurcations = new AtomicLong();
  final AtomicLong failedBifurcations = new AtomicLong();
  final AtomicLong outdatedHead = new AtomicLong();
  final AtomicLong trustedPeersOutOfSync = new AtomicLong();
  final AtomicLong subjectiveInits = new AtomicLong();
  final Histogram headLag =
      new Histogram(
          "hdr_sync_subjective_head_lag_seconds",
          "seconds between a header's Time() (BFT median timestamp of the previous block's precommits) and the moment "
              + "the syncer sets it as the new subjective head",
          "s",
          Histogram.SECONDS);

  /** Records how old {@code h} is as it becomes the subjective head. */
  void recordHeadLag(Header h, Clock clock) {
    headLag.record(Duration.between(h.time(), clock.instant()).toNanos() / 1e9);
  }

  /**
   * The outcome of a gossiped header, counted before the caller sees it: accepted, rejected (a hard
   * {@link VerifyException}) or ignored (anything else). The returned future fails with the cause
   * itself, never wrapped.
   */
  CompletableFuture<Void> countGossip(CompletableFuture<Void> processed) {
    CompletableFuture<Void> outcome = new CompletableFuture<>();
    processed.whenComplete(
        (v, err) -> {
          Throwable cause = err == null ? null : unwrap(err);
          if (cause == null) {
            gossipAccepted.incrementAndGet();
            outcome.complete(null);
            return;
          }
          if (cause instanceof VerifyException && !((VerifyException) cause).isSoft()) {
            gossipRejected.incrementAndGet();
          } else {
            gossipIgnored.incrementAndGet();
          }
          outcome.completeExceptionally(cause);
        });
    return outcome;
  }

  /**
   * A snapshot of the counters, with the store's tail and the tail keeper's counts (none if null).
   */
  SyncMetrics snapshot(Store<?> store, @Nullable TailKeeper<?> tail) {
    long tailHeight;
    try {
      tailHeight = store.tail().map(Header::height).orElse(0L);
    } catch (RuntimeException e) {
      tailHeight = 0; // the store is closed
    }
    long headersPruned = tail == null ? 0 : tail.pruned.get();
    long headersBackfilled = tail == null ? 0 : tail.backfilled.get();
    return new SyncMetrics(
        headersAppended.get(),
        batchesAppended.get(),
        syncJobs.get(),
        syncFailures.get(),
        gossipAccepted.get(),
        gossipIgnored.get(),
        gossipRejected.get(),
        pendingEvicted.get(),
        bifurcations.get(),
        failedBifurcations.get(),
        outdatedHead.get(),
        trustedPeersOutOfSync.get(),
        subjectiveInits.get(),
        tailHeight,
        headersPruned,
        headersBackfilled);
  }

  List<Histogram> histograms() {
    return List.of(headLag);
  }
}
