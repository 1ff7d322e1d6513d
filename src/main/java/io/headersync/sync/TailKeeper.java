package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.internal.Backoff;
import io.headersync.store.Store;
import io.headersync.store.StoreFailedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The syncer's tail: go-header v0.8.6's {@code subjectiveTail} ({@code renewTail} and {@code
 * moveTail}) and pruning as the head advances, over our {@link Store}.
 *
 * <ul>
 *   <li><b>At start</b> the configured tail is resolved: {@code syncFromHash} (the store first,
 *       then the network by hash), else {@code syncFromHeight} (the store, then the network), else,
 *       with a pruning window, the lowest stored header inside the window; a tail already inside it
 *       is kept (go-header does not back-fill for a wider window either). A tail that moved up is
 *       pruned to; one that moved down is back-filled.
 *   <li><b>Pruning</b> (window set, tail not pinned by {@code syncFromHash}/{@code
 *       syncFromHeight}): after each appended batch, when the tail's time is older than the head's
 *       time minus the window, the new tail is found by binary search on header time in the store
 *       (exact, O(log n) reads; go-header estimates from the block time and scans forward) and
 *       deleted up to in steps of at most {@code StoreOptions.maxDeleteHeaders}, each its own store
 *       write, so appends go on in between.
 *   <li><b>Back-fill</b> downwards from the current tail in requests of 64 headers, eight in
 *       flight, each verified by hash links from the header above it (header {@code h + 1} names
 *       the hash of header {@code h}) and by the type's adjacent verification, then {@link
 *       Store#prepend prepended} in order. The check runs on each peer's answer inside the exchange
 *       request: a peer whose headers do not link is blocked through the gater (as for any provably
 *       wrong answer) and another peer's answer is used.
 *   <li><b>History on demand</b> ({@link #fetchBelowTail}): a header below the tail, walked down to
 *       by hash links, nothing stored; bounded in distance and in concurrent walks.
 *   <li><b>The initial tail</b> of an empty store ({@link #initialTail}), before the syncer starts.
 * </ul>
 *
 * <p>A failure is retried after the syncer's {@link Backoff} (the one its jobs use: the delay
 * before retry n of a streak is {@code backoff.delay(n)}, a success ends the streak), except a
 * {@link StoreFailedException} (the disk is full): that stops the syncer as a failed append does.
 *
 * <p>One piece of tail work at a time (go-header's {@code tailMu.TryLock}): a prune requested while
 * one runs is skipped and done after it. Never blocks the sync: everything is asynchronous on the
 * worker executor, the store's writer interleaves it with appends.
 *
 * <p>Why ~640 lines: go-header's subjective tail (moving the tail, pruning, back-fill by hash
 * links) as one job on the syncer's worker; its three tasks share the tail pointer, the retry
 * streak and the busy/idle state; split apart, they would share that state with no owner.
 */
final class TailKeeper<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(TailKeeper.class);

  /** Headers per back-fill request: one header-ex range request. */
  static final int BACKFILL_BATCH = ExchangeProtocol.MAX_RANGE_REQUEST_SIZE;

  /**
   * Back-fill requests in flight at once: one at a time left both sides idle half of each round
   * trip (about go-header's full-sync rate); eight keep a server busy without queueing at its
   * limits.
   */
  static final int BACKFILL_DEPTH = 8;

  private final Store<H> store;
  private final HeaderSource<H> source;
  private final Verification<H> verification;
  private final SyncerOptions options;
  private final Executor worker;
  private final ScheduledExecutorService scheduler;
  private final Consumer<H> tailMoved;
  private final Consumer<StoreFailedException> storeFailed;
  private final Backoff backoff;
  private final Semaphore belowTailFetches = new Semaphore(Syncer.MAX_BELOW_TAIL_FETCHES);

  final AtomicLong pruned = new AtomicLong();
  final AtomicLong backfilled = new AtomicLong();

  // Guarded by this.
  private boolean busy;
  private boolean pruneAgain;
  private boolean stopped;
  private CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);

  /** Failed attempts in a row; the retry after failure n waits {@code backoff.delay(n)}. */
  private int failures;

  TailKeeper(
      Store<H> store,
      HeaderSource<H> source,
      Verification<H> verification,
      SyncerOptions options,
      Backoff backoff,
      Executor worker,
      ScheduledExecutorService scheduler,
      Consumer<H> tailMoved,
      Consumer<StoreFailedException> storeFailed) {
    this.store = store;
    this.source = source;
    this.verification = verification;
    this.options = options;
    this.worker = worker;
    this.scheduler = scheduler;
    this.tailMoved = tailMoved;
    this.storeFailed = storeFailed;
    this.backoff = backoff;
  }

  /**
   * For an empty store: the header to initialise it with (see {@link Syncer#initialTail}).
   *
   * @param initialHeight the chain's first height, at least 1
   * @return the header, unverified but for its hash when asked by hash
   */
  static <H extends Header> CompletableFuture<H> initialTail(
      HeaderSource<H> source, SyncerOptions options, Clock clock, long initialHeight) {
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
    return source
        .getByHeight(initialHeight)
        .thenCompose(
            first -> {
              if (!first.time().plus(options.trustingPeriod()).isBefore(clock.instant())) {
                return CompletableFuture.completedFuture(first);
              }
              return source
                  .head()
                  .thenCompose(
                      head -> {
                        long height =
                            head.height() - retain <= initialHeight
                                ? initialHeight
                                : head.height() - retain;
                        return height >= head.height()
                            ? CompletableFuture.completedFuture(head)
                            : source.getByHeight(height);
                      });
            });
  }

  /** Completes when no tail work runs (for tests and {@code stop}). */
  synchronized CompletableFuture<Void> idle() {
    return idle.copy();
  }

  synchronized void stop() {
    stopped = true;
  }

  /**
   * At start: resolves the configured tail and moves the store's tail to it, in the background on
   * the worker. The work is claimed before this returns, so {@link #idle()} asked after it waits
   * for it.
   */
  void start() {
    if (!begin()) {
      return;
    }
    try {
      worker.execute(this::moveToConfigured);
    } catch (RejectedExecutionException e) {
      log.debug("not moving the tail: the worker is shut down");
      stop();
      finish(null, "moving the tail to the configured one");
    }
  }

  private void moveToConfigured() {
    CompletableFuture<Void> work;
    try {
      H oldTail = store.tail().orElseThrow(() -> new IllegalStateException("store is empty"));
      H head = store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
      work = renew(oldTail, head).thenComposeAsync(newTail -> move(oldTail, newTail, head), worker);
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    work.whenComplete((v, e) -> finish(e, "moving the tail to the configured one"));
  }

  /**
   * After an append: prunes below the window when the tail left it (one bounded step at a time).
   */
  void headAdvanced() {
    if (options.tailPinned() || options.pruningWindow().isZero()) {
      return;
    }
    Optional<H> tail = store.tail();
    Optional<H> head = store.head();
    if (tail.isEmpty() || head.isEmpty() || !tail.get().time().isBefore(cutoff(head.get()))) {
      return; // the tail is inside the window: the common case, two reads of the published bounds
    }
    synchronized (this) {
      if (busy) {
        pruneAgain = true;
        return;
      }
    }
    if (!begin()) {
      return;
    }
    CompletableFuture<Void> work;
    try {
      work = pruneTo(windowTailHeight(tail.get(), head.get()), false);
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    work.whenComplete((v, e) -> finish(e, "pruning below the window"));
  }

  private synchronized boolean begin() {
    if (busy || stopped) {
      return false;
    }
    busy = true;
    pruneAgain = false;
    if (idle.isDone()) {
      idle = new CompletableFuture<>(); // else a follow-up step: the same idle future
    }
    return true;
  }

  private void finish(@Nullable Throwable err, String what) {
    boolean again;
    boolean wasStopped;
    synchronized (this) {
      busy = false;
      again = pruneAgain && !stopped;
      pruneAgain = false;
      wasStopped = stopped;
    }
    StoreFailedException failedStore = err == null ? null : storeFailure(err);
    if (failedStore != null && !wasStopped) {
      storeFailed.accept(failedStore); // the syncer stops: no retry (a full disk stays full)
    } else if (err != null && !wasStopped) {
      Throwable cause = unwrap(err);
      Duration retryIn;
      boolean first;
      synchronized (this) {
        failures++;
        retryIn = backoff.delay(failures);
        first = failures == 1;
      }
      // Once per streak at WARN (a tail no peer serves would otherwise warn every 30 s).
      if (first) {
        log.warn("{} failed, retrying in {}: {}", what, retryIn, cause.getMessage());
      } else {
        log.debug("{} failed again, retrying in {}: {}", what, retryIn, cause.getMessage());
      }
      try {
        scheduler.schedule(this::start, retryIn.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        log.debug("not retrying the tail: the scheduler is shut down");
      }
    } else if (err == null) {
      synchronized (this) {
        failures = 0;
      }
    }
    if (again && err == null) {
      headAdvanced(); // the next step, under the same idle future
    }
    CompletableFuture<Void> done;
    synchronized (this) {
      done = busy ? null : idle;
    }
    if (done != null) {
      done.complete(null);
    }
  }

  private static @Nullable StoreFailedException storeFailure(Throwable t) {
    return SyncJobs.storeFailure(t);
  }

  // ---- go-header's renewTail ----

  private CompletableFuture<H> renew(H oldTail, H head) {
    Optional<Hash> hash = options.syncFromHash();
    if (hash.isPresent()) {
      if (oldTail.hash().equals(hash.get())) {
        return CompletableFuture.completedFuture(oldTail);
      }
      Optional<H> stored = store.get(hash.get());
      if (stored.isPresent()) {
        return CompletableFuture.completedFuture(stored.get());
      }
      log.debug("tail {} not stored, fetching it", hash.get());
      return source
          .get(hash.get())
          .thenApply(
              h -> {
                if (!h.hash().equals(hash.get())) {
                  throw new SyncException(
                      "asked for the syncFromHash tail " + hash.get() + ", got " + h.hash());
                }
                return h;
              });
    }
    long height;
    if (options.syncFromHeight() > 0) {
      height = options.syncFromHeight();
    } else if (!options.pruningWindow().isZero()) {
      height = windowTailHeight(oldTail, head);
    } else {
      return CompletableFuture.completedFuture(oldTail);
    }
    if (height == oldTail.height()) {
      return CompletableFuture.completedFuture(oldTail);
    }
    Optional<H> stored = height <= store.height() ? store.getByHeight(height) : Optional.empty();
    if (stored.isPresent()) {
      return CompletableFuture.completedFuture(stored.get());
    }
    log.debug("tail height {} not stored, fetching it", height);
    return source.getByHeight(height);
  }

  private Instant cutoff(H head) {
    return head.time().minus(options.pruningWindow());
  }

  /**
   * The lowest stored height whose header is inside the window (time at or after the head's time
   * minus the window); the old tail when it is inside already. Binary search: header times never go
   * back along a verified chain.
   */
  private long windowTailHeight(H oldTail, H head) {
    Instant cutoff = cutoff(head);
    if (!oldTail.time().isBefore(cutoff)) {
      return oldTail.height();
    }
    long lo = oldTail.height() + 1; // the answer is in [lo, head]: the head is inside the window
    long hi = head.height();
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      Optional<H> h = store.getByHeight(mid);
      if (h.isEmpty()) {
        lo = mid + 1; // pruned under us meanwhile; only we prune, so this is a race with a restart
      } else if (h.get().time().isBefore(cutoff)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ---- go-header's moveTail ----

  private CompletableFuture<Void> move(H oldTail, H newTail, H head) {
    if (newTail.height() == oldTail.height()) {
      return CompletableFuture.completedFuture(null);
    }
    if (newTail.height() > head.height()) {
      throw new SyncException(
          "the configured tail "
              + newTail.height()
              + " ("
              + newTail.hash()
              + ") is above the store's head "
              + head.height()
              + ": lower syncFromHeight/syncFromHash, or move the store "
              + "away to start from the new tail");
    }
    if (newTail.height() > oldTail.height()) {
      log.info(
          "moving the tail up from {} to {}, pruning the headers below",
          oldTail.height(),
          newTail.height());
      return pruneTo(newTail.height(), true);
    }
    log.info(
        "moving the tail down from {} to {}, back-filling the headers in between",
        oldTail.height(),
        newTail.height());
    Hash expect = options.syncFromHash().isPresent() ? newTail.hash() : null;
    return backfill(oldTail, newTail.height(), expect);
  }

  /** Deletes up to {@code target} in bounded steps; with {@code all} false, one step only. */
  private CompletableFuture<Void> pruneTo(long target, boolean all) {
    long before = store.tail().map(Header::height).orElse(0L);
    if (target <= before) {
      return CompletableFuture.completedFuture(null);
    }
    return store
        .deleteTo(target)
        .thenComposeAsync(
            reached -> {
              pruned.addAndGet(reached - before);
              store.tail().ifPresent(tailMoved);
              synchronized (this) {
                if (stopped) {
                  return CompletableFuture.completedFuture(null);
                }
                if (!all && reached < target) {
                  pruneAgain = true; // more to prune: the next step after this one finishes
                }
              }
              return all && reached < target
                  ? pruneTo(target, true)
                  : CompletableFuture.<Void>completedFuture(null);
            },
            worker);
  }

  /**
   * Back-fills from {@code upper} (stored, trusted) down to {@code target}: requests of at most 64
   * headers, {@value #BACKFILL_DEPTH} in flight, each answer checked against the header above it
   * once that one is checked, then prepended in order. With {@code expect} the header at {@code
   * target} must have that hash.
   */
  private CompletableFuture<Void> backfill(H upper, long target, @Nullable Hash expect) {
    return new Backfill(upper, target, expect).next();
  }

  /**
   * One back-fill: a window of requests below the stored tail. The check of a batch waits for the
   * lowest header of the batch above it to be checked, and runs inside the batch's request, so a
   * batch that does not link still blames the peer that sent it. Only the worker runs {@link #next}
   * (one call at a time, each after the previous prepend), so the fields need no lock.
   */
  private final class Backfill {
    private final long target;
    private final @Nullable Hash expect;
    private final ArrayDeque<CompletableFuture<List<H>>> inFlight = new ArrayDeque<>();

    /** The lowest header of the last batch requested, once its batch is checked. */
    private CompletableFuture<H> lowestChecked;

    /** Requests go below this height. */
    private long nextTop;

    Backfill(H upper, long target, @Nullable Hash expect) {
      this.target = target;
      this.expect = expect;
      this.lowestChecked = CompletableFuture.completedFuture(upper);
      this.nextTop = upper.height();
    }

    CompletableFuture<Void> next() {
      synchronized (TailKeeper.this) {
        if (stopped) {
          return CompletableFuture.completedFuture(null);
        }
      }
      while (inFlight.size() < BACKFILL_DEPTH && nextTop > target) {
        long from = Math.max(target, nextTop - BACKFILL_BATCH);
        CompletableFuture<H> above = lowestChecked;
        Hash expectLowest = from == target ? expect : null;
        CompletableFuture<List<H>> batch =
            source.getRangeByHeight(
                from,
                (int) (nextTop - from),
                list ->
                    above.handle(
                        (upper, err) -> {
                          if (err != null) { // blames no peer: this answer was not looked at
                            throw new SyncException(
                                "back-fill: the batch above "
                                    + (list.get(list.size() - 1).height() + 1)
                                    + " failed: "
                                    + unwrap(err).getMessage(),
                                unwrap(err));
                          }
                          checkLinks(list, upper, expectLowest);
                          return null;
                        }));
        lowestChecked = batch.thenApply(list -> list.get(0));
        inFlight.add(batch);
        nextTop = from;
      }
      CompletableFuture<List<H>> oldest = inFlight.poll();
      if (oldest == null) {
        return CompletableFuture.completedFuture(null);
      }
      return oldest
          .thenComposeAsync(list -> store.prepend(list).thenApply(v -> list), worker)
          .thenComposeAsync(
              list -> {
                backfilled.addAndGet(list.size());
                tailMoved.accept(list.get(0));
                return next();
              },
              worker);
    }
  }

  /**
   * History on demand (see {@link Syncer#fetchBelowTail}): checks the bounds, then walks down.
   *
   * @throws IllegalArgumentException if {@code height} is not below the tail, or too far below it
   * @throws IllegalStateException if the store is empty
   */
  CompletableFuture<H> fetchBelowTail(long height) {
    H t = store.tail().orElseThrow(() -> new IllegalStateException("store is empty"));
    if (height < 1 || height >= t.height()) {
      throw new IllegalArgumentException(
          "height " + height + " is not below the tail " + t.height());
    }
    if (t.height() - height > Syncer.MAX_BELOW_TAIL_DISTANCE) {
      throw new IllegalArgumentException(
          "height "
              + height
              + " is "
              + (t.height() - height)
              + " below the tail "
              + t.height()
              + ", more than "
              + Syncer.MAX_BELOW_TAIL_DISTANCE
              + "; lower syncFromHeight to keep that history");
    }
    if (!belowTailFetches.tryAcquire()) {
      return CompletableFuture.failedFuture(
          new SyncException(
              Syncer.MAX_BELOW_TAIL_FETCHES
                  + " fetches below the tail already run; try again when one finished"));
    }
    CompletableFuture<H> f;
    try {
      f = walkDown(t, height);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.whenComplete((h, e) -> belowTailFetches.release());
  }

  /**
   * The header at {@code height} below the tail, fetched from peers and verified by hash links down
   * from the stored tail, without storing anything: 64 headers in memory at a time, one request per
   * 64 heights. Bounded by {@link #fetchBelowTail}.
   */
  private CompletableFuture<H> walkDown(H upper, long height) {
    synchronized (this) {
      if (stopped) {
        return CompletableFuture.failedFuture(new SyncException("syncer stopped"));
      }
    }
    long from = Math.max(height, upper.height() - BACKFILL_BATCH);
    int amount = (int) (upper.height() - from);
    return source
        .getRangeByHeight(
            from,
            amount,
            list -> {
              checkLinks(list, upper, null);
              return CompletableFuture.completedFuture(null);
            })
        .thenComposeAsync(
            list ->
                from == height
                    ? CompletableFuture.completedFuture(list.get(0))
                    : walkDown(list.get(0), height),
            worker);
  }

  /**
   * Checks one peer's answer downwards from the trusted {@code upper}: each header's hash is the
   * last header hash the one above names, and each pair passes the type's adjacent verification.
   * Runs inside the exchange's request, so a header that does not link blames the peer that sent
   * it.
   *
   * @throws VerifyException (hard, naming the height) when a header is not the one the trusted
   *     header above links to: the peer is blocked and another peer's answer is used
   * @throws SyncException when the headers link but fail the type's verification, or the lowest is
   *     not the configured {@code syncFromHash}: the chain we trust says so, not the peer
   */
  private void checkLinks(List<H> list, H upper, @Nullable Hash expectLowest) {
    H above = upper;
    for (int i = list.size() - 1; i >= 0; i--) {
      H h = list.get(i);
      if (h.height() != above.height() - 1 || !h.hash().equals(above.lastHeaderHash())) {
        throw new VerifyException(
            VerifyException.Reason.TYPE_CHECK,
            "below the tail: header "
                + h.height()
                + " ("
                + h.hash()
                + ") is not the one header "
                + above.height()
                + " links to ("
                + above.lastHeaderHash()
                + ")",
            false,
            h.height());
      }
      try {
        verification.verify(h, above);
      } catch (VerifyException e) {
        // h is the header our trusted chain names by hash: not a peer's lie, our chain breaks a
        // rule.
        throw new SyncException(
            "below the tail: header "
                + above.height()
                + " does not verify against header "
                + h.height()
                + " it links to: "
                + e.getMessage(),
            e);
      }
      above = h;
    }
    if (expectLowest != null && !list.get(0).hash().equals(expectLowest)) {
      throw new SyncException(
          "back-fill: header "
              + list.get(0).height()
              + " has hash "
              + list.get(0).hash()
              + ", not the configured syncFromHash "
              + expectLowest
              + " (it is on another chain than the stored tail)");
    }
  }
}
