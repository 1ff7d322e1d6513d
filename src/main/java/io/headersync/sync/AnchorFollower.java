package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an anchored {@link Syncer} ("data follows headers", see {@link Anchor}) hears of new heights:
 * it watches the anchor store with one {@code awaitHeight} at a time (each arrival may start a
 * job), and checks gossip against the anchor. Gossip at or below the anchor's head is checked at
 * once; gossip above it waits (at most {@code anchorWait}, a bounded number at a time, at most
 * {@code maxPendingAhead} above the anchor's head) for its anchor header first. Checked gossip
 * waits in the pending set in any order.
 *
 * @param <H> the header type
 */
final class AnchorFollower<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);

  private final SyncContext<H> ctx;
  private final Anchor<H> anchor;
  private final IncomingQueue<H> incoming;
  private final SyncChecks<H> checks;
  private final SyncJobs<H> jobs;
  private final AnchorSightings sightings;
  // Guarded by ctx.
  private @Nullable CompletableFuture<Void> watch;
  private int waiting;

  AnchorFollower(
      SyncContext<H> ctx,
      Anchor<H> anchor,
      IncomingQueue<H> incoming,
      SyncChecks<H> checks,
      SyncJobs<H> jobs,
      AnchorSightings sightings) {
    this.ctx = ctx;
    this.anchor = anchor;
    this.incoming = incoming;
    this.checks = checks;
    this.jobs = jobs;
    this.sightings = sightings;
  }

  /**
   * At start: what the anchor holds now is old enough to fetch at once; then watches the anchor and
   * starts a job if there is a gap.
   */
  void start() {
    synchronized (ctx) {
      sightings.observe(anchor.height(), ctx.clock.millis() - ctx.options.gossipGrace().toMillis());
    }
    watch();
    synchronized (ctx) {
      jobs.maybeStartJob();
    }
  }

  /** Stops watching the anchor. Lock held. */
  void stopLocked() {
    if (watch != null) {
      watch.cancel(false);
    }
  }

  /**
   * A gossiped header: waits (bounded) for the anchor header at its height, then {@link
   * #processAnchored}. Known heights and heights far above the anchor are ignored.
   */
  CompletableFuture<Void> incoming(H h) {
    long height = h.height();
    synchronized (ctx) {
      if (!ctx.running) {
        return CompletableFuture.failedFuture(new SyncException("syncer is not running"));
      }
    }
    long stored = ctx.store.height();
    if (height <= stored) {
      return CompletableFuture.failedFuture(
          new VerifyException(
              VerifyException.Reason.KNOWN_HEADER,
              "'" + height + "' <= current '" + stored + "'",
              true));
    }
    long anchorHeight = anchor.height();
    if (height <= anchorHeight) {
      return incoming.enqueue(() -> processAnchored(h));
    }
    if (height > anchorHeight + ctx.options.maxPendingAhead()) {
      return CompletableFuture.failedFuture(
          new SyncException(
              "header "
                  + height
                  + " is more than "
                  + ctx.options.maxPendingAhead()
                  + " heights above the anchor's head "
                  + anchorHeight
                  + " (maxPendingAhead)"));
    }
    synchronized (ctx) {
      // A quarter of maxPendingHeaders: the anchor store's waiters are shared with the fetched
      // batches.
      if (waiting >= Math.max(1, ctx.options.maxPendingHeaders() / 4)) {
        return CompletableFuture.failedFuture(
            new SyncException(
                waiting + " headers already wait for their anchor (maxPendingHeaders / 4)"));
      }
      waiting++;
    }
    CompletableFuture<Void> waited = checks.awaitAnchor(height);
    waited.whenComplete(
        (v, e) -> {
          synchronized (ctx) {
            waiting--;
          }
        });
    return waited.thenCompose(v -> incoming.enqueue(() -> processAnchored(h)));
  }

  /**
   * Verifies a gossiped header: adjacently against the header below it when that is stored or
   * pending (go-header's mandatory checks against the store head otherwise), then against its
   * anchor and the extra check; kept as pending until the job appends it. On the worker.
   */
  private CompletableFuture<Void> processAnchored(H h) {
    H prev;
    synchronized (ctx) {
      if (!ctx.running) {
        throw new SyncException("syncer is not running");
      }
      H head = ctx.store.head().orElseThrow(() -> new IllegalStateException("store is empty"));
      if (h.height() <= head.height() || ctx.pending.contains(h.height())) {
        throw new VerifyException(
            VerifyException.Reason.KNOWN_HEADER,
            "'"
                + h.height()
                + "' <= current '"
                + Math.max(head.height(), ctx.pending.contains(h.height()) ? h.height() : 0)
                + "'",
            true);
      }
      H below = ctx.pending.get(h.height() - 1);
      prev = below != null ? below : head;
    }
    try {
      ctx.verification.verify(prev, h);
    } catch (VerifyException e) {
      if (e.reason() != VerifyException.Reason.NON_ADJACENT_UNSUPPORTED) {
        if (!e.isSoft()) {
          log.debug(
              "gossiped {} {} fails against {}: {}",
              ctx.typeName(),
              h.height(),
              prev.height(),
              e.getMessage());
        }
        throw e;
      }
      // Not adjacent: the mandatory checks passed; the link is checked when the gap below is
      // appended.
    }
    return CompletableFuture.runAsync(() -> checks.runCheck(h), ctx.worker)
        .thenRun(
            () -> {
              boolean added;
              synchronized (ctx) {
                added = ctx.running && ctx.pending.addAnchored(h, ctx.store.height());
                if (added) {
                  jobs.maybeStartJob();
                }
              }
              if (added) {
                ctx.events.headChanged(h);
              }
            });
  }

  /** Re-arms the wait for the anchor's next height; each arrival may start a job. */
  private void watch() {
    CompletableFuture<Void> w;
    synchronized (ctx) {
      if (!ctx.running) {
        return;
      }
      w = anchor.awaitHeight(Math.max(sightings.latest(), ctx.store.height()) + 1);
      watch = w;
    }
    w.whenCompleteAsync(
        (v, e) -> {
          synchronized (ctx) {
            if (!ctx.running) {
              return;
            }
            if (e != null) {
              // E.g. too many waiters on the anchor store: look again after a while.
              log.debug(
                  "waiting for the anchor failed, looking again in {}: {}",
                  ctx.options.retryInitialBackoff(),
                  unwrap(e).toString());
              ctx.scheduler.schedule(
                  this::watch, ctx.options.retryInitialBackoff().toNanos(), TimeUnit.NANOSECONDS);
              return;
            }
            sightings.observe(anchor.height(), ctx.clock.millis());
            jobs.maybeStartJob();
          }
          watch();
        },
        ctx.worker);
  }
}
