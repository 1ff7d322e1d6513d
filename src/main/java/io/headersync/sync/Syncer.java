package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.instrument.Histogram;
import io.headersync.exchange.Exchange;
import io.headersync.internal.Backoff;
import io.headersync.store.Store;
import io.headersync.store.StoreFailedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
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
 *   <li>Tail management (go-header's {@code subjectiveTail}, see {@link SyncerOptions}) runs in the
 *       background, never before syncing: a tail that moves down is back-filled downwards by hash
 *       links while the head is followed (go-header back-fills before it starts syncing), the window
 *       tail is found by binary search on header time (go-header estimates it from the block time),
 *       and pruning deletes in bounded steps. An anchored syncer keeps its tail.
 *   <li>A type that cannot verify non-adjacent pairs ({@link HeaderType#verifiesNonAdjacent()} false,
 *       e.g. ev-node's block data) is never bifurcated: a non-adjacent candidate is ignored and its
 *       height fetched up to and verified adjacently (go-header bisects and fails every round).
 *   <li>An <em>anchored</em> syncer ({@link Builder#anchor}, see {@link Anchor}) follows another store
 *       of verified headers: its target is the anchor's head, every header must match the anchor header
 *       at its height, gossip ahead of the anchor waits for it ({@code anchorWait}), and a height the
 *       anchor just reached is left to gossip for {@code gossipGrace} unless a whole batch is missing.
 *   <li>A failed, retried job is logged at DEBUG; the {@value #FAILURES_BEFORE_WARN}th failure in a row
 *       at WARN, once.
 * </ul>
 *
 * @param <H> the header type
 */
public final class Syncer<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);
  /** Consecutive failed jobs after which the streak is logged at WARN (once): the operator should look. */
  static final int FAILURES_BEFORE_WARN = 5;
  /** An anchored gap at least this long is fetched at once (catch-up), without waiting for gossip: one range batch. */
  static final int ANCHOR_BATCH = 64;
  private static final int MAX_ANCHOR_SEEN = 256;

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
  private final @Nullable Anchor<H> anchor;
  private final @Nullable FollowerLimit followerLimit;
  /** The tail (pruning, back-fill); null for an anchored syncer, whose tail follows its anchor's. */
  private final @Nullable TailKeeper<H> tail;

  // Counters.
  private final AtomicLong headersAppended = new AtomicLong();
  private final AtomicLong batchesAppended = new AtomicLong();
  private final AtomicLong syncJobs = new AtomicLong();
  private final AtomicLong syncFailures = new AtomicLong();
  private final AtomicLong gossipAccepted = new AtomicLong();
  private final AtomicLong gossipIgnored = new AtomicLong();
  private final AtomicLong gossipRejected = new AtomicLong();
  private final AtomicLong pendingEvicted = new AtomicLong();
  private final Histogram headLag = new Histogram("hdr_sync_subjective_head_lag_seconds",
      "seconds between a header's Time() (BFT median timestamp of the previous block's precommits) and the moment "
          + "the syncer sets it as the new subjective head", "s", Histogram.SECONDS);
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
  private final Backoff backoff; // the retry after failure n of a streak waits backoff.delay(n)
  private int failureStreak;
  /** Unanchored, for a type that cannot verify non-adjacent pairs: an unverified height to fetch up to; 0 if none. */
  private long hint;
  /** Anchored: the anchor heights seen and when (clock millis), oldest first, at most MAX_ANCHOR_SEEN. */
  private final ArrayDeque<long[]> anchorSeen = new ArrayDeque<>();
  private @Nullable CompletableFuture<Void> anchorWatch;
  private @Nullable ScheduledFuture<?> graceTimer;
  private int anchorWaiting;
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
    this.backoff = Backoff.exponential(options.retryInitialBackoff(), options.retryMaxBackoff());
    this.anchor = b.anchor;
    this.followerLimit = b.followerLimit;
    this.tail = anchor != null ? null : new TailKeeper<>(store, source, verification, options, worker, scheduler,
        t -> notifyListener(() -> listener.tailMoved(t)), this::tailStoreFailed);
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

  /**
   * For an empty store: the header to initialise it with, from the tail options (go-header's
   * {@code subjectiveTail} on an empty store). {@code syncFromHash}: that header, fetched by hash;
   * else {@code syncFromHeight}: the header at that height; else the tail estimated from the
   * trusting period against the network head ({@code head - trustingPeriod / blockTime}, go-header's
   * {@code estimateTailHeight}, never below {@code initialHeight}), so the node never starts from a
   * header that has expired. The header at {@code initialHeight} is asked for first: when it has not
   * expired (a chain younger than the trusting period) it is the tail, and the network head is not
   * needed. The caller appends it and starts the syncer, which syncs up to the head.
   *
   * @param initialHeight the chain's first height (1, or ev-node's genesis initial height)
   * @return the header, unverified but for its hash when asked by hash; fails when no peer gives it
   */
  public CompletableFuture<H> initialTail(long initialHeight) {
    if (initialHeight < 1) {
      throw new IllegalArgumentException("initialHeight must be at least 1, got " + initialHeight);
    }
    Optional<Hash> hash = options.syncFromHash();
    if (hash.isPresent()) {
      return source.get(hash.get());
    }
    if (options.syncFromHeight() > 0) {
      return source.getByHeight(Math.max(initialHeight, options.syncFromHeight()));
    }
    // A chain younger than the trusting period starts at its first header: asked for first, so the
    // network head is only needed when that header has expired.
    long retain = options.trustingPeriod().dividedBy(options.blockTime()); // block time is positive
    return source.getByHeight(initialHeight).thenCompose(first -> {
      if (!isExpired(first, clock.instant())) {
        return CompletableFuture.completedFuture(first);
      }
      return source.head().thenCompose(head -> {
        long height = head.height() - retain <= initialHeight ? initialHeight : head.height() - retain;
        return height >= head.height() ? CompletableFuture.completedFuture(head) : source.getByHeight(height);
      });
    });
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
    if (anchor != null) {
      // Anchored: the target is the anchor's height; nothing to ask the network. What the anchor
      // holds now is old enough to fetch at once.
      observeAnchor(anchor.height(), clock.millis() - options.gossipGrace().toMillis());
      startFuture = CompletableFuture.completedFuture(null);
      watchAnchor();
      maybeStartJob();
      return startFuture.copy();
    }
    if (tail != null) {
      tail.start(); // in the background on the worker: pruning or back-filling never holds the sync up
    }
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
  private final CompletableFuture<Void> fatalFailure = new CompletableFuture<>();
  /** Whether the last network head answered was not recent (logged once per stretch). */
  private volatile boolean networkHeadStale;
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
      if (graceTimer != null) {
        graceTimer.cancel(false);
      }
      if (anchorWatch != null) {
        anchorWatch.cancel(false);
      }
      toCancel = session;
      waiters = new ArrayList<>(syncWaiters);
      syncWaiters.clear();
      pending.clear();
      done = jobDone;
      if (tail != null) {
        tail.stop();
        done = done.handle((v, e) -> null).thenCompose(v -> tail.idle());
      }
      stopped = done.handle((v, e) -> null);
    }
    if (toCancel != null) {
      toCancel.cancel(false);
    }
    SyncException e = new SyncException("syncer stopped");
    waiters.forEach(w -> w.completeExceptionally(e));
    return stopped.copy();
  }

  /**
   * Fails when the syncer stops on its own because it cannot go on: its store failed a write
   * ({@link StoreFailedException}: the disk is full, an I/O error) and accepts no more. The syncer
   * does not retry such a failure; whoever runs it should stop the node and say why (the service
   * does). Never completes normally; stays pending after {@link #stop()}.
   */
  public CompletableFuture<Void> fatalFailure() {
    return fatalFailure.copy();
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
    if (anchor != null) {
      synchronized (this) {
        return CompletableFuture.completedFuture(localHead());
      }
    }
    return networkHead();
  }

  /** Whether this syncer follows an {@link Anchor} instead of the network head. */
  public boolean isAnchored() {
    return anchor != null;
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
    long tailHeight;
    try {
      tailHeight = store.tail().map(Header::height).orElse(0L);
    } catch (RuntimeException e) {
      tailHeight = 0; // the store is closed
    }
    return new SyncMetrics(headersAppended.get(), batchesAppended.get(), syncJobs.get(), syncFailures.get(),
        gossipAccepted.get(), gossipIgnored.get(), gossipRejected.get(), pendingEvicted.get(), bifurcations.get(),
        failedBifurcations.get(), outdatedHead.get(), trustedPeersOutOfSync.get(), subjectiveInits.get(),
        tailHeight, tail == null ? 0 : tail.pruned.get(), tail == null ? 0 : tail.backfilled.get());
  }

  /**
   * go-header's syncer histogram {@code hdr_sync_subjective_head_lag_seconds}: how old each new
   * subjective head is when the syncer takes it (its {@link Header#time()} to now). The other,
   * {@code hdr_sync_range_request_time_hist}, is the exchange's ({@code Exchange.histograms()}), where
   * our range requests are made.
   */
  public List<Histogram> histograms() {
    return List.of(headLag);
  }

  /** The most heights below the tail {@link #fetchBelowTail} walks: 256 requests of 64 headers. */
  public static final long MAX_BELOW_TAIL_DISTANCE = 16_384;
  /** The most {@link #fetchBelowTail} calls running at once. */
  public static final int MAX_BELOW_TAIL_FETCHES = 4;
  private final java.util.concurrent.Semaphore belowTailFetches = new java.util.concurrent.Semaphore(MAX_BELOW_TAIL_FETCHES);

  /**
   * History on demand: the header at {@code height} below the store's tail, fetched from peers and
   * verified by hash links down from the stored tail (header {@code h + 1} names the hash of header
   * {@code h}, and each pair passes the type's adjacent verification). Nothing is stored; at most 64
   * headers are held at a time, one request per 64 heights. A peer whose answer does not link is
   * blocked through the gater and another peer's answer is used (each request goes to the trusted
   * peers at once; {@link io.headersync.exchange.Exchange#getRangeByHeight(long, int,
   * java.util.function.Function)}). Not for an anchored syncer.
   *
   * @return the header; fails when no peer's answer links (every one that sent headers that do not
   *     link is blocked), no peer has it, or {@value #MAX_BELOW_TAIL_FETCHES} fetches already run
   * @throws IllegalArgumentException if {@code height} is not below the tail, or more than
   *     {@value #MAX_BELOW_TAIL_DISTANCE} below it
   * @throws IllegalStateException if the store is empty or the syncer is anchored
   */
  public CompletableFuture<H> fetchBelowTail(long height) {
    if (tail == null) {
      throw new IllegalStateException("an anchored syncer does not fetch below its tail; ask its anchor's syncer");
    }
    H t = store.tail().orElseThrow(() -> new IllegalStateException("store is empty"));
    if (height < 1 || height >= t.height()) {
      throw new IllegalArgumentException("height " + height + " is not below the tail " + t.height());
    }
    if (t.height() - height > MAX_BELOW_TAIL_DISTANCE) {
      throw new IllegalArgumentException("height " + height + " is " + (t.height() - height) + " below the tail "
          + t.height() + ", more than " + MAX_BELOW_TAIL_DISTANCE + "; lower syncFromHeight to keep that history");
    }
    if (!belowTailFetches.tryAcquire()) {
      return CompletableFuture.failedFuture(new SyncException(MAX_BELOW_TAIL_FETCHES
          + " fetches below the tail already run; try again when one finished"));
    }
    CompletableFuture<H> f;
    try {
      f = tail.walkDown(t, height);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.whenComplete((h, e) -> belowTailFetches.release());
  }

  /**
   * Completes when no tail work (pruning, back-fill, moving to a configured tail) is running; at
   * once for an anchored syncer. For tests and tools that want to see the tail settled.
   */
  public CompletableFuture<Void> tailIdle() {
    return tail == null ? CompletableFuture.completedFuture(null) : tail.idle();
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
      target = anchor != null ? anchor.height() : localHead().height();
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
    CompletableFuture<Void> processed = anchor != null ? incomingAnchored(header)
        : enqueueIncoming(() -> processIncoming(header));
    processed.whenComplete((v, err) -> {
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
      if (e.reason() == VerifyException.Reason.NON_ADJACENT_UNSUPPORTED) {
        // The type cannot judge the candidate from here, and bisecting would fail every round: fetch
        // up to it and verify adjacently. Unverified, so not relayed (Ignore).
        synchronized (this) {
          if (h.height() > hint) {
            hint = h.height();
            maybeStartJob();
          }
        }
        throw e;
      }
      if (e.isSoft()) {
        return bifurcate(local, h, e);
      }
      // The subscriber warns with the sender's peer id (rate-limited); the network head path below warns too.
      log.debug("invalid network header {} (subjective head {}): {}", h.height(), local.height(), e.getMessage());
      throw e;
    }
    return checkOne(h).thenRun(() -> setLocalHead(h));
  }

  // ---- anchored gossip ----

  /**
   * A gossiped header of an anchored syncer: waits (bounded) for the anchor header at its height,
   * then {@link #processAnchored}. Known heights and heights far above the anchor are ignored.
   */
  private CompletableFuture<Void> incomingAnchored(H h) {
    Anchor<H> a = Objects.requireNonNull(anchor);
    long height = h.height();
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        return CompletableFuture.failedFuture(new SyncException("syncer is not running"));
      }
    }
    long stored = store.height();
    if (height <= stored) {
      return CompletableFuture.failedFuture(new VerifyException(VerifyException.Reason.KNOWN_HEADER,
          "'" + height + "' <= current '" + stored + "'", true));
    }
    long anchorHeight = a.height();
    if (height <= anchorHeight) {
      return enqueueIncoming(() -> processAnchored(h));
    }
    if (height > anchorHeight + options.maxPendingAhead()) {
      return CompletableFuture.failedFuture(new SyncException("header " + height + " is more than "
          + options.maxPendingAhead() + " heights above the anchor's head " + anchorHeight + " (maxPendingAhead)"));
    }
    synchronized (this) {
      // A quarter of maxPendingHeaders: the anchor store's waiters are shared with the fetched batches.
      if (anchorWaiting >= Math.max(1, options.maxPendingHeaders() / 4)) {
        return CompletableFuture.failedFuture(new SyncException(anchorWaiting
            + " headers already wait for their anchor (maxPendingHeaders / 4)"));
      }
      anchorWaiting++;
    }
    CompletableFuture<Void> waited = awaitAnchor(height);
    waited.whenComplete((v, e) -> {
      synchronized (this) {
        anchorWaiting--;
      }
    });
    return waited.thenCompose(v -> enqueueIncoming(() -> processAnchored(h)));
  }

  /**
   * Verifies an anchored syncer's gossiped header: adjacently against the header below it when that
   * is stored or pending (go-header's mandatory checks against the store head otherwise), then against
   * its anchor and the extra check; kept as pending until the job appends it. On the worker.
   */
  private CompletableFuture<Void> processAnchored(H h) {
    H prev;
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        throw new SyncException("syncer is not running");
      }
      H head = store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
      if (h.height() <= head.height() || pending.contains(h.height())) {
        throw new VerifyException(VerifyException.Reason.KNOWN_HEADER, "'" + h.height() + "' <= current '"
            + Math.max(head.height(), pending.contains(h.height()) ? h.height() : 0) + "'", true);
      }
      H below = pending.get(h.height() - 1);
      prev = below != null ? below : head;
    }
    try {
      verification.verify(prev, h);
    } catch (VerifyException e) {
      if (e.reason() != VerifyException.Reason.NON_ADJACENT_UNSUPPORTED) {
        if (!e.isSoft()) {
          log.debug("gossiped {} {} fails against {}: {}", verification.type().name(), h.height(), prev.height(),
              e.getMessage());
        }
        throw e;
      }
      // Not adjacent: the mandatory checks passed; the link is checked when the gap below is appended.
    }
    return CompletableFuture.runAsync(() -> runCheck(h), worker).thenRun(() -> {
      boolean added;
      synchronized (this) {
        added = lifecycle == Lifecycle.RUNNING && pending.addAnchored(h, store.height());
        if (added) {
          maybeStartJob();
        }
      }
      if (added) {
        notifyListener(() -> listener.headChanged(h));
      }
    });
  }

  /** Re-arms the wait for the anchor's next height; each arrival may start a job. */
  private void watchAnchor() {
    Anchor<H> a = Objects.requireNonNull(anchor);
    CompletableFuture<Void> w;
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        return;
      }
      long seen = anchorSeen.isEmpty() ? 0 : anchorSeen.peekLast()[0];
      w = a.awaitHeight(Math.max(seen, store.height()) + 1);
      anchorWatch = w;
    }
    w.whenCompleteAsync((v, e) -> {
      synchronized (this) {
        if (lifecycle != Lifecycle.RUNNING) {
          return;
        }
        if (e != null) {
          // E.g. too many waiters on the anchor store: look again after a while.
          log.debug("waiting for the anchor failed, looking again in {}: {}", options.retryInitialBackoff(),
              unwrap(e).toString());
          scheduler.schedule(this::watchAnchor, options.retryInitialBackoff().toNanos(), TimeUnit.NANOSECONDS);
          return;
        }
        observeAnchor(a.height(), clock.millis());
        maybeStartJob();
      }
      watchAnchor();
    }, worker);
  }

  /** Records that the anchor holds {@code height} at {@code millis}. Lock held. */
  private void observeAnchor(long height, long millis) {
    long[] last = anchorSeen.peekLast();
    if (last != null && last[0] >= height) {
      return;
    }
    anchorSeen.addLast(new long[] {height, millis});
    while (anchorSeen.size() > MAX_ANCHOR_SEEN) {
      anchorSeen.pollFirst();
    }
  }

  /** The highest height the anchor has held for at least the gossip grace. Lock held. */
  private long staleAnchorHeight() {
    long cutoff = clock.millis() - options.gossipGrace().toMillis();
    long stale = 0;
    while (anchorSeen.size() > 1) {
      long[] first = anchorSeen.pollFirst();
      if (anchorSeen.peekFirst()[1] > cutoff) {
        anchorSeen.addFirst(first);
        break;
      }
      // else superseded by a later observation that is old enough too
    }
    long[] first = anchorSeen.peekFirst();
    if (first != null && first[1] <= cutoff) {
      stale = first[0];
    }
    return stale;
  }

  /** When the anchor was first seen at or above {@code height}, in clock millis; now if never. Lock held. */
  private long anchorSeenAt(long height) {
    for (long[] e : anchorSeen) {
      if (e[0] >= height) {
        return e[1];
      }
    }
    return clock.millis();
  }

  /** Starts a job when the grace for {@code height} has passed, unless a timer is armed. Lock held. */
  private void armGraceTimer(long height) {
    if (graceTimer != null && !graceTimer.isDone()) {
      return;
    }
    long delay = Math.max(1, anchorSeenAt(height) + options.gossipGrace().toMillis() - clock.millis());
    graceTimer = scheduler.schedule(() -> {
      synchronized (this) {
        graceTimer = null;
        maybeStartJob();
      }
    }, delay, TimeUnit.MILLISECONDS);
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
        log.debug("bifurcation: candidate subjective head {} failed: {}", middle, e.getMessage());
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
      headLag.record(java.time.Duration.between(h.time(), clock.instant()).toNanos() / 1e9);
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
        log.debug("network head refresh failed: {}", unwrap(err).getMessage());
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
    Duration headTimeout = options.networkHeadTimeout();
    return withTimeout(source.head(subj), headTimeout, () -> new SyncException("no network head within "
        + headTimeout)).handleAsync((res, err) -> {
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
        // A chain that makes no blocks for a while (ev-node's lazy mode, a paused sequencer) is not
        // a fault: said once per stretch at info, as go-header's syncer does at warn on every call.
        if (!networkHeadStale) {
          networkHeadStale = true;
          log.info("network head {} is not recent either: no newer block is known (trusted peers out of sync, "
              + "or the chain makes no blocks)", nh.height());
        }
      } else {
        networkHeadStale = false;
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
    if (lifecycle != Lifecycle.RUNNING || jobRunning || (retryTimer != null && !retryTimer.isDone())) {
      return;
    }
    H storeHead = store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
    long from = storeHead.height();
    pending.dropAtOrBelow(from);
    long target = targetHeight(0);
    if (target <= from) {
      hint = 0;
      return;
    }
    if (anchor != null && !pending.contains(from + 1) && fetchEnd(from, target + 1) <= from + 1) {
      armGraceTimer(from + 1); // just reached by the anchor: its gossip is probably on the way
      return;
    }
    jobRunning = true;
    syncJobs.incrementAndGet();
    state = new SyncState(state.id() + 1, from, from + 1, target, storeHead.hash(), targetHash(target),
        Optional.of(clock.instant()), Optional.empty(), Optional.empty());
    // Following the head by gossip makes one-header jobs, one per block: not worth an info line each.
    if (target > from + 1) {
      log.info("syncing {} from {} to {}", verification.type().name(), from + 1, target);
    } else {
      log.debug("syncing {} {}", verification.type().name(), target);
    }
    AppendPipeline<H> pipeline = new AppendPipeline<>(store, worker, options.maxAppendsInFlight(), this::checkBatch,
        this::onAppended, storeHead);
    CompletableFuture<Void> done = new CompletableFuture<>();
    jobDone = done;
    long jobTarget = target;
    worker.execute(() -> runJob(pipeline, jobTarget, done));
  }

  /**
   * The height to sync to: the anchor's head for an anchored syncer (it follows the anchor while it
   * runs); else the highest pending header or the hint, whichever is higher, and at least
   * {@code atLeast} (the running job's target). Lock held.
   */
  private long targetHeight(long atLeast) {
    if (anchor != null) {
      return anchor.horizon();
    }
    H top = pending.highest();
    return Math.max(atLeast, Math.max(top == null ? 0 : top.height(), hint));
  }

  /** The target's hash when a verified header is known at that height, else {@link Hash#EMPTY}. Lock held. */
  private Hash targetHash(long target) {
    H h = pending.get(target);
    return h == null ? Hash.EMPTY : h.hash();
  }

  /**
   * Where the fetch of the gap {@code (from, gapEnd)} should end now: all of it, unless the syncer is
   * anchored, the gap is shorter than a range batch and its top was reached by the anchor less than
   * the gossip grace ago; then only up to the part the anchor has held that long (ev-node gossips data
   * right after its header; fetching at once would race it). {@code from + 1} means nothing yet.
   * Lock held.
   */
  private long fetchEnd(long from, long gapEnd) {
    if (anchor == null || gapEnd - 1 - from >= ANCHOR_BATCH) {
      return gapEnd;
    }
    return Math.min(gapEnd, Math.max(from, staleAnchorHeight()) + 1);
  }

  private void runJob(AppendPipeline<H> pipeline, long target, CompletableFuture<Void> done) {
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
  private CompletableFuture<Void> step(AppendPipeline<H> pipeline, long jobTarget) {
    H from = pipeline.last();
    List<H> run;
    long gapEnd;
    long target;
    synchronized (this) {
      if (lifecycle != Lifecycle.RUNNING) {
        throw new CancellationException("syncer stopped");
      }
      session = null;
      pending.dropAtOrBelow(from.height());
      // A job follows the subjective head (or the anchor) while it runs (go-header starts a new job per target).
      target = targetHeight(jobTarget);
      if (target != jobTarget) {
        state = new SyncState(state.id(), state.height(), state.fromHeight(), target, state.fromHash(),
            targetHash(target), state.start(), state.end(), state.error());
      }
      if (from.height() >= target) {
        return CompletableFuture.completedFuture(null);
      }
      long next = pending.lowestAbove(from.height());
      if (next == from.height() + 1) {
        run = pending.run(next, target);
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
        synchronized (this) {
          pending.remove(bad.height());
        }
        if (anchor == null && bad.height() == target) {
          throw new SyncException("sync target " + bad.height() + " (" + bad.hash()
              + ") does not link to the header before it");
        }
      }
      if (linked.isEmpty()) {
        return step(pipeline, target);
      }
      return pipeline.submit(linked, true).thenComposeAsync(v -> step(pipeline, target), worker);
    }
    long end = gapEnd;
    CompletableFuture<Void> s = source.streamRange(from, end, batch -> submitFetched(pipeline, batch, end));
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
    int streak;
    Duration retryIn = null;
    StoreFailedException storeFailed = storeFailure(cause);
    synchronized (this) {
      jobRunning = false;
      session = null;
      wasStopped = lifecycle != Lifecycle.RUNNING;
      state = new SyncState(state.id(), state.height(), state.fromHeight(), state.toHeight(), state.fromHash(),
          state.toHash(), state.start(), Optional.of(clock.instant()),
          cause == null ? Optional.empty() : Optional.of(String.valueOf(cause.getMessage())));
      finished = state.withHeight(store.height());
      if (cause == null) {
        failureStreak = 0;
        maybeStartJob();
      } else if (!wasStopped && storeFailed == null) {
        failureStreak++;
        hint = 0; // an unverified height no peer could serve is not tried again until heard again
        retryIn = backoff.delay(failureStreak);
        retryTimer = scheduler.schedule(this::retry, retryIn.toNanos(), TimeUnit.NANOSECONDS);
      }
      streak = failureStreak;
    }
    done.complete(null);
    String name = verification.type().name();
    if (storeFailed != null && !wasStopped) {
      syncFailures.incrementAndGet();
      log.error("syncing {} stopped: the store failed a write and accepts no more ({}); restart once the cause "
          + "is fixed and syncing resumes from height {}", name, storeFailed.getMessage(), store.height());
      notifyListener(() -> listener.syncFailed(finished, storeFailed));
      stop();
      fatalFailure.completeExceptionally(storeFailed);
      return;
    }
    if (cause == null) {
      if (finished.height() > finished.fromHeight()) {
        log.info("finished syncing {} from {} to {} in {}", name, finished.fromHeight(), finished.height(),
            finished.duration(clock.instant()));
      } else {
        log.debug("synced {} {} in {}", name, finished.height(), finished.duration(clock.instant()));
      }
      notifyListener(() -> listener.syncFinished(finished));
    } else if (!wasStopped) {
      syncFailures.incrementAndGet();
      // A retried failure is routine (a peer timed out, the head moved, a bad peer was blocked, which
      // the exchange reports); a streak of them is something the operator should look at, once.
      if (streak == FAILURES_BEFORE_WARN) {
        log.warn("syncing {} has failed {} times in a row (now from {} to {}), retrying in {}: {}", name, streak,
            finished.fromHeight(), finished.toHeight(), retryIn, cause.getMessage());
      } else {
        log.debug("syncing {} from {} to {} failed (failure {} in a row), retrying in {}: {}", name,
            finished.fromHeight(), finished.toHeight(), streak, retryIn, cause.getMessage());
      }
      notifyListener(() -> listener.syncFailed(finished, cause));
    }
  }

  /** The store failed a write while the tail moved: stop as {@link #finishJob} does for an append. */
  private void tailStoreFailed(StoreFailedException e) {
    if (fatalFailure.isDone()) {
      return;
    }
    log.error("syncing {} stopped: the store failed a write while moving the tail and accepts no more ({}); "
        + "restart once the cause is fixed", verification.type().name(), e.getMessage());
    stop();
    fatalFailure.completeExceptionally(e);
  }

  private static @Nullable StoreFailedException storeFailure(@Nullable Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof StoreFailedException) {
        return (StoreFailedException) t;
      }
    }
    return null;
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
    if (tail != null) {
      tail.headAdvanced();
    }
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
    if (extraCheck == null && anchor == null) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> runCheck(h), worker);
  }

  /**
   * The checks of a fetched batch: when anchored, once the anchor holds the batch's heights (it may
   * be fetched ahead of the anchor, up to its horizon; at most {@code anchorWait}); then the anchor
   * and extra checks in parallel parts; then, with a follower limit, until the follower is close enough.
   */
  private CompletableFuture<Void> checkBatch(List<H> batch) {
    long last = batch.get(batch.size() - 1).height();
    CompletableFuture<Void> ready = anchor == null || anchor.height() >= last ? CompletableFuture.completedFuture(null)
        : awaitAnchor(last);
    CompletableFuture<Void> checked = ready.thenCompose(v -> runChecks(batch));
    FollowerLimit limit = followerLimit;
    return limit == null ? checked : checked.thenCompose(v -> limit.admit(last, scheduler));
  }

  /** Completes when the anchor holds {@code height}; fails after {@code anchorWait}. */
  private CompletableFuture<Void> awaitAnchor(long height) {
    Anchor<H> a = Objects.requireNonNull(anchor);
    CompletableFuture<Void> arrived = a.awaitHeight(height);
    CompletableFuture<Void> result = arrived.handle((v, e) -> {
      if (e != null) {
        throw new SyncException("waiting for the anchor header at " + height + ": " + unwrap(e).getMessage(),
            unwrap(e));
      }
      return v;
    });
    Duration wait = options.anchorWait();
    withTimeout(result, wait, () -> new SyncException("no anchor header at height " + height + " within " + wait
        + " (the anchor's head is " + a.height() + ")"));
    result.whenComplete((v, e) -> arrived.cancel(false)); // frees the store's waiter slot after a timeout
    return result;
  }

  private CompletableFuture<Void> runChecks(List<H> batch) {
    if (extraCheck == null && anchor == null) {
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
      if (anchor != null && !anchor.check(h)) {
        throw new IllegalStateException("the anchor has no header at height " + h.height());
      }
      if (extraCheck != null) {
        extraCheck.check(h);
      }
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
      VerifyException v = new VerifyException(VerifyException.Reason.TYPE_CHECK, "checking header "
          + h.height() + " failed: " + e.getMessage(), false);
      v.initCause(e);
      throw v;
    }
  }

  // ---- helpers ----

  /** Fails {@code f} with {@code error} unless it completes within {@code timeout}. */
  private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout,
      Supplier<SyncException> error) {
    ScheduledFuture<?> t = scheduler.schedule(() -> f.completeExceptionally(error.get()), timeout.toNanos(),
        TimeUnit.NANOSECONDS);
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
    private @Nullable Anchor<H> anchor;
    private @Nullable FollowerLimit followerLimit;

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

    /**
     * Optional: follow {@code anchor} (e.g. the header store, for block data) instead of the network
     * head; every header must match the anchor header at its height. See {@link Anchor}.
     */
    public Builder<H> anchor(Anchor<H> v) {
      anchor = Objects.requireNonNull(v, "anchor == null");
      return this;
    }

    /**
     * Optional: hold fetched batches back so that the store attached to {@code limit} (e.g. block data
     * following these headers) stays within its lead. See {@link FollowerLimit}.
     */
    public Builder<H> followerLimit(FollowerLimit v) {
      followerLimit = Objects.requireNonNull(v, "followerLimit == null");
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
