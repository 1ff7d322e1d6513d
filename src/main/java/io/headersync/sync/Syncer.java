package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.Exchange;
import io.headersync.instrument.Histogram;
import io.headersync.lifecycle.AbstractService;
import io.headersync.store.Store;
import io.headersync.store.StoreFailedException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a store caught up with the network's head: go-header v0.8.6's {@code sync.Syncer}, with a
 * pipelined catch-up.
 *
 * <h2>How it works</h2>
 *
 * <ul>
 *   <li><b>Subjective head</b>: the highest verified header the syncer knows: the highest pending
 *       header (the sync target) or else the store head. When it has <em>expired</em> (older than
 *       the trusting period) the syncer asks the trusted peers for the head ({@code
 *       Exchange.head()}, subjective initialisation) and refuses one that has expired too. When it
 *       is not <em>recent</em> (older than the recency threshold, 3 x block time by default) the
 *       syncer asks the network ({@code Exchange.head(subjectiveHead)}, at most {@code
 *       networkHeadTimeout}); a head that fails verification softly goes through bifurcation. This
 *       runs at {@link #start()}, on {@link #head()} and every {@code headRefreshInterval} ({@code
 *       SubjectiveHead}).
 *   <li><b>Gossip</b> ({@link #incomingHead}): a header at or below the subjective head is known
 *       and ignored; otherwise it is verified against the subjective head ({@link
 *       io.headersync.Verification}: adjacent, or non-adjacent when ahead), checked by the extra
 *       check, and kept in the bounded pending set as the new sync target. A soft failure runs
 *       bifurcation, a hard one rejects.
 *   <li><b>Bifurcation</b> (go-header's {@code verifyBifurcating}): fetch the header halfway
 *       between the subjective head and the candidate; if it verifies against the subjective head
 *       it becomes the new subjective head (and sync target) and the candidate is verified against
 *       it again, otherwise (softly) the distance is halved. It fails when the candidate is
 *       adjacent to the last header that verified ("bifurcation: new head failed").
 *   <li><b>Catch-up</b>: one sync job at a time goes from the store head to the sync target (and on
 *       to a newer target that arrives while it runs; go-header starts a new job per target).
 *       Pending headers adjacent to what was appended are appended directly (after an adjacent link
 *       check); gaps are fetched with {@link Exchange#streamRange}, whose verified batches are
 *       extra-checked on the worker executor and appended while later ones are in flight, with at
 *       most {@code maxAppendsInFlight} batches unfinished (the sink's backpressure). A fetched
 *       header that fails the extra check fails the job and blocks the peer that served it (the
 *       failure names the header's height; see {@link Exchange#streamRange}), so the retry fetches
 *       from the other peers. A failed job is recorded in {@link #syncState()} and retried after a
 *       doubling backoff ({@code SyncJobs}, {@code SyncChecks}).
 * </ul>
 *
 * <h2>Lifecycle</h2>
 *
 * A syncer is a {@link io.headersync.lifecycle.Service}: {@link #start()} and {@link #stop()} are
 * idempotent and asynchronous, {@link #close()} stops and waits, {@link #state()} says where it is
 * in its life (its sync progress is {@link #syncState()}), {@link #failure()} why it failed and
 * {@link #terminated()} completes at its end. It starts once: a stopped syncer stays stopped (build
 * a new one on the same store; it resumes from the store head). A store that fails a write ({@link
 * StoreFailedException}) fails the syncer ({@link io.headersync.lifecycle.Service.State#FAILED}
 * with that cause, also reported by {@link #fatalFailure()}); every other failure is retried.
 *
 * <p>Inside, this facade's parts share one lock ({@code SyncContext}): {@code SubjectiveHead},
 * {@code AnchorFollower}, {@code IncomingQueue}, {@code SyncJobs}, {@code SyncChecks}, {@code
 * TailKeeper}, {@code SyncCounters}, {@code SyncEvents}.
 *
 * <h2>Threads</h2>
 *
 * Verification, the extra check, store appends and listener callbacks run on the worker executor;
 * timers on the scheduler. Futures returned here complete on the worker executor (or are returned
 * already complete); the lifecycle's callback executor is the worker executor too. Nothing runs on
 * a network event loop. Gossip candidates are processed one at a time, in arrival order
 * (go-header's {@code incomingMu}); at most {@code maxPendingHeaders} may wait, beyond that they
 * are ignored.
 *
 * <h2>Where we differ from go-header</h2>
 *
 * <ul>
 *   <li>A gossiped header at or below the subjective head fails with a <em>soft</em> {@code known
 *       header} error (Ignore); go-header's is hard (Reject), which penalises peers for headers
 *       that are merely late.
 *   <li>{@link #incomingHead} before {@link #start()} or after {@link #stop()} fails with a {@link
 *       SyncException} (Ignore); go-header's verifier blocks until the syncer started.
 *   <li>A bifurcation that cannot fetch its candidate fails with a {@link SyncException} (Ignore);
 *       go-header's error is not a {@code VerifyError}, so its validator rejects the gossip.
 *   <li>Catch-up is pipelined across chunks and peers; go-header fetches 64 headers at a time.
 *   <li>Pending headers and queued gossip are bounded; the head is refreshed on a timer.
 *   <li>Tail management (go-header's {@code subjectiveTail}, see {@link SyncerOptions}) runs in the
 *       background, never before syncing: a tail that moves down is back-filled downwards by hash
 *       links while the head is followed (go-header back-fills before it starts syncing), the
 *       window tail is found by binary search on header time (go-header estimates it from the block
 *       time), and pruning deletes in bounded steps. An anchored syncer keeps its tail.
 *   <li>A type that cannot verify non-adjacent pairs ({@link HeaderType#verifiesNonAdjacent()}
 *       false, e.g. ev-node's block data) is never bifurcated: a non-adjacent candidate is ignored
 *       and its height fetched up to and verified adjacently (go-header bisects and fails every
 *       round).
 *   <li>An <em>anchored</em> syncer ({@link Builder#anchor}, see {@link Anchor}) follows another
 *       store of verified headers: its target is the anchor's head, every header must match the
 *       anchor header at its height, gossip ahead of the anchor waits for it ({@code anchorWait}),
 *       and a height the anchor just reached is left to gossip for {@code gossipGrace} unless a
 *       whole batch is missing.
 *   <li>A failed, retried job is logged at DEBUG; the fifth failure in a row at WARN, once.
 * </ul>
 *
 * @param <H> the header type
 *     <p>Why ~650 lines: about half is Javadoc; the work is in its package-private parts (see
 *     "Syncer" in {@code docs/architecture.md}), and what stays here is the public API and the
 *     lifecycle.
 */
public final class Syncer<H extends Header> extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);

  /** The most heights below the tail {@link #fetchBelowTail} walks: 256 requests of 64 headers. */
  public static final long MAX_BELOW_TAIL_DISTANCE = 16_384;

  /** The most {@link #fetchBelowTail} calls running at once. */
  public static final int MAX_BELOW_TAIL_FETCHES = 4;

  private final SyncContext<H> ctx;
  private final SyncJobs<H> jobs;

  /** The subjective head and gossip of an unanchored syncer; null when anchored. */
  private final @Nullable SubjectiveHead<H> heads;

  /** The anchor watch and gossip of an anchored syncer; null when not anchored. */
  private final @Nullable AnchorFollower<H> follower;

  /**
   * The tail (pruning, back-fill); null for an anchored syncer, whose tail follows its anchor's.
   */
  private final @Nullable TailKeeper<H> tail;

  /**
   * Completes when the start settled: the first head is known or not, or the start was cancelled.
   */
  private final CompletableFuture<Void> startDone = new CompletableFuture<>();

  private final CompletableFuture<H> firstHead = new CompletableFuture<>();
  private final CompletableFuture<Void> fatalFailure = new CompletableFuture<>();

  private Syncer(Builder<H> b) {
    super("syncer of " + b.type.name(), b.worker);
    this.ctx = new SyncContext<>(b);
    SyncChecks<H> checks = new SyncChecks<>(ctx);
    IncomingQueue<H> incoming = new IncomingQueue<>(ctx);
    this.tail =
        ctx.anchor != null
            ? null
            : new TailKeeper<>(
                ctx.store,
                ctx.source,
                ctx.verification,
                ctx.options,
                ctx.backoff,
                ctx.worker,
                ctx.scheduler,
                ctx.events::tailMoved,
                this::tailStoreFailed);
    AnchorSightings sightings =
        ctx.anchor == null ? null : new AnchorSightings(ctx.clock, ctx.options.gossipGrace());
    this.jobs = new SyncJobs<>(ctx, checks, tail, sightings, this::fatal);
    this.heads = ctx.anchor != null ? null : new SubjectiveHead<>(ctx, incoming, checks, jobs);
    this.follower =
        ctx.anchor == null
            ? null
            : new AnchorFollower<>(
                ctx, ctx.anchor, incoming, checks, jobs, Objects.requireNonNull(sightings));
  }

  /**
   * A builder for a syncer that keeps {@code store} caught up through {@code exchange}. Required
   * besides: {@link Builder#options}, {@link Builder#scheduler}, {@link Builder#workerExecutor}.
   *
   * @param <H> the header type
   * @param store the store to keep caught up; initialised (not empty) before {@link #start()}
   * @param exchange where headers come from
   * @param type the header type (its verification)
   * @return a builder
   */
  public static <H extends Header> Builder<H> builder(
      Store<H> store, Exchange<H> exchange, HeaderType<H> type) {
    Objects.requireNonNull(exchange, "exchange == null");
    return new Builder<>(store, HeaderSource.of(exchange), type);
  }

  /** A builder over any header source (tests drive the syncer without a network). */
  static <H extends Header> Builder<H> builder(
      Store<H> store, HeaderSource<H> source, HeaderType<H> type) {
    return new Builder<>(store, source, type);
  }

  /**
   * The options in use.
   *
   * @return the options given to the builder
   */
  public SyncerOptions options() {
    return ctx.options;
  }

  /**
   * For an empty store: the header to initialise it with, from the tail options (go-header's {@code
   * subjectiveTail} on an empty store). {@code syncFromHash}: that header, fetched by hash; else
   * {@code syncFromHeight}: the header at that height; else the tail estimated from the trusting
   * period against the network head ({@code head - trustingPeriod / blockTime}, go-header's {@code
   * estimateTailHeight}, never below {@code initialHeight}), so the node never starts from a header
   * that has expired. The header at {@code initialHeight} is asked for first: when it has not
   * expired (a chain younger than the trusting period) it is the tail, and the network head is not
   * needed. The caller appends it and starts the syncer, which syncs up to the head.
   *
   * @param initialHeight the chain's first height (1, or ev-node's genesis initial height)
   * @return the header, unverified but for its hash when asked by hash; fails when no peer gives it
   * @throws IllegalArgumentException if {@code initialHeight} is below 1
   */
  public CompletableFuture<H> initialTail(long initialHeight) {
    return TailKeeper.initialTail(ctx.source, ctx.options, ctx.clock, initialHeight);
  }

  // ---- lifecycle ----

  /**
   * Starts syncing (once, from {@link #start()}): determines the subjective head (see the class
   * comment) and starts catching up. Completes when that first determination settled, either way:
   * if it failed the syncer runs on and retries on its refresh timer ({@link #firstHead()} says
   * why). The start fails with an {@link IllegalStateException} if the store is empty (initialise
   * it first).
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    Optional<H> head = ctx.store.head();
    if (head.isEmpty()) {
      throw new IllegalStateException(
          "store is empty: initialise it with a trusted or genesis header before "
              + "starting the syncer");
    }
    synchronized (ctx) {
      ctx.running = true;
      ctx.state = SyncState.initial(head.get().height());
    }
    if (follower != null) {
      // Anchored: the target is the anchor's height; nothing to ask the network.
      follower.start();
      firstHead.complete(ctx.currentHead());
      return CompletableFuture.completedFuture(null);
    }
    SubjectiveHead<H> h = Objects.requireNonNull(heads);
    if (tail != null) {
      tail.start(); // in the background on the worker: pruning or back-filling never holds the sync
      // up
    }
    h.start()
        .whenComplete(
            (first, e) -> {
              if (e != null) {
                log.info(
                    "{}: the subjective head is not known yet, retrying every {}: {}",
                    name(),
                    ctx.options.headRefreshInterval(),
                    unwrap(e).toString());
                firstHead.completeExceptionally(unwrap(e));
              } else {
                firstHead.complete(first);
              }
              startDone.complete(null);
            });
    return startDone;
  }

  /** A stop while starting: the start stops waiting for the first network head. */
  @Override
  protected void cancelStart() {
    startDone.complete(null);
  }

  /**
   * Stops syncing (called once, by {@link #stop()} or a failure): cancels the running range session
   * and the timers, lets the batches already handed to the store become readable, fails {@link
   * #syncWait()} futures, and waits for the tail work to wind down.
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    SyncJobs.Stopping stopping;
    CompletableFuture<Void> done;
    synchronized (ctx) {
      ctx.running = false;
      stopping = jobs.stopLocked();
      if (heads != null) {
        heads.stopLocked();
      }
      if (follower != null) {
        follower.stopLocked();
      }
      ctx.pending.clear();
      done = stopping.jobDone();
      if (tail != null) {
        tail.stop();
        TailKeeper<H> t = tail;
        done = done.handle((v, e) -> null).thenCompose(v -> t.idle());
      }
    }
    stopping.finish();
    firstHead.completeExceptionally(new SyncException("syncer stopped"));
    return done.handle((v, e) -> null);
  }

  /** A store that failed a write stops the syncer for good: it fails with that cause. */
  private void fatal(StoreFailedException e) {
    synchronized (ctx) {
      ctx.running = false; // nothing new starts while the stop is under way
    }
    notifyFailed(e);
    startDone.completeExceptionally(e);
    fatalFailure.completeExceptionally(e);
  }

  /** The store failed a write while the tail moved: fail as a failed append does. */
  private void tailStoreFailed(StoreFailedException e) {
    if (fatalFailure.isDone()) {
      return;
    }
    log.error(
        "syncing {} stopped: the store failed a write while moving the tail and accepts no more ({}); "
            + "restart once the cause is fixed",
        ctx.typeName(),
        e.getMessage());
    fatal(e);
  }

  /**
   * Fails when the syncer stops on its own because it cannot go on: its store failed a write
   * ({@link StoreFailedException}: the disk is full, an I/O error) and accepts no more. The syncer
   * does not retry such a failure; it ends {@link io.headersync.lifecycle.Service.State#FAILED}
   * with that cause ({@link #failure()}), and whoever runs it should stop the node and say why (the
   * service does). Never completes normally; stays pending after {@link #stop()}.
   *
   * @return a future that fails with the {@link StoreFailedException}
   */
  public CompletableFuture<Void> fatalFailure() {
    return fatalFailure.copy();
  }

  /**
   * The outcome of the first subjective head determination at {@link #start()}: the subjective
   * head, or why it could not be determined (e.g. the store head and the trusted peers' head both
   * expired). A failure does not stop the syncer: it retries on its refresh timer. For an anchored
   * syncer, the store head at start.
   *
   * @return a future that completes once the start asked; fails with a {@link SyncException} if the
   *     syncer stopped before
   */
  public CompletableFuture<H> firstHead() {
    return firstHead.copy();
  }

  /**
   * @return whether the syncer syncs: started and neither stopped nor failed
   */
  public boolean isRunning() {
    synchronized (ctx) {
      return ctx.running;
    }
  }

  // ---- queries ----

  /**
   * The network head as go-header's {@code Syncer.Head}: the subjective head, refreshed from the
   * network first when it is not recent (see the class comment).
   *
   * @return the head; for an anchored syncer the subjective head at once
   */
  public CompletableFuture<H> head() {
    if (heads == null) {
      return CompletableFuture.completedFuture(ctx.currentHead());
    }
    return heads.networkHead();
  }

  /**
   * @return whether this syncer follows an {@link Anchor} (built with {@link Builder#anchor})
   *     instead of the network head
   */
  public boolean isAnchored() {
    return ctx.anchor != null;
  }

  /**
   * The subjective head: the sync target, or the store head when there is none.
   *
   * @return the header
   * @throws IllegalStateException if the store is empty
   */
  public H subjectiveHead() {
    return ctx.currentHead();
  }

  /**
   * The sync progress: the latest sync job's state, with the store's current height. (Called {@code
   * state()} before the syncer became a {@link io.headersync.lifecycle.Service}, whose {@link
   * #state()} is its lifecycle state.)
   *
   * @return a snapshot
   */
  public SyncState syncState() {
    SyncState s;
    synchronized (ctx) {
      s = ctx.state;
    }
    return s.withHeight(ctx.store.height());
  }

  /**
   * A snapshot of the counters.
   *
   * @return the counters now
   */
  public SyncMetrics metrics() {
    return ctx.counters.snapshot(ctx.store, tail);
  }

  /**
   * go-header's syncer histogram {@code hdr_sync_subjective_head_lag_seconds}: how old each new
   * subjective head is when the syncer takes it (its {@link Header#time()} to now). The other,
   * {@code hdr_sync_range_request_time_hist}, is the exchange's ({@code Exchange.histograms()}),
   * where our range requests are made.
   *
   * @return the histogram, live
   */
  public List<Histogram> histograms() {
    return ctx.counters.histograms();
  }

  /**
   * History on demand: the header at {@code height} below the store's tail, fetched from peers and
   * verified by hash links down from the stored tail (header {@code h + 1} names the hash of header
   * {@code h}, and each pair passes the type's adjacent verification). Nothing is stored; at most
   * 64 headers are held at a time, one request per 64 heights. A peer whose answer does not link is
   * blocked through the gater and another peer's answer is used (each request goes to the trusted
   * peers at once; {@link io.headersync.exchange.Exchange#getRangeByHeight(long, int,
   * java.util.function.Function)}). Not for an anchored syncer.
   *
   * @param height the height to fetch, below the tail
   * @return the header; fails when no peer's answer links (every one that sent headers that do not
   *     link is blocked), no peer has it, or {@value #MAX_BELOW_TAIL_FETCHES} fetches already run
   * @throws IllegalArgumentException if {@code height} is not below the tail, or more than {@value
   *     #MAX_BELOW_TAIL_DISTANCE} below it
   * @throws IllegalStateException if the store is empty or the syncer is anchored
   */
  public CompletableFuture<H> fetchBelowTail(long height) {
    if (tail == null) {
      throw new IllegalStateException(
          "an anchored syncer does not fetch below its tail; ask its anchor's syncer");
    }
    return tail.fetchBelowTail(height);
  }

  /**
   * Completes when no tail work (pruning, back-fill, moving to a configured tail) is running; at
   * once for an anchored syncer. For tests and tools that want to see the tail settled.
   *
   * @return a future of the tail being idle
   */
  public CompletableFuture<Void> tailIdle() {
    return tail == null ? CompletableFuture.completedFuture(null) : tail.idle();
  }

  /**
   * @return how many verified headers wait above the store head (the pending set)
   */
  public int pendingCount() {
    synchronized (ctx) {
      return ctx.pending.size();
    }
  }

  /**
   * Completes when the store head reaches the subjective head known now (go-header's {@code
   * SyncWait}); at once if it already has. Fails with a {@link SyncException} when the syncer is
   * not running or stops first. Completes on the worker executor.
   *
   * @return a future of the store reaching today's subjective head
   */
  public CompletableFuture<Void> syncWait() {
    return jobs.syncWait();
  }

  // ---- gossip ----

  /**
   * Processes a header heard on gossip (go-header's {@code incomingNetworkHead}); the subscriber's
   * validator calls it. The future completes normally when the header was accepted (Accept);
   * exceptionally with a {@link VerifyException} when it failed verification (soft: Ignore, e.g. a
   * {@code known header}; hard: Reject) and with another exception when it could not be processed
   * (Ignore), e.g. a {@link SyncException} when the syncer is not running or too many candidates
   * wait.
   *
   * @param header the gossiped header
   * @return the verdict
   */
  public CompletableFuture<Void> incomingHead(H header) {
    Objects.requireNonNull(header, "header == null");
    CompletableFuture<Void> processed =
        follower != null
            ? follower.incoming(header)
            : Objects.requireNonNull(heads).incoming(header);
    return ctx.counters.countGossip(processed);
  }

  /**
   * Builds a {@link Syncer}. {@code build()} names what is missing.
   *
   * @param <H> the header type
   */
  public static final class Builder<H extends Header> {
    final Store<H> store;
    final HeaderSource<H> source;
    final HeaderType<H> type;
    SyncerOptions options;
    Clock clock = Clock.systemUTC();
    ScheduledExecutorService scheduler;
    Executor worker;
    @Nullable HeaderCheck<H> extraCheck;
    SyncListener<H> listener = new SyncListener<>() {};
    @Nullable Anchor<H> anchor;
    @Nullable FollowerLimit followerLimit;

    private Builder(Store<H> store, HeaderSource<H> source, HeaderType<H> type) {
      this.store = Objects.requireNonNull(store, "store == null");
      this.source = Objects.requireNonNull(source, "source == null");
      this.type = Objects.requireNonNull(type, "type == null");
    }

    /**
     * Required: block time and the other settings.
     *
     * @param v the options
     * @return this builder
     */
    public Builder<H> options(SyncerOptions v) {
      options = Objects.requireNonNull(v, "options == null");
      return this;
    }

    /**
     * Default: the system UTC clock.
     *
     * @param v the clock header times are compared with
     * @return this builder
     */
    public Builder<H> clock(Clock v) {
      clock = Objects.requireNonNull(v, "clock == null");
      return this;
    }

    /**
     * Required: runs retries, timeouts and the head refresh. Not shut down by the syncer.
     *
     * @param v the scheduler
     * @return this builder
     */
    public Builder<H> scheduler(ScheduledExecutorService v) {
      scheduler = Objects.requireNonNull(v, "scheduler == null");
      return this;
    }

    /**
     * Required: runs verification, the extra check, store appends and listener callbacks, and
     * completes the syncer's futures (its lifecycle's callback executor). Not shut down by the
     * syncer.
     *
     * @param v the worker executor
     * @return this builder
     */
    public Builder<H> workerExecutor(Executor v) {
      worker = Objects.requireNonNull(v, "workerExecutor == null");
      return this;
    }

    /**
     * Optional: a check every header must pass before it is accepted or appended.
     *
     * @param v the check
     * @return this builder
     */
    public Builder<H> extraCheck(HeaderCheck<H> v) {
      extraCheck = Objects.requireNonNull(v, "extraCheck == null");
      return this;
    }

    /**
     * Optional: follow {@code anchor} (e.g. the header store, for block data) instead of the
     * network head; every header must match the anchor header at its height. See {@link Anchor}.
     *
     * @param v the anchor
     * @return this builder
     */
    public Builder<H> anchor(Anchor<H> v) {
      anchor = Objects.requireNonNull(v, "anchor == null");
      return this;
    }

    /**
     * Optional: hold fetched batches back so that the store attached to {@code limit} (e.g. block
     * data following these headers) stays within its lead. See {@link FollowerLimit}.
     *
     * @param v the limit
     * @return this builder
     */
    public Builder<H> followerLimit(FollowerLimit v) {
      followerLimit = Objects.requireNonNull(v, "followerLimit == null");
      return this;
    }

    /**
     * Optional: progress and metrics callbacks.
     *
     * @param v the listener
     * @return this builder
     */
    public Builder<H> listener(SyncListener<H> v) {
      listener = Objects.requireNonNull(v, "listener == null");
      return this;
    }

    /**
     * Builds the syncer (not started).
     *
     * @return the syncer
     * @throws IllegalStateException naming the missing part
     */
    public Syncer<H> build() {
      if (options == null) {
        throw new IllegalStateException(
            "options not set: Syncer needs SyncerOptions (at least the block time)");
      }
      if (scheduler == null) {
        throw new IllegalStateException(
            "scheduler not set: Syncer needs a ScheduledExecutorService");
      }
      if (worker == null) {
        throw new IllegalStateException(
            "workerExecutor not set: Syncer needs an executor for verification");
      }
      return new Syncer<>(this);
    }
  }
}
