package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subjective head of an unanchored {@link Syncer} (the highest pending header, else the store
 * head) and how it moves: gossiped candidates verified against it (go-header's {@code
 * incomingNetworkHead}), the network head asked for when it expired or is not recent (go-header's
 * {@code networkHead}, also on a timer), and bifurcation when a candidate fails verification softly
 * (go-header's {@code verifyBifurcating}). A header that passes becomes the sync target: it joins
 * the pending set and may start a job.
 *
 * @param <H> the header type
 */
final class SubjectiveHead<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);

  private final SyncContext<H> ctx;
  private final IncomingQueue<H> incoming;
  private final SyncChecks<H> checks;
  private final SyncJobs<H> jobs;

  /** Whether a network-head refresh runs. Guarded by ctx. */
  private boolean refreshing;

  /** Guarded by ctx. */
  private @Nullable ScheduledFuture<?> refreshTimer;

  /** Whether the last network head answered was not recent (logged once per stretch). */
  private volatile boolean networkHeadStale;

  /** Whether the last network-head request failed (logged once per outage). */
  private volatile boolean headRequestsFailing;

  SubjectiveHead(
      SyncContext<H> ctx, IncomingQueue<H> incoming, SyncChecks<H> checks, SyncJobs<H> jobs) {
    this.ctx = ctx;
    this.incoming = incoming;
    this.checks = checks;
    this.jobs = jobs;
  }

  /** A gossiped candidate, processed after the ones before it. */
  CompletableFuture<Void> incoming(H header) {
    return incoming.enqueue(() -> processIncoming(header));
  }

  /** Verifies {@code h} against the subjective head and makes it the sync target. On the worker. */
  private CompletableFuture<Void> processIncoming(H h) {
    H local;
    synchronized (ctx) {
      if (!ctx.running) {
        throw new SyncException("syncer is not running");
      }
      local = ctx.localHead();
    }
    try {
      ctx.verification.verify(local, h);
    } catch (VerifyException e) {
      if (e.reason() == VerifyException.Reason.KNOWN_HEADER) {
        throw e.asSoft(); // see Syncer's class comment: go-header rejects
      }
      if (e.reason() == VerifyException.Reason.NON_ADJACENT_UNSUPPORTED) {
        // The type cannot judge the candidate from here, and bisecting would fail every round:
        // fetch
        // up to it and verify adjacently. Unverified, so not relayed (Ignore).
        synchronized (ctx) {
          if (h.height() > ctx.hint) {
            ctx.hint = h.height();
            jobs.maybeStartJob();
          }
        }
        throw e;
      }
      if (e.isSoft()) {
        return bifurcate(local, h, e);
      }
      // The subscriber warns with the sender's peer id (rate-limited); the network head path below
      // warns too.
      log.debug(
          "invalid network header {} (subjective head {}): {}",
          h.height(),
          local.height(),
          e.getMessage());
      throw e;
    }
    return checks.checkOne(h).thenRun(() -> setLocalHead(h));
  }

  /**
   * go-header's {@code verifyBifurcating}: finds a header between {@code subj} and {@code
   * candidate} that verifies against {@code subj} and that {@code candidate} verifies against.
   */
  private CompletableFuture<Void> bifurcate(H subj, H candidate, VerifyException first) {
    ctx.counters.bifurcations.incrementAndGet();
    log.info("bifurcation: verifying new head {}", candidate.height());
    return bifurcateStep(subj, candidate, candidate.height() - subj.height(), first);
  }

  private CompletableFuture<Void> bifurcateStep(
      H subj, H candidate, long diff, VerifyException last) {
    if (diff <= 1) {
      ctx.counters.failedBifurcations.incrementAndGet();
      log.warn("bifurcation: confirmed new head {} as invalid", candidate.height());
      return CompletableFuture.failedFuture(
          new VerifyException(
              last.reason(),
              "bifurcation: new head failed: "
                  + (last.detail().isEmpty() ? last.reason().text() : last.detail()),
              last.isSoft()));
    }
    long middle = subj.height() + diff / 2;
    return ctx.source
        .getByHeight(middle)
        .handle(
            (mid, err) -> {
              if (err != null) {
                throw new SyncException(
                    "bifurcation: getting candidate subjective head ("
                        + middle
                        + "): "
                        + unwrap(err).getMessage(),
                    unwrap(err));
              }
              return mid;
            })
        .thenComposeAsync(
            mid -> {
              try {
                ctx.verification.verify(subj, mid);
              } catch (VerifyException e) {
                log.debug(
                    "bifurcation: candidate subjective head {} failed: {}", middle, e.getMessage());
                if (!e.isSoft()) {
                  throw e;
                }
                return bifurcateStep(subj, candidate, diff / 2, e);
              }
              return checks
                  .checkOne(mid)
                  .thenCompose(
                      v -> {
                        log.info("bifurcation: found new subjective head {}", mid.height());
                        setLocalHead(mid);
                        try {
                          ctx.verification.verify(mid, candidate);
                        } catch (VerifyException e) {
                          return bifurcateStep(
                              mid, candidate, candidate.height() - mid.height(), e);
                        }
                        log.info("bifurcation: confirmed new head {}", candidate.height());
                        return checks.checkOne(candidate).thenRun(() -> setLocalHead(candidate));
                      });
            },
            ctx.worker);
  }

  /** Makes an already verified header the sync target (go-header's {@code setLocalHead}). */
  private void setLocalHead(H h) {
    boolean changed;
    synchronized (ctx) {
      if (!ctx.running || h.height() <= ctx.store.height()) {
        return;
      }
      int evicted = ctx.pending.add(h, ctx.store.height());
      changed = evicted >= 0;
      if (evicted > 0) {
        ctx.counters.pendingEvicted.addAndGet(evicted);
      }
    }
    if (changed) {
      ctx.counters.recordHeadLag(h, ctx.clock);
      ctx.events.headChanged(h);
      synchronized (ctx) {
        jobs.maybeStartJob();
      }
    }
  }

  // ---- network head ----

  /** The timer's refresh: asks for the network head unless a refresh runs or the syncer stopped. */
  private void refresh() {
    synchronized (ctx) {
      if (!ctx.running || refreshing) {
        return;
      }
      refreshing = true;
    }
    networkHead()
        .whenComplete(
            (h, err) -> {
              synchronized (ctx) {
                refreshing = false;
              }
              if (err != null) {
                log.debug("network head refresh failed: {}", unwrap(err).getMessage());
              }
            });
  }

  /**
   * At start: arms the refresh timer (every {@code headRefreshInterval}) and refreshes at once.
   *
   * @return the first refresh's outcome: the syncer's first head
   */
  CompletableFuture<H> start() {
    long refreshNanos = ctx.options.headRefreshInterval().toNanos();
    synchronized (ctx) {
      refreshTimer =
          ctx.scheduler.scheduleWithFixedDelay(
              this::refresh, refreshNanos, refreshNanos, TimeUnit.NANOSECONDS);
      refreshing = true;
    }
    return networkHead()
        .whenComplete(
            (h, err) -> {
              synchronized (ctx) {
                refreshing = false;
              }
            });
  }

  /** Stops the refresh timer. Lock held. */
  void stopLocked() {
    if (refreshTimer != null) {
      refreshTimer.cancel(false);
    }
  }

  /** go-header's {@code networkHead}: the subjective head, refreshed when expired or not recent. */
  CompletableFuture<H> networkHead() {
    H subj = ctx.currentHead();
    Instant now = ctx.clock.instant();
    if (ctx.isExpired(subj, now)) {
      ctx.counters.subjectiveInits.incrementAndGet();
      log.info("subjective head {} expired, initialising from trusted peers", subj.height());
      return ctx.source
          .head()
          .thenComposeAsync(
              nh -> {
                if (ctx.isExpired(nh, ctx.clock.instant())) {
                  ctx.counters.trustedPeersOutOfSync.incrementAndGet();
                  throw new SyncException(
                      "subjective initialisation with header("
                          + nh.height()
                          + ") expired for "
                          + Duration.between(
                              nh.time().plus(ctx.options.trustingPeriod()), ctx.clock.instant())
                          + "; trusted peers are out of sync");
                }
                return incoming
                    .enqueue(() -> processIncoming(nh))
                    .handle((v, e) -> ctx.currentHead());
              },
              ctx.worker);
    }
    if (ctx.isRecent(subj, now)) {
      return CompletableFuture.completedFuture(subj);
    }
    ctx.counters.outdatedHead.incrementAndGet();
    log.debug("subjective head {} is not recent, requesting the network head", subj.height());
    Duration headTimeout = ctx.options.networkHeadTimeout();
    return ctx.withTimeout(
            ctx.source.head(subj),
            headTimeout,
            () -> new SyncException("no network head within " + headTimeout))
        .handleAsync(
            (res, err) -> {
              if (err != null) {
                // Once per outage at info (a sequencer without peers would log it every refresh).
                if (!headRequestsFailing) {
                  headRequestsFailing = true;
                  log.info(
                      "requesting the network head failed, using the subjective head {}: {}",
                      subj.height(),
                      unwrap(err).getMessage());
                } else {
                  log.debug(
                      "requesting the network head failed again: {}", unwrap(err).getMessage());
                }
                return CompletableFuture.completedFuture(subj);
              }
              if (headRequestsFailing) {
                headRequestsFailing = false;
                log.info("the network head is answered again");
              }
              H nh = res.header();
              if (!ctx.isRecent(nh, ctx.clock.instant())) {
                ctx.counters.trustedPeersOutOfSync.incrementAndGet();
                // A chain that makes no blocks for a while (ev-node's lazy mode, a paused
                // sequencer) is not
                // a fault: said once per stretch at info, as go-header's syncer does at warn on
                // every call.
                if (!networkHeadStale) {
                  networkHeadStale = true;
                  log.info(
                      "network head {} is not recent either: no newer block is known (trusted peers out of sync, "
                          + "or the chain makes no blocks)",
                      nh.height());
                }
              } else {
                networkHeadStale = false;
              }
              if (res.softFailure().isPresent()) {
                return incoming
                    .enqueue(() -> processIncoming(nh))
                    .handle((v, e) -> ctx.currentHead());
              }
              if (nh.height() <= subj.height()) {
                return CompletableFuture.completedFuture(subj);
              }
              // Verified by the exchange against the subjective head; the extra check still
              // applies.
              return incoming
                  .enqueue(() -> checks.checkOne(nh).thenRun(() -> setLocalHead(nh)))
                  .handle(
                      (v, e) -> {
                        if (e != null) {
                          log.warn(
                              "network head {} rejected: {}", nh.height(), unwrap(e).getMessage());
                        }
                        return ctx.currentHead();
                      });
            },
            ctx.worker)
        .thenCompose(f -> f);
  }
}
