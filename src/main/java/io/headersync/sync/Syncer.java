package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.exchange.Exchange;
import io.headersync.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a store caught up with the network's head: go-header v0.8.6's {@code sync.Syncer}, with a
 * pipelined catch-up.
 *
 * <h2>How it works</h2>
 * <ul>
 *   <li><b>Subjective head</b>: the highest verified header the syncer knows: the highest pending
 *       header (the sync target) or else the store head. When it has <em>expired</em> (older than the
 *       trusting period) the syncer asks the trusted peers for the head ({@code Exchange.head()},
 *       subjective initialisation) and refuses one that has expired too. When it is not
 *       <em>recent</em> (older than the recency threshold, 3 x block time by default) the syncer asks
 *       the network ({@code Exchange.head(subjectiveHead)}, at most {@code networkHeadTimeout}); a
 *       head that fails verification softly goes through bifurcation. This runs at {@link #start()},
 *       on {@link #head()} and every {@code headRefreshInterval}.
 *   <li><b>Gossip</b> ({@link #incomingHead}): a header at or below the subjective head is known and
 *       ignored; otherwise it is verified against the subjective head ({@link Verification}:
 *       adjacent, or non-adjacent when ahead), checked by the extra check, and kept in the bounded
 *       pending set as the new sync target. A soft failure runs bifurcation, a hard one rejects.
 *   <li><b>Bifurcation</b> (go-header's {@code verifyBifurcating}): fetch the header halfway between
 *       the subjective head and the candidate; if it verifies against the subjective head it becomes
 *       the new subjective head (and sync target) and the candidate is verified against it again,
 *       otherwise (softly) the distance is halved. It fails when the candidate is adjacent to the
 *       last header that verified ("bifurcation: new head failed").
 *   <li><b>Catch-up</b>: one sync job at a time goes from the store head to the sync target (and on to a
 *       newer target that arrives while it runs; go-header starts a new job per target). Pending
 *       headers adjacent to what was appended are appended directly (after an adjacent link check);
 *       gaps are fetched with {@link Exchange#streamRange}, whose verified batches are extra-checked
 *       on the worker executor and appended while later ones are in flight, with at most
 *       {@code maxAppendsInFlight} batches unfinished (the sink's backpressure). A fetched header
 *       that fails the extra check fails the job and blocks the peer that served it (the failure
 *       names the header's height; see {@link Exchange#streamRange}), so the retry fetches from the
 *       other peers. A failed job is recorded in {@link #state()} and retried after a doubling
 *       backoff.
 * </ul>
 *
 * <h2>Threads</h2>
 * Verification, the extra check, store appends and listener callbacks run on the worker executor;
 * timers on the scheduler. Futures returned here complete on the worker executor, except
 * {@link #syncWait()}, which completes on the store's writer thread. Nothing runs on a network
 * event loop. Gossip candidates are processed one at a time, in arrival order (go-header's
 * {@code incomingMu}); at most {@code maxPendingHeaders} may wait, beyond that they are ignored.
 *
 * <h2>Where we differ from go-header</h2>
 * <ul>
 *   <li>A gossiped header at or below the subjective head fails with a <em>soft</em>
 *       {@code known header} error (Ignore); go-header's is hard (Reject), which penalises peers for
 *       headers that are merely late.
 *   <li>{@link #incomingHead} before {@link #start()} or after {@link #stop()} fails with a
 *       {@link SyncException} (Ignore); go-header's verifier blocks until the syncer started.
 *   <li>A bifurcation that cannot fetch its candidate fails with a {@link SyncException} (Ignore);
 *       go-header's error is not a {@code VerifyError}, so its validator rejects the gossip.
 *   <li>Catch-up is pipelined across chunks and peers; go-header fetches 64 headers at a time.
 *   <li>Pending headers and queued gossip are bounded; the head is refreshed on a timer.
 *   <li>No tail management or pruning (go-header's {@code subjectiveTail}).
 * </ul>
 *
 * @param <H> the header type
 */
public final class Syncer<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);

  private enum Lifecycle { NEW, RUNNING, STOPPED }

  private final Store<H> store;
  private final HeaderSource<H> source;
  private final Verification<H> verification;
  private final SyncerOptions options;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Executor worker;
  private final HeaderCheck<H> extraCheck;
  private final SyncListener<H> listener;
  private final Pending<H> pending;

  // Counters.
  private final AtomicLong headersAppended = new AtomicLong();
  private final AtomicLong batchesAppended = new AtomicLong();
  private final AtomicLong syncJobs = new AtomicLong();
  private final AtomicLong syncFailures = new AtomicLong();
  private final AtomicLong gossipAccepted = new AtomicLong();
  private final AtomicLong gossipIgnored = new AtomicLong();
  private final AtomicLong gossipRejected = new AtomicLong();
  private final AtomicLong pendingEvicted = new AtomicLong();
  private final AtomicLong bifurcations = new AtomicLong();
  private final AtomicLong failedBifurcations = new AtomicLong();
  private final AtomicLong outdatedHead = new AtomicLong();
  private final AtomicLong trustedPeersOutOfSync = new AtomicLong();
  private final AtomicLong subjectiveInits = new AtomicLong();

  // Guarded by this.
  private Lifecycle lifecycle = Lifecycle.NEW;
  private SyncState state = SyncState.initial(0);
  private CompletableFuture<Void> incomingTail = CompletableFuture.completedFuture(null);
  private int incomingWaiting;
  private boolean jobRunning;
  private CompletableFuture<Void> jobDone = CompletableFuture.completedFuture(null);
  private CompletableFuture<Void> session;
  private ScheduledFuture<?> retryTimer;
  private ScheduledFuture<?> refreshTimer;
  private boolean refreshing;
  private Duration backoff;
  private final Set<CompletableFuture<Void>> syncWaiters = new HashSet<>();
  private CompletableFuture<Void> stopped;

  private Syncer(Builder<H> b) {
    this.store = b.store;
    this.source = b.source;
    this.options = b.options;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.worker = b.worker;
    this.extraCheck = b.extraCheck;
    this.listener = b.listener;
    this.verification = new Verification<>(b.type, clock);
    this.pending = new Pending<>(options.maxPendingHeaders(), options.maxPendingAhead());
    this.backoff = options.retryInitialBackoff();
  }

  /**
   * A builder for a syncer that keeps {@code store} caught up through {@code exchange}. Required
   * besides: {@link Builder#options}, {@link Builder#scheduler}, {@link Builder#workerExecutor}.
   */
  public static <H extends Header> Builder<H> builder(Store<H> store, Exchange<H> exchange, HeaderType<H> type) {
    Objects.requireNonNull(exchange, "exchange == null");
    return new Builder<>(store, HeaderSource.of(exchange), type);
  }

  /** A builder over any header source (tests drive the syncer without a network). */
  static <H extends Header> Builder<H> builder(Store<H> store, HeaderSource<H> source, HeaderType<H> type) {
    return new Builder<>(store, source, type);
  }

  /** The options in use. */
  public SyncerOptions options() {
    return options;
  }

  // ---- lifecycle ----

  /**
   * Starts syncing: determines the subjective head (asking the network when the store head is not
   * recent, or the trusted peers when it expired) and starts catching up. Calling it again while
   * running returns the first call's future.
   *
   * @return completes when the subjective head was determined; fails when subjective initialisation
   *     failed (the syncer keeps running and retries on its refresh timer)
   * @throws IllegalStateException if the store is empty (initialise it first; the service does), or
   *     the syncer was stopped
   */
  public synchronized CompletableFuture<Void> start() {
    if (lifecycle == Lifecycle.STOPPED) {
      throw new IllegalStateException("syncer was stopped; build a new one to sync again");
    }
    if (lifecycle == Lifecycle.RUNNING) {
      return startFuture.copy();
    }
    Optional<H> head = store.head();
    if (head.isEmpty()) {
      throw new IllegalStateException("store is empty: initialise it with a trusted or genesis header before "
          + "starting the syncer");
    }
    lifecycle = Lifecycle.RUNNING;
    state = SyncState.initial(head.get().height());
    long refreshNanos = options.headRefreshInterval().toNanos();
    refreshTimer = scheduler.scheduleWithFixedDelay(this::refreshHead, refreshNanos, refreshNanos,
        TimeUnit.NANOSECONDS);
    refreshing = true;
    startFuture = networkHead().whenComplete((h, err) -> {
      synchronized (this) {
        refreshing = false;
      }
    }).thenApply(h -> null);
    return startFuture.copy();
  }

  private CompletableFuture<Void> startFuture;
  /** Whether the last network-head request failed (logged once per outage). */
  private volatile boolean headRequestsFailing;

  /**
   * Stops syncing: cancels the running range session, lets the batches already handed to the
   * store become readable, fails {@link #syncWait()} futures. Idempotent.
   *
   * @return completes when the running job wound down and its appends were drained
   */
  public CompletableFuture<Void> stop() {
    CompletableFuture<Void> toCancel;
    List<CompletableFuture<Void>> waiters;
    CompletableFuture<Void> done;
    synchronized (this) {
      if (stopped != null) {
        return stopped.copy();
      }
      lifecycle = Lifecycle.STOPPED;
      if (refreshTimer != null) {
        refreshTimer.cancel(false);
      }
      if (retryTimer != null) {
        retryTimer.cancel(false);
      }
      toCancel = session;
      waiters = new ArrayList<>(syncWaiters);
      syncWaiters.clear();
      pending.clear();
      done = jobDone;
      stopped = done.handle((v, e) -> null);
    }
    if (toCancel != null) {
      toCancel.cancel(false);
    }
    SyncException e = new SyncException("syncer stopped");
    waiters.forEach(w -> w.completeExceptionally(e));
    return stopped.copy();
  }

  /** Whether {@link #start()} was called and {@link #stop()} not yet. */
  public synchronized boolean isRunning() {
    return lifecycle == Lifecycle.RUNNING;
  }

  // ---- queries ----

  /**
   * The network head as go-header's {@code Syncer.Head}: the subjective head, refreshed from the
   * network first when it is not recent (see the class comment).
   */
  public CompletableFuture<H> head() {
    return networkHead();
  }

  /** The subjective head: the sync target, or the store head when there is none. */
  public synchronized H subjectiveHead() {
    return localHead();
  }

  /** The latest sync job's state, with the store's current height. */
  public SyncState state() {
    SyncState s;
    synchronized (this) {
      s = state;
    }
    return s.withHeight(store.height());
  }

  /** A snapshot of the counters. */
  public SyncMetrics metrics() {
    return new SyncMetrics(headersAppended.get(), batchesAppended.get(), syncJobs.get(), syncFailures.get(),
        gossipAccepted.get(), gossipIgnored.get(), gossipRejected.get(), pendingEvicted.get(), bifurcations.get(),
        failedBifurcations.get(), outdatedHead.get(), trustedPeersOutOfSync.get(), subjectiveInits.get());
  }

  /** How many verified headers wait above the store head. */
  public synchronized int pendingCount() {
    return pending.size();
  }

  /**
   * Completes when the store head reaches the subjective head known now (go-header's
   * {@code SyncWait}); at once if it already has. Fails with a {@link SyncException} when the syncer
   * stops first. Completes on the store's writer thread.
   */
  public CompletableFuture<Void> syncWait() {
    long target;
    synchronized (this) {
      if (lifecycle == Lifecycle.STOPPED) {
        return CompletableFuture.failedFuture(new SyncException("syncer stopped"));
      }
      target = localHead().height();
    }
    if (store.height() >= target) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<H> reached = store.awaitHeight(target);
    CompletableFuture<Void> result = new CompletableFuture<>();
    synchronized (this) {
      syncWaiters.add(result);
    }
    reached.whenComplete((h, err) -> {
      if (err != null) {
        result.completeExceptionally(err);
      } else {
        result.complete(null);
      }
    });
    result.whenComplete((v, err) -> {
      synchronized (this) {
        syncWaiters.remove(result);
      }
      reached.cancel(false);
    });
    return result;
  }

  // ---- gossip ----

  /**
   * Processes a header heard on gossip (go-header's {@code incomingNetworkHead}); the subscriber's
   * validator calls it. The future completes normally when the header was accepted (Accept);
   * exceptionally with a {@link VerifyException} when it failed verification (soft: Ignore, e.g. a
   * {@code known header}; hard: Reject) and with another exception when it could not be processed
   * (Ignore), e.g. a {@link SyncException} when the syncer is not running or too many candidates
   * wait.
   */
  public CompletableFuture<Void> incomingHead(H header) {
    Objects.requireNonNull(header, "header == null");
    CompletableFuture<Void> outcome = new CompletableFuture<>();
    enqueueIncoming(() -> processIncoming(header)).whenComplete((v, err) -> {
      // Counted before the caller sees the outcome, which fails with the cause itself (never wrapped).
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

  /** Runs {@code task} after every earlier candidate finished (go-header's {@code incomingMu}). */
  private CompletableFuture<Void> enqueueIncoming(Supplier<CompletableFuture<Void>> task) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        return CompletableFuture.failedFuture(new SyncException("syncer is not running"));
      }
      if (incomingWaiting >= options.maxPendingHeaders()) {
        return CompletableFuture.failedFuture(new SyncException(incomingWaiting
            + " network head candidates already wait (maxPendingHeaders)"));
      }
      incomingWaiting++;
      CompletableFuture<Void> previous = incomingTail;
      incomingTail = result.handle((v, e) -> null);
      previous.thenRunAsync(() -> {
        CompletableFuture<Void> f;
        try {
          f = task.get();
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> {
          synchronized (this) {
            incomingWaiting--;
          }
          if (e != null) {
            result.completeExceptionally(unwrap(e));
          } else {
            result.complete(null);
          }
        });
      }, worker);
    }
    return result;
  }

  /** Verifies {@code h} against the subjective head and makes it the sync target. On the worker. */
  private CompletableFuture<Void> processIncoming(H h) {
    H local;
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        throw new SyncException("syncer is not running");
      }
      local = localHead();
    }
    try {
      verification.verify(local, h);
    } catch (VerifyException e) {
      if (e.reason() == VerifyException.Reason.KNOWN_HEADER) {
        throw e.asSoft(); // see the class comment: go-header rejects
      }
      if (e.isSoft()) {
        return bifurcate(local, h, e);
      }
      log.warn("invalid network header {} (subjective head {}): {}", h.height(), local.height(), e.getMessage());
      throw e;
    }
    return checkOne(h).thenRun(() -> setLocalHead(h));
  }

  /**
   * go-header's {@code verifyBifurcating}: finds a header between {@code subj} and {@code candidate}
   * that verifies against {@code subj} and that {@code candidate} verifies against.
   */
  private CompletableFuture<Void> bifurcate(H subj, H candidate, VerifyException first) {
    bifurcations.incrementAndGet();
    log.info("bifurcation: verifying new head {}", candidate.height());
    return bifurcateStep(subj, candidate, candidate.height() - subj.height(), first);
  }

  private CompletableFuture<Void> bifurcateStep(H subj, H candidate, long diff, VerifyException last) {
    if (diff <= 1) {
      failedBifurcations.incrementAndGet();
      log.warn("bifurcation: confirmed new head {} as invalid", candidate.height());
      return CompletableFuture.failedFuture(new VerifyException(last.reason(), "bifurcation: new head failed: "
          + (last.detail().isEmpty() ? last.reason().text() : last.detail()), last.isSoft()));
    }
    long middle = subj.height() + diff / 2;
    return source.getByHeight(middle).handle((mid, err) -> {
      if (err != null) {
        throw new SyncException("bifurcation: getting candidate subjective head (" + middle + "): "
            + unwrap(err).getMessage(), unwrap(err));
      }
      return mid;
    }).thenComposeAsync(mid -> {
      try {
        verification.verify(subj, mid);
      } catch (VerifyException e) {
        log.warn("bifurcation: candidate subjective head {} failed: {}", middle, e.getMessage());
        if (!e.isSoft()) {
          throw e;
        }
        return bifurcateStep(subj, candidate, diff / 2, e);
      }
      return checkOne(mid).thenCompose(v -> {
        log.info("bifurcation: found new subjective head {}", mid.height());
        setLocalHead(mid);
        try {
          verification.verify(mid, candidate);
        } catch (VerifyException e) {
          return bifurcateStep(mid, candidate, candidate.height() - mid.height(), e);
        }
        log.info("bifurcation: confirmed new head {}", candidate.height());
        return checkOne(candidate).thenRun(() -> setLocalHead(candidate));
      });
    }, worker);
  }

  /** Makes an already verified header the sync target (go-header's {@code setLocalHead}). */
  private void setLocalHead(H h) {
    boolean changed;
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING || h.height() <= store.height()) {
        return;
      }
      int evicted = pending.add(h, store.height());
      changed = evicted >= 0;
      if (evicted > 0) {
        pendingEvicted.addAndGet(evicted);
      }
    }
    if (changed) {
      notifyListener(() -> listener.headChanged(h));
      synchronized (this) {
        maybeStartJob();
      }
    }
  }

  // ---- network head ----

  private void refreshHead() {
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING || refreshing) {
        return;
      }
      refreshing = true;
    }
    networkHead().whenComplete((h, err) -> {
      synchronized (this) {
        refreshing = false;
      }
      if (err != null) {
        log.warn("network head refresh failed: {}", unwrap(err).getMessage());
      }
    });
  }

  /** go-header's {@code networkHead}: the subjective head, refreshed when expired or not recent. */
  private CompletableFuture<H> networkHead() {
    H subj;
    synchronized (this) {
      subj = localHead();
    }
    Instant now = clock.instant();
    if (isExpired(subj, now)) {
      subjectiveInits.incrementAndGet();
      log.info("subjective head {} expired, initialising from trusted peers", subj.height());
      return source.head().thenComposeAsync(nh -> {
        if (isExpired(nh, clock.instant())) {
          trustedPeersOutOfSync.incrementAndGet();
          throw new SyncException("subjective initialisation with header(" + nh.height() + ") expired for "
              + Duration.between(nh.time().plus(options.trustingPeriod()), clock.instant())
              + "; trusted peers are out of sync");
        }
        return enqueueIncoming(() -> processIncoming(nh)).handle((v, e) -> currentHead());
      }, worker);
    }
    if (isRecent(subj, now)) {
      return CompletableFuture.completedFuture(subj);
    }
    outdatedHead.incrementAndGet();
    log.debug("subjective head {} is not recent, requesting the network head", subj.height());
    return withTimeout(source.head(subj), options.networkHeadTimeout()).handleAsync((res, err) -> {
      if (err != null) {
        // Once per outage at info (a sequencer without peers would log it every refresh).
        if (!headRequestsFailing) {
          headRequestsFailing = true;
          log.info("requesting the network head failed, using the subjective head {}: {}", subj.height(),
              unwrap(err).getMessage());
        } else {
          log.debug("requesting the network head failed again: {}", unwrap(err).getMessage());
        }
        return CompletableFuture.completedFuture(subj);
      }
      if (headRequestsFailing) {
        headRequestsFailing = false;
        log.info("the network head is answered again");
      }
      H nh = res.header();
      if (!isRecent(nh, clock.instant())) {
        trustedPeersOutOfSync.incrementAndGet();
        log.warn("network head {} is not recent either: trusted peers are out of sync", nh.height());
      }
      if (res.softFailure().isPresent()) {
        return enqueueIncoming(() -> processIncoming(nh)).handle((v, e) -> currentHead());
      }
      if (nh.height() <= subj.height()) {
        return CompletableFuture.completedFuture(subj);
      }
      // Verified by the exchange against the subjective head; the extra check still applies.
      return enqueueIncoming(() -> checkOne(nh).thenRun(() -> setLocalHead(nh))).handle((v, e) -> {
        if (e != null) {
          log.warn("network head {} rejected: {}", nh.height(), unwrap(e).getMessage());
        }
        return currentHead();
      });
    }, worker).thenCompose(f -> f);
  }

  private synchronized H currentHead() {
    return localHead();
  }

  /** The highest pending header, else the store head. Called with the lock held. */
  private H localHead() {
    H top = pending.highest();
    if (top != null) {
      return top;
    }
    return store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
  }

  private boolean isExpired(H h, Instant now) {
    return h.time().plus(options.trustingPeriod()).isBefore(now);
  }

  private boolean isRecent(H h, Instant now) {
    return !now.isAfter(h.time().plus(options.recencyThreshold()));
  }

  // ---- sync jobs ----

  /** Starts a job when there is a target above the store head and none runs. Lock held. */
  private void maybeStartJob() {
    if (lifecycle != Lifecycle.RUNNING || jobRunning || retryTimer != null && !retryTimer.isDone()) {
      return;
    }
    H storeHead = store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
    pending.dropAtOrBelow(storeHead.height());
    H target = pending.highest();
    if (target == null) {
      return;
    }
    jobRunning = true;
    syncJobs.incrementAndGet();
    state = new SyncState(state.id() + 1, storeHead.height(), storeHead.height() + 1, target.height(),
        storeHead.hash(), target.hash(), Optional.of(clock.instant()), Optional.empty(), Optional.empty());
    // Following the head by gossip makes one-header jobs, one per block: not worth an info line each.
    if (target.height() > storeHead.height() + 1) {
      log.info("syncing headers from {} to {}", storeHead.height() + 1, target.height());
    } else {
      log.debug("syncing header {}", target.height());
    }
    AppendPipeline<H> pipeline = new AppendPipeline<>(store, worker, options.maxAppendsInFlight(), this::checkBatch,
        this::onAppended, storeHead);
    CompletableFuture<Void> done = new CompletableFuture<>();
    jobDone = done;
    worker.execute(() -> runJob(pipeline, target, done));
  }

  private void runJob(AppendPipeline<H> pipeline, H target, CompletableFuture<Void> done) {
    CompletableFuture<Void> loop;
    try {
      loop = step(pipeline, target);
    } catch (RuntimeException e) {
      loop = CompletableFuture.failedFuture(e);
    }
    loop.handle((v, err) -> err)
        .thenCompose(err -> pipeline.drain().handle((v, drainErr) -> err != null ? err : drainErr))
        .thenAcceptAsync(err -> finishJob(err, done), worker);
  }

  /** One step of go-header's {@code processHeaders}: append a pending run, or fetch the next gap. */
  private CompletableFuture<Void> step(AppendPipeline<H> pipeline, H jobTarget) {
    H from = pipeline.last();
    List<H> run;
    long gapEnd;
    H target;
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        throw new CancellationException("syncer stopped");
      }
      session = null;
      pending.dropAtOrBelow(from.height());
      // A job follows the subjective head while it runs (go-header starts a new job per target).
      H top = pending.highest();
      target = top != null && top.height() > jobTarget.height() ? top : jobTarget;
      if (target != jobTarget) {
        state = new SyncState(state.id(), state.height(), state.fromHeight(), target.height(), state.fromHash(),
            target.hash(), state.start(), state.end(), state.error());
      }
      if (from.height() >= target.height()) {
        return CompletableFuture.completedFuture(null);
      }
      long next = pending.lowestAbove(from.height());
      if (next == from.height() + 1) {
        run = pending.run(next, target.height());
        gapEnd = -1;
      } else {
        run = List.of();
        gapEnd = next == -1 || next > target.height() ? target.height() + 1 : next;
      }
    }
    if (!run.isEmpty()) {
      List<H> linked = linkedPrefix(from, run);
      if (linked.size() < run.size()) {
        H bad = run.get(linked.size());
        synchronized (this) {
          pending.remove(bad.height());
        }
        if (bad.height() == target.height()) {
          throw new SyncException("sync target " + bad.height() + " (" + bad.hash()
              + ") does not link to the header before it");
        }
      }
      if (linked.isEmpty()) {
        return step(pipeline, target);
      }
      return pipeline.submit(linked, true).thenComposeAsync(v -> step(pipeline, target), worker);
    }
    CompletableFuture<Void> s = source.streamRange(from, gapEnd, batch -> submitFetched(pipeline, batch, gapEnd));
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        s.cancel(false);
      }
      session = s;
    }
    return s.thenComposeAsync(v -> step(pipeline, target), worker);
  }

  /**
   * Hands a fetched batch to the pipeline (the range session's sink). The stage for the range's last
   * batch waits until every batch was checked and appended: a header that fails the extra check then
   * still fails the session, which blocks the peer that served it (see {@link #runCheck}); otherwise
   * the session could finish before the check and blame no one.
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
        verification.verify(prev, h);
      } catch (VerifyException e) {
        log.warn("pending header {} does not verify against {}: {}", h.height(), prev.height(), e.getMessage());
        break;
      }
      out.add(h);
      prev = h;
    }
    return out;
  }

  private void finishJob(Throwable err, CompletableFuture<Void> done) {
    Throwable cause = err == null ? null : unwrap(err);
    SyncState finished;
    boolean wasStopped;
    synchronized (this) {
      jobRunning = false;
      session = null;
      wasStopped = lifecycle != Lifecycle.RUNNING;
      state = new SyncState(state.id(), state.height(), state.fromHeight(), state.toHeight(), state.fromHash(),
          state.toHash(), state.start(), Optional.of(clock.instant()),
          cause == null ? Optional.empty() : Optional.of(String.valueOf(cause.getMessage())));
      finished = state.withHeight(store.height());
      if (cause == null) {
        backoff = options.retryInitialBackoff();
        maybeStartJob();
      } else if (!wasStopped) {
        Duration delay = backoff;
        backoff = min(backoff.multipliedBy(2), options.retryMaxBackoff());
        retryTimer = scheduler.schedule(this::retry, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    done.complete(null);
    if (cause == null) {
      if (finished.toHeight() > finished.fromHeight()) {
        log.info("finished syncing headers from {} to {} in {}", finished.fromHeight(), finished.toHeight(),
            finished.duration(clock.instant()));
      } else {
        log.debug("synced header {} in {}", finished.toHeight(), finished.duration(clock.instant()));
      }
      notifyListener(() -> listener.syncFinished(finished));
    } else if (!wasStopped) {
      syncFailures.incrementAndGet();
      log.warn("syncing headers from {} to {} failed, retrying: {}", finished.fromHeight(), finished.toHeight(),
          cause.getMessage());
      notifyListener(() -> listener.syncFailed(finished, cause));
    }
  }

  private void retry() {
    synchronized (this) {
      retryTimer = null;
      maybeStartJob();
    }
  }

  private void onAppended(List<H> batch, long receivedNanos) {
    headersAppended.addAndGet(batch.size());
    batchesAppended.incrementAndGet();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - receivedNanos);
    long from = batch.get(0).height();
    int n = batch.size();
    try {
      listener.batchAppended(from, n, elapsed);
    } catch (RuntimeException e) {
      log.warn("sync listener failed", e);
    }
  }

  // ---- checks ----

  private CompletableFuture<Void> checkOne(H h) {
    if (extraCheck == null) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> runCheck(h), worker);
  }

  private CompletableFuture<Void> checkBatch(List<H> batch) {
    if (extraCheck == null) {
      return CompletableFuture.completedFuture(null);
    }
    int parts = Math.min(options.checkParallelism(), batch.size());
    CompletableFuture<?>[] fs = new CompletableFuture<?>[parts];
    int size = (batch.size() + parts - 1) / parts;
    for (int i = 0; i < parts; i++) {
      List<H> part = batch.subList(Math.min(i * size, batch.size()), Math.min((i + 1) * size, batch.size()));
      fs[i] = CompletableFuture.runAsync(() -> part.forEach(this::runCheck), worker);
    }
    return CompletableFuture.allOf(fs);
  }

  /**
   * Runs the extra check on {@code h}. A {@link VerifyException} from it becomes a hard one naming
   * {@code h}'s height: failing a range session's sink with it blocks the peer that served {@code h}
   * ({@code Exchange.streamRange}); on gossip the height changes nothing. Any other exception is a
   * broken check, not a bad header: it fails the job as a hard failure without a height, blaming no
   * peer.
   */
  private void runCheck(H h) {
    try {
      extraCheck.check(h);
    } catch (VerifyException e) {
      if (!e.isSoft() && e.height().orElse(0) == h.height()) {
        throw e;
      }
      VerifyException v = new VerifyException(e.reason(), e.detail(), false, h.height());
      v.setStackTrace(e.getStackTrace());
      throw v;
    } catch (RuntimeException e) {
      // Not a verdict on the header but a check that broke: fail the job, blame no peer (a bug in the
      // check must not block every honest peer one retry after the other).
      VerifyException v = new VerifyException(VerifyException.Reason.TYPE_CHECK, "extra check failed for header "
          + h.height() + ": " + e.getMessage(), false);
      v.initCause(e);
      throw v;
    }
  }

  // ---- helpers ----

  private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout) {
    ScheduledFuture<?> t = scheduler.schedule(() -> f.completeExceptionally(new SyncException(
        "no network head within " + timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
    f.whenComplete((v, e) -> t.cancel(false));
    return f;
  }

  private void notifyListener(Runnable r) {
    worker.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("sync listener failed", e);
      }
    });
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Builds a {@link Syncer}. {@code build()} names what is missing.
   *
   * @param <H> the header type
   */
  public static final class Builder<H extends Header> {
    private final Store<H> store;
    private final HeaderSource<H> source;
    private final HeaderType<H> type;
    private SyncerOptions options;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private Executor worker;
    private HeaderCheck<H> extraCheck;
    private SyncListener<H> listener = new SyncListener<>() {};

    private Builder(Store<H> store, HeaderSource<H> source, HeaderType<H> type) {
      this.store = Objects.requireNonNull(store, "store == null");
      this.source = Objects.requireNonNull(source, "source == null");
      this.type = Objects.requireNonNull(type, "type == null");
    }

    /** Required: block time and the other settings. */
    public Builder<H> options(SyncerOptions v) {
      options = Objects.requireNonNull(v, "options == null");
      return this;
    }

    /** Default: the system UTC clock. */
    public Builder<H> clock(Clock v) {
      clock = Objects.requireNonNull(v, "clock == null");
      return this;
    }

    /** Required: runs retries, timeouts and the head refresh. Not shut down by the syncer. */
    public Builder<H> scheduler(ScheduledExecutorService v) {
      scheduler = Objects.requireNonNull(v, "scheduler == null");
      return this;
    }

    /** Required: runs verification, the extra check, store appends and listener callbacks. */
    public Builder<H> workerExecutor(Executor v) {
      worker = Objects.requireNonNull(v, "workerExecutor == null");
      return this;
    }

    /** Optional: a check every header must pass before it is accepted or appended. */
    public Builder<H> extraCheck(HeaderCheck<H> v) {
      extraCheck = Objects.requireNonNull(v, "extraCheck == null");
      return this;
    }

    /** Optional: progress and metrics callbacks. */
    public Builder<H> listener(SyncListener<H> v) {
      listener = Objects.requireNonNull(v, "listener == null");
      return this;
    }

    /**
     * @throws IllegalStateException naming the missing part
     */
    public Syncer<H> build() {
      if (options == null) {
        throw new IllegalStateException("options not set: Syncer needs SyncerOptions (at least the block time)");
      }
      if (scheduler == null) {
        throw new IllegalStateException("scheduler not set: Syncer needs a ScheduledExecutorService");
      }
      if (worker == null) {
        throw new IllegalStateException("workerExecutor not set: Syncer needs an executor for verification");
      }
      return new Syncer<>(this);
    }
  }
}
