package io.headersync.service;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import io.headersync.internal.Backoff;
import io.headersync.sync.Anchor;
import io.headersync.sync.HeaderCheck;
import io.headersync.sync.SyncerOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initialisation step of a {@link HeaderSyncService}'s start: from the store head; else from
 * the trusted hash, fetched by hash; else (with trusted peers) from the header at the anchor's
 * tail, the pinned tail or the initial height, fetched with retries until the init timeout. It owns
 * the "store initialised" flag that the sequencer's first {@link
 * HeaderSyncService#writeToStoreAndBroadcast} races for ({@link #claim}).
 */
final class StoreInitialiser<H extends Header> {
  /** The service's logger: initialisation logs as the service always did. */
  private static final Logger log = LoggerFactory.getLogger(HeaderSyncService.class);

  /** The initial fetch's retries: 1 s doubling to 10 s, until {@link #initTimeout}. */
  private static final Backoff INIT_BACKOFF =
      Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10));

  private final ServiceParts<H> parts;
  private final String networkId;
  private final @Nullable Hash trustedHash;
  private final long initialHeight;
  private final Duration initTimeout;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;

  /** The service stopped or failed: the retries end. */
  private final BooleanSupplier closing;

  /** Starts the syncer once the store holds a header (idempotent). */
  private final Runnable startSyncer;

  private final AtomicBoolean storeInitialised = new AtomicBoolean();

  StoreInitialiser(
      ServiceParts<H> parts,
      @Nullable Hash trustedHash,
      long initialHeight,
      Duration initTimeout,
      Clock clock,
      ScheduledExecutorService scheduler,
      BooleanSupplier closing,
      Runnable startSyncer) {
    this.parts = parts;
    this.networkId = parts.networkId;
    this.trustedHash = trustedHash;
    this.initialHeight = initialHeight;
    this.initTimeout = initTimeout;
    this.clock = clock;
    this.scheduler = scheduler;
    this.closing = closing;
    this.startSyncer = startSyncer;
  }

  /**
   * Claims the empty store for its first header: true once, for the initialisation or the
   * sequencer's first write, whichever comes first.
   */
  boolean claim() {
    return storeInitialised.compareAndSet(false, true);
  }

  /**
   * Initialises the store and starts the syncer; completes at once when there is nothing to
   * initialise from (empty store, no trusted peers: the sequencer's first header will), or fails
   * with a {@link HeaderSyncException} naming the cause.
   */
  CompletableFuture<Void> initialise() {
    Optional<H> head = parts.store.head();
    Anchor<H> anchor = parts.anchor;
    if (anchor != null && head.isPresent() && head.get().height() > anchor.height()) {
      // E.g. restored from a backup: data for heights without verified headers. Deleting it
      // silently
      // could lose the only copy; the operator decides.
      return CompletableFuture.failedFuture(
          new HeaderSyncException(
              networkId
                  + ": the store's head "
                  + head.get().height()
                  + " is above its anchor's head "
                  + anchor.height()
                  + " (the store it follows, "
                  + "e.g. the header store): restore the anchor store, or move this store away to sync it again"));
    }
    if (head.isPresent()) {
      log.info("{}: resuming from the store head at height {}", networkId, head.get().height());
      storeInitialised.set(true);
      startSyncer.run();
      return CompletableFuture.completedFuture(null);
    }
    if (trustedHash != null) {
      Hash hash = trustedHash;
      return retry("the trusted header " + hash, () -> parts.exchange.get(hash))
          .thenCompose(this::initStore);
    }
    if (parts.trustedPeers.isEmpty()) {
      log.info("{}: empty store and no trusted peers; waiting for the first header", networkId);
      return CompletableFuture.completedFuture(null);
    }
    if (anchor != null) {
      // Start where the anchor starts, with a header checked against it.
      Anchor<H> a = anchor;
      return retry(
              "the header at the anchor's tail",
              () -> {
                long tail = a.tailHeight();
                if (tail == 0) {
                  return CompletableFuture.failedFuture(
                      new HeaderSyncException("the anchor store is empty"));
                }
                return parts
                    .exchange
                    .getByHeight(tail)
                    .thenApply(
                        h -> {
                          if (!a.check(h)) {
                            throw new HeaderSyncException("the anchor has no header at " + tail);
                          }
                          return h;
                        });
              })
          .thenCompose(this::initStore);
    }
    SyncerOptions so = parts.syncer.options();
    if (so.tailPinned()) {
      String what =
          so.syncFromHash()
              .map(h -> "the syncFromHash header " + h)
              .orElse("the header at syncFromHeight " + so.syncFromHeight());
      return retry(what, () -> parts.syncer.initialTail(initialHeight))
          .thenCompose(this::initStore);
    }
    // The header at the initial height, or, when it has expired, go-header's estimate from the
    // trusting period against the network head.
    return retry(
            "the header at the initial height "
                + initialHeight
                + " (or the tail estimated from the trusting "
                + "period when it has expired)",
            () -> parts.syncer.initialTail(initialHeight))
        .thenCompose(this::initStore);
  }

  /** Asks with backoff ({@link #INIT_BACKOFF}) until {@link #initTimeout}. */
  private CompletableFuture<H> retry(String what, Supplier<CompletableFuture<H>> ask) {
    CompletableFuture<H> result = new CompletableFuture<>();
    long deadline = clock.millis() + initTimeout.toMillis();
    attempt(what, ask, result, deadline, 1, null);
    return result;
  }

  private void attempt(
      String what,
      Supplier<CompletableFuture<H>> ask,
      CompletableFuture<H> result,
      long deadline,
      int n,
      @Nullable Throwable last) {
    if (closing.getAsBoolean()) {
      result.completeExceptionally(
          new CancellationException("service stopped while fetching " + what));
      return;
    }
    List<?> trustedPeers = parts.trustedPeers;
    if (clock.millis() >= deadline && n > 1) {
      result.completeExceptionally(
          new HeaderSyncException(
              "no trusted peer "
                  + trustedPeers
                  + " gave "
                  + what
                  + " within "
                  + initTimeout
                  + " ("
                  + (n - 1)
                  + " attempts; last error: "
                  + (last == null ? "none" : unwrap(last).toString())
                  + ")"));
      return;
    }
    ask.get()
        .whenComplete(
            (h, e) -> {
              if (e == null) {
                result.complete(h);
                return;
              }
              if (!trustedPeers.isEmpty()
                  && parts.p2p.gater().blockedPeers().containsAll(trustedPeers)) {
                // Every trusted peer proved itself wrong (e.g. its header fails the proposer
                // check): asking
                // again cannot help.
                result.completeExceptionally(
                    new HeaderSyncException(
                        "every trusted peer "
                            + trustedPeers
                            + " was blocked for an invalid answer while fetching "
                            + what
                            + ": "
                            + unwrap(e).getMessage(),
                        e));
                return;
              }
              long wait =
                  Math.min(
                      INIT_BACKOFF.delay(n).toMillis(), Math.max(0, deadline - clock.millis()));
              log.debug(
                  "{}: fetching {} failed (attempt {}): {}; retrying in {} ms",
                  networkId,
                  what,
                  n,
                  e.toString(),
                  wait);
              scheduler.schedule(
                  () -> attempt(what, ask, result, deadline, n + 1, e),
                  wait,
                  TimeUnit.MILLISECONDS);
            });
  }

  private CompletableFuture<Void> initStore(H first) {
    HeaderCheck<H> extraCheck = parts.extraCheck;
    if (extraCheck != null) {
      try {
        extraCheck.check(first);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(
            new HeaderSyncException(
                "the initial header "
                    + first.height()
                    + " ("
                    + first.hash()
                    + ") from the trusted peers fails the extra check: "
                    + e.getMessage(),
                e));
      }
    }
    if (!claim()) {
      return CompletableFuture.completedFuture(null); // the sequencer's first header won the race
    }
    log.info(
        "{}: initialising the store at height {} ({})", networkId, first.height(), first.hash());
    return parts.store.append(List.of(first)).thenRun(startSyncer);
  }
}
