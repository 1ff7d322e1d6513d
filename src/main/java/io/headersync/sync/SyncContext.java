package io.headersync.sync;

import io.headersync.Header;
import io.headersync.Verification;
import io.headersync.annotation.Nullable;
import io.headersync.internal.Backoff;
import io.headersync.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the parts of one {@link Syncer} share: its collaborators and settings, and the few fields
 * every part reads. Its monitor is the syncer's one lock: the fields marked "guarded" and the
 * pending set are read and written only while holding it ({@code synchronized (ctx)}), and a method
 * documented "lock held" expects the caller to hold it. Nothing slow runs under it but what the
 * store's published range costs to read.
 *
 * @param <H> the header type
 */
final class SyncContext<H extends Header> {
  final Store<H> store;
  final HeaderSource<H> source;
  final Verification<H> verification;
  final SyncerOptions options;
  final Clock clock;
  final ScheduledExecutorService scheduler;
  final Executor worker;
  final @Nullable HeaderCheck<H> extraCheck;
  final @Nullable Anchor<H> anchor;
  final @Nullable FollowerLimit followerLimit;

  /** Verified headers above the store head, the highest being the sync target. Guarded. */
  final Pending<H> pending;

  /** The one backoff of the syncer's retries: failed jobs and failed tail work. */
  final Backoff backoff;

  final SyncCounters counters = new SyncCounters();
  final SyncEvents<H> events;

  /** Whether the syncer syncs: set when it starts, cleared when it stops or fails. Guarded. */
  boolean running;

  /** The latest sync job's state. Guarded. */
  SyncState state = SyncState.initial(0);

  /**
   * Unanchored, for a type that cannot verify non-adjacent pairs: an unverified height to fetch up
   * to; 0 if none. Guarded.
   */
  long hint;

  SyncContext(Syncer.Builder<H> b) {
    this.store = b.store;
    this.source = b.source;
    this.options = b.options;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.worker = b.worker;
    this.extraCheck = b.extraCheck;
    this.anchor = b.anchor;
    this.followerLimit = b.followerLimit;
    this.verification = new Verification<>(b.type, clock);
    this.pending = new Pending<>(options.maxPendingHeaders(), options.maxPendingAhead());
    this.backoff = Backoff.exponential(options.retryInitialBackoff(), options.retryMaxBackoff());
    this.events = new SyncEvents<>(b.listener, worker);
  }

  /** The name of the synced type, for messages. */
  String typeName() {
    return verification.type().name();
  }

  /** The highest pending header, else the store head. Lock held. */
  H localHead() {
    H top = pending.highest();
    if (top != null) {
      return top;
    }
    return store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
  }

  /** {@link #localHead()}, taking the lock. */
  synchronized H currentHead() {
    return localHead();
  }

  boolean isExpired(H h, Instant now) {
    return h.time().plus(options.trustingPeriod()).isBefore(now);
  }

  boolean isRecent(H h, Instant now) {
    return !now.isAfter(h.time().plus(options.recencyThreshold()));
  }

  /**
   * Completes {@code f} (with {@code error} if set) on the worker executor; on the calling thread
   * if the worker refuses it (shut down): the outcome must reach the caller.
   */
  void completeOnWorker(CompletableFuture<Void> f, @Nullable Throwable error) {
    Runnable complete =
        () -> {
          if (error != null) {
            f.completeExceptionally(error);
          } else {
            f.complete(null);
          }
        };
    try {
      worker.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }

  /** Fails {@code f} with {@code error} unless it completes within {@code timeout}. */
  <T> CompletableFuture<T> withTimeout(
      CompletableFuture<T> f, Duration timeout, Supplier<SyncException> error) {
    ScheduledFuture<?> t =
        scheduler.schedule(
            () -> f.completeExceptionally(error.get()), timeout.toNanos(), TimeUnit.NANOSECONDS);
    f.whenComplete((v, e) -> t.cancel(false));
    return f;
  }
}
