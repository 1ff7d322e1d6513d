package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.store.StoreFailedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-up of a {@link Syncer}: one sync job at a time from the store head to the sync target
 * (following a newer target while it runs). Pending headers adjacent to what was appended are
 * appended after an adjacent link check; gaps are fetched with {@code streamRange} into an {@link
 * AppendPipeline} (checks on the worker while earlier batches are written, appends in order,
 * bounded). A failed job is recorded in the state and retried after the syncer's backoff; a store
 * that failed a write stops the syncer instead ({@code fatal}).
 *
 * @param <H> the header type
 */
final class SyncJobs<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);

  /**
   * Consecutive failed jobs after which the streak is logged at WARN (once): the operator should
   * look.
   */
  static final int FAILURES_BEFORE_WARN = 5;

  /**
   * An anchored gap at least this long is fetched at once (catch-up), without waiting for gossip:
   * one range batch.
   */
  static final int ANCHOR_BATCH = 64;

  private final SyncContext<H> ctx;
  private final SyncChecks<H> checks;
  private final @Nullable TailKeeper<H> tail;
  private final @Nullable AnchorSightings sightings;
  private final Consumer<StoreFailedException> fatal;

  // Guarded by ctx.
  private boolean jobRunning;
  private CompletableFuture<Void> jobDone = CompletableFuture.completedFuture(null);
  private @Nullable CompletableFuture<Void> session;
  private @Nullable ScheduledFuture<?> retryTimer;
  private @Nullable ScheduledFuture<?> graceTimer;

  /** The retry after failure n of a streak waits {@code ctx.backoff.delay(n)}. */
  private int failureStreak;

  private final Set<CompletableFuture<Void>> syncWaiters = new HashSet<>();

  SyncJobs(
      SyncContext<H> ctx,
      SyncChecks<H> checks,
      @Nullable TailKeeper<H> tail,
      @Nullable AnchorSightings sightings,
      Consumer<StoreFailedException> fatal) {
    this.ctx = ctx;
    this.checks = checks;
    this.tail = tail;
    this.sightings = sightings;
    this.fatal = fatal;
  }

  /** Starts a job when there is a target above the store head and none runs. Lock held. */
  void maybeStartJob() {
    if (!ctx.running || jobRunning || (retryTimer != null && !retryTimer.isDone())) {
      return;
    }
    H storeHead = ctx.store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
    long from = storeHead.height();
    ctx.pending.dropAtOrBelow(from);
    long target = targetHeight(0);
    if (target <= from) {
      ctx.hint = 0;
      return;
    }
    if (ctx.anchor != null
        && !ctx.pending.contains(from + 1)
        && fetchEnd(from, target + 1) <= from + 1) {
      armGraceTimer(from + 1); // just reached by the anchor: its gossip is probably on the way
      return;
    }
    jobRunning = true;
    ctx.counters.syncJobs.incrementAndGet();
    ctx.state =
        new SyncState(
            ctx.state.id() + 1,
            from,
            from + 1,
            target,
            storeHead.hash(),
            targetHash(target),
            Optional.of(ctx.clock.instant()),
            Optional.empty(),
            Optional.empty());
    // Following the head by gossip makes one-header jobs, one per block: not worth an info line
    // each.
    if (target > from + 1) {
      log.info("syncing {} from {} to {}", ctx.typeName(), from + 1, target);
    } else {
      log.debug("syncing {} {}", ctx.typeName(), target);
    }
    AppendPipeline<H> pipeline =
        new AppendPipeline<>(
            ctx.store,
            ctx.worker,
            ctx.options.maxAppendsInFlight(),
            checks::checkBatch,
            this::onAppended,
            storeHead);
    CompletableFuture<Void> done = new CompletableFuture<>();
    jobDone = done;
    long jobTarget = target;
    ctx.worker.execute(() -> runJob(pipeline, jobTarget, done));
  }

  /**
   * The height to sync to: the anchor's head for an anchored syncer (it follows the anchor while it
   * runs); else the highest pending header or the hint, whichever is higher, and at least {@code
   * atLeast} (the running job's target). Lock held.
   */
  private long targetHeight(long atLeast) {
    if (ctx.anchor != null) {
      return ctx.anchor.horizon();
    }
    H top = ctx.pending.highest();
    return Math.max(atLeast, Math.max(top == null ? 0 : top.height(), ctx.hint));
  }

  /**
   * The target's hash when a verified header is known at that height, else {@link Hash#EMPTY}. Lock
   * held.
   */
  private Hash targetHash(long target) {
    H h = ctx.pending.get(target);
    return h == null ? Hash.EMPTY : h.hash();
  }

  /**
   * Where the fetch of the gap {@code (from, gapEnd)} should end now: all of it, unless the syncer
   * is anchored, the gap is shorter than a range batch and its top was reached by the anchor less
   * than the gossip grace ago; then only up to the part the anchor has held that long (ev-node
   * gossips data right after its header; fetching at once would race it). {@code from + 1} means
   * nothing yet. Lock held.
   */
  private long fetchEnd(long from, long gapEnd) {
    if (sightings == null || gapEnd - 1 - from >= ANCHOR_BATCH) {
      return gapEnd;
    }
    return Math.min(gapEnd, Math.max(from, sightings.staleHeight()) + 1);
  }

  /**
   * Starts a job when the grace for {@code height} has passed, unless a timer is armed. Lock held.
   */
  private void armGraceTimer(long height) {
    if (sightings == null || (graceTimer != null && !graceTimer.isDone())) {
      return;
    }
    graceTimer =
        ctx.scheduler.schedule(
            () -> {
              synchronized (ctx) {
                graceTimer = null;
                maybeStartJob();
              }
            },
            sightings.graceLeftMillis(height),
            TimeUnit.MILLISECONDS);
  }

  private void runJob(AppendPipeline<H> pipeline, long target, CompletableFuture<Void> done) {
    CompletableFuture<Void> loop;
    try {
      loop = step(pipeline, target);
    } catch (RuntimeException e) {
      loop = CompletableFuture.failedFuture(e);
    }
    loop.handle((v, err) -> err)
        .thenCompose(err -> pipeline.finish().handle((v, drainErr) -> err != null ? err : drainErr))
        .thenAcceptAsync(err -> finishJob(err, done), ctx.worker);
  }

  /**
   * One step of go-header's {@code processHeaders}: append a pending run, or fetch the next gap.
   */
  private CompletableFuture<Void> step(AppendPipeline<H> pipeline, long jobTarget) {
    H from = pipeline.last();
    List<H> run;
    long gapEnd;
    long target;
    synchronized (ctx) {
      if (!ctx.running) {
        throw new CancellationException("syncer stopped");
      }
      session = null;
      ctx.pending.dropAtOrBelow(from.height());
      // A job follows the subjective head (or the anchor) while it runs (go-header starts a new job
      // per target).
      target = targetHeight(jobTarget);
      if (target != jobTarget) {
        SyncState s = ctx.state;
        ctx.state =
            new SyncState(
                s.id(),
                s.height(),
                s.fromHeight(),
                target,
                s.fromHash(),
                targetHash(target),
                s.start(),
                s.end(),
                s.error());
      }
      if (from.height() >= target) {
        return CompletableFuture.completedFuture(null);
      }
      long next = ctx.pending.lowestAbove(from.height());
      if (next == from.height() + 1) {
        run = ctx.pending.run(next, target);
        gapEnd = -1;
      } else {
        run = List.of();
        gapEnd = fetchEnd(from.height(), next == -1 || next > target ? target + 1 : next);
        if (gapEnd <= from.height() + 1) {
          return CompletableFuture.completedFuture(null); // the rest is left to gossip for now
        }
      }
    }
    if (!run.isEmpty()) {
      List<H> linked = linkedPrefix(from, run);
      if (linked.size() < run.size()) {
        H bad = run.get(linked.size());
        synchronized (ctx) {
          ctx.pending.remove(bad.height());
        }
        if (ctx.anchor == null && bad.height() == target) {
          throw new SyncException(
              "sync target "
                  + bad.height()
                  + " ("
                  + bad.hash()
                  + ") does not link to the header before it");
        }
      }
      if (linked.isEmpty()) {
        return step(pipeline, target);
      }
      return pipeline
          .submit(linked, true)
          .thenComposeAsync(v -> step(pipeline, target), ctx.worker);
    }
    long end = gapEnd;
    CompletableFuture<Void> s =
        ctx.source.streamRange(from, end, batch -> submitFetched(pipeline, batch, end));
    synchronized (ctx) {
      if (!ctx.running) {
        s.cancel(false);
      }
      session = s;
    }
    return s.thenComposeAsync(v -> step(pipeline, target), ctx.worker);
  }

  /**
   * Hands a fetched batch to the pipeline (the range session's sink). The stage for the range's
   * last batch waits until every batch was checked and appended: a header that fails the extra
   * check then still fails the session, which blocks the peer that served it (see {@link
   * SyncChecks#runCheck}); otherwise the session could finish before the check and blame no one.
   */
  private CompletionStage<Void> submitFetched(AppendPipeline<H> pipeline, List<H> batch, long end) {
    CompletableFuture<Void> accepted = pipeline.submit(batch, false);
    boolean last = batch.get(batch.size() - 1).height() >= end - 1;
    return last ? accepted.thenCompose(v -> pipeline.drain()) : accepted;
  }

  /** The prefix of {@code run} whose headers each verify adjacently against the one before. */
  private List<H> linkedPrefix(H from, List<H> run) {
    List<H> out = new ArrayList<>(run.size());
    H prev = from;
    for (H h : run) {
      try {
        ctx.verification.verify(prev, h);
      } catch (VerifyException e) {
        log.warn(
            "pending header {} does not verify against {}: {}",
            h.height(),
            prev.height(),
            e.getMessage());
        break;
      }
      out.add(h);
      prev = h;
    }
    return out;
  }

  private void finishJob(@Nullable Throwable err, CompletableFuture<Void> done) {
    Throwable cause = err == null ? null : unwrap(err);
    SyncState finished;
    boolean wasStopped;
    int streak;
    Duration retryIn = null;
    StoreFailedException storeFailed = storeFailure(cause);
    synchronized (ctx) {
      jobRunning = false;
      session = null;
      wasStopped = !ctx.running;
      SyncState s = ctx.state;
      ctx.state =
          new SyncState(
              s.id(),
              s.height(),
              s.fromHeight(),
              s.toHeight(),
              s.fromHash(),
              s.toHash(),
              s.start(),
              Optional.of(ctx.clock.instant()),
              cause == null ? Optional.empty() : Optional.of(String.valueOf(cause.getMessage())));
      finished = ctx.state.withHeight(ctx.store.height());
      if (cause == null) {
        failureStreak = 0;
        maybeStartJob();
      } else if (!wasStopped && storeFailed == null) {
        failureStreak++;
        ctx.hint =
            0; // an unverified height no peer could serve is not tried again until heard again
        retryIn = ctx.backoff.delay(failureStreak);
        retryTimer = ctx.scheduler.schedule(this::retry, retryIn.toNanos(), TimeUnit.NANOSECONDS);
      }
      streak = failureStreak;
    }
    done.complete(null);
    String name = ctx.typeName();
    if (storeFailed != null && !wasStopped) {
      ctx.counters.syncFailures.incrementAndGet();
      log.error(
          "syncing {} stopped: the store failed a write and accepts no more ({}); restart once the cause "
              + "is fixed and syncing resumes from height {}",
          name,
          storeFailed.getMessage(),
          ctx.store.height());
      ctx.events.syncFailed(finished, storeFailed);
      fatal.accept(storeFailed);
      return;
    }
    if (cause == null) {
      if (finished.height() > finished.fromHeight()) {
        log.info(
            "finished syncing {} from {} to {} in {}",
            name,
            finished.fromHeight(),
            finished.height(),
            finished.duration(ctx.clock.instant()));
      } else {
        log.debug(
            "synced {} {} in {}", name, finished.height(), finished.duration(ctx.clock.instant()));
      }
      ctx.events.syncFinished(finished);
    } else if (!wasStopped) {
      ctx.counters.syncFailures.incrementAndGet();
      // A retried failure is routine (a peer timed out, the head moved, a bad peer was blocked,
      // which
      // the exchange reports); a streak of them is something the operator should look at, once.
      if (streak == FAILURES_BEFORE_WARN) {
        log.warn(
            "syncing {} has failed {} times in a row (now from {} to {}), retrying in {}: {}",
            name,
            streak,
            finished.fromHeight(),
            finished.toHeight(),
            retryIn,
            cause.getMessage());
      } else {
        log.debug(
            "syncing {} from {} to {} failed (failure {} in a row), retrying in {}: {}",
            name,
            finished.fromHeight(),
            finished.toHeight(),
            streak,
            retryIn,
            cause.getMessage());
      }
      ctx.events.syncFailed(finished, cause);
    }
  }

  /** The {@link StoreFailedException} in {@code t}'s causes, if any. */
  static @Nullable StoreFailedException storeFailure(@Nullable Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof StoreFailedException) {
        return (StoreFailedException) t;
      }
    }
    return null;
  }

  private void retry() {
    synchronized (ctx) {
      retryTimer = null;
      maybeStartJob();
    }
  }

  private void onAppended(List<H> batch, long receivedNanos) {
    ctx.counters.headersAppended.addAndGet(batch.size());
    ctx.counters.batchesAppended.incrementAndGet();
    if (tail != null) {
      tail.headAdvanced();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - receivedNanos);
    ctx.events.batchAppended(batch.get(0).height(), batch.size(), elapsed);
  }

  /**
   * Completes when the store head reaches the subjective head known now (go-header's {@code
   * SyncWait}); see {@link Syncer#syncWait()}.
   */
  CompletableFuture<Void> syncWait() {
    long target;
    synchronized (ctx) {
      if (!ctx.running) {
        return CompletableFuture.failedFuture(new SyncException("syncer stopped"));
      }
      target = ctx.anchor != null ? ctx.anchor.height() : ctx.localHead().height();
    }
    if (ctx.store.height() >= target) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<H> reached = ctx.store.awaitHeight(target);
    CompletableFuture<Void> result = new CompletableFuture<>();
    synchronized (ctx) {
      syncWaiters.add(result);
    }
    reached.whenComplete(
        (h, err) -> ctx.completeOnWorker(result, err)); // not on the store's thread
    result.whenComplete(
        (v, err) -> {
          synchronized (ctx) {
            syncWaiters.remove(result);
          }
          reached.cancel(false);
        });
    return result;
  }

  /**
   * Stops: cancels the timers and returns what the caller finishes outside the lock (the range
   * session to cancel, the {@code syncWait} futures to fail) and the running job's future. Lock
   * held.
   */
  Stopping stopLocked() {
    if (retryTimer != null) {
      retryTimer.cancel(false);
    }
    if (graceTimer != null) {
      graceTimer.cancel(false);
    }
    Stopping s = new Stopping(session, new ArrayList<>(syncWaiters), jobDone);
    syncWaiters.clear();
    return s;
  }

  /** What {@link #stopLocked()} leaves to do. */
  record Stopping(
      @Nullable CompletableFuture<Void> session,
      List<CompletableFuture<Void>> waiters,
      CompletableFuture<Void> jobDone) {
    /** Cancels the session and fails the waiters; outside the lock. */
    void finish() {
      if (session != null) {
        session.cancel(false);
      }
      SyncException e = new SyncException("syncer stopped");
      waiters.forEach(w -> w.completeExceptionally(e));
    }
  }
}
