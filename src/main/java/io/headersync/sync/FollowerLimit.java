package io.headersync.sync;

import io.headersync.Header;
import io.headersync.annotation.Nullable;
import io.headersync.store.Store;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a syncer's catch-up back so that a store following it stays within {@code maxLead} heights:
 * an ev-node full node's header syncer waits for its data store, so block data never trails the
 * headers by more than two range batches while both catch up (the data syncer fetches in parallel
 * up to the header syncer's target; see {@link Anchor#withHorizon}).
 *
 * <p>Liveness comes first: a fetched batch waits at most {@code patience} for the follower; when
 * the follower does not get there in time (no peer serves the data, say) the syncer goes on without
 * waiting, logged once at INFO, until the follower is within {@code maxLead} again. Gossip (headers
 * appended one by one) is never held. Thread-safe; the follower is attached once, after it is
 * built.
 */
public final class FollowerLimit {
  private static final Logger log = LoggerFactory.getLogger(FollowerLimit.class);

  private final long maxLead;
  private final Duration patience;
  private volatile @Nullable Store<? extends Header> follower;
  private volatile boolean released;

  /**
   * A limit with no follower yet; {@link #attach} one once it is built.
   *
   * @param maxLead how many heights the syncer may be ahead of the follower; at least 1
   * @param patience how long a batch waits for the follower before the syncer goes on without it
   * @throws IllegalArgumentException if {@code maxLead} is below 1 or {@code patience} is not
   *     positive
   */
  public FollowerLimit(long maxLead, Duration patience) {
    if (maxLead < 1) {
      throw new IllegalArgumentException("maxLead must be at least 1: " + maxLead);
    }
    Objects.requireNonNull(patience, "patience == null");
    if (patience.isNegative() || patience.isZero()) {
      throw new IllegalArgumentException("patience must be positive: " + patience);
    }
    this.maxLead = maxLead;
    this.patience = patience;
  }

  /**
   * Attaches the store that follows (e.g. the data service's store).
   *
   * @param store the follower's store
   * @throws IllegalStateException if one is attached already
   */
  public synchronized void attach(Store<? extends Header> store) {
    Objects.requireNonNull(store, "store == null");
    if (follower != null) {
      throw new IllegalStateException("a follower is attached already");
    }
    follower = store;
  }

  /** {@return how many heights the syncer may be ahead of the follower} */
  public long maxLead() {
    return maxLead;
  }

  /** Completes when a batch ending at {@code height} may be appended. */
  CompletableFuture<Void> admit(long height, ScheduledExecutorService scheduler) {
    Store<? extends Header> f = follower;
    if (f == null) {
      return CompletableFuture.completedFuture(null);
    }
    long needed = height - maxLead;
    long at = f.height();
    if (needed <= at || needed < 1) {
      if (released) {
        released = false;
        log.info(
            "the follower caught up (at {}); holding the sync within {} heights of it again",
            at,
            maxLead);
      }
      return CompletableFuture.completedFuture(null);
    }
    if (released) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> admitted = new CompletableFuture<>();
    CompletableFuture<?> reached = f.awaitHeight(needed);
    reached.whenComplete(
        (v, e) -> admitted.complete(null)); // a closed store or a failure holds nothing back
    java.util.concurrent.ScheduledFuture<?> timer =
        scheduler.schedule(
            () -> {
              if (!admitted.isDone()) {
                released = true;
                log.info(
                    "the follower did not reach {} within {} (it is at {}); syncing on without waiting for it",
                    needed,
                    patience,
                    f.height());
                admitted.complete(null);
                reached.cancel(false);
              }
            },
            patience.toNanos(),
            TimeUnit.NANOSECONDS);
    admitted.whenComplete((v, e) -> timer.cancel(false));
    return admitted;
  }

  @Override
  public String toString() {
    return "FollowerLimit{maxLead=" + maxLead + ", patience=" + patience + "}";
  }
}
