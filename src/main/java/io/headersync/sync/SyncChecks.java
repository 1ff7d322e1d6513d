package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.VerifyException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The checks a {@link Syncer} runs on headers besides the type's verification: the optional extra
 * check (e.g. the proposer signature) and, for an anchored syncer, the check against the anchor
 * header at the same height. A fetched batch is checked in parallel parts on the worker executor,
 * once the anchor holds its heights, and then held back by the follower limit if there is one.
 *
 * @param <H> the header type
 */
final class SyncChecks<H extends Header> {
  private final SyncContext<H> ctx;

  SyncChecks(SyncContext<H> ctx) {
    this.ctx = ctx;
  }

  /** Whether there is anything to check besides verification. */
  private boolean none() {
    return ctx.extraCheck == null && ctx.anchor == null;
  }

  /** The checks of one header, on the worker. */
  CompletableFuture<Void> checkOne(H h) {
    if (none()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> runCheck(h), ctx.worker);
  }

  /**
   * The checks of a fetched batch: when anchored, once the anchor holds the batch's heights (it may
   * be fetched ahead of the anchor, up to its horizon; at most {@code anchorWait}); then the anchor
   * and extra checks in parallel parts; then, with a follower limit, until the follower is close
   * enough.
   */
  CompletableFuture<Void> checkBatch(List<H> batch) {
    long last = batch.get(batch.size() - 1).height();
    Anchor<H> anchor = ctx.anchor;
    CompletableFuture<Void> ready =
        anchor == null || anchor.height() >= last
            ? CompletableFuture.completedFuture(null)
            : awaitAnchor(last);
    CompletableFuture<Void> checked = ready.thenCompose(v -> runChecks(batch));
    FollowerLimit limit = ctx.followerLimit;
    return limit == null ? checked : checked.thenCompose(v -> limit.admit(last, ctx.scheduler));
  }

  /** Completes when the anchor holds {@code height}; fails after {@code anchorWait}. */
  CompletableFuture<Void> awaitAnchor(long height) {
    Anchor<H> a = Objects.requireNonNull(ctx.anchor);
    CompletableFuture<Void> arrived = a.awaitHeight(height);
    CompletableFuture<Void> result =
        arrived.handle(
            (v, e) -> {
              if (e != null) {
                throw new SyncException(
                    "waiting for the anchor header at " + height + ": " + unwrap(e).getMessage(),
                    unwrap(e));
              }
              return v;
            });
    Duration wait = ctx.options.anchorWait();
    ctx.withTimeout(
        result,
        wait,
        () ->
            new SyncException(
                "no anchor header at height "
                    + height
                    + " within "
                    + wait
                    + " (the anchor's head is "
                    + a.height()
                    + ")"));
    result.whenComplete(
        (v, e) -> arrived.cancel(false)); // frees the store's waiter slot after a timeout
    return result;
  }

  private CompletableFuture<Void> runChecks(List<H> batch) {
    if (none()) {
      return CompletableFuture.completedFuture(null);
    }
    int parts = Math.min(ctx.options.checkParallelism(), batch.size());
    CompletableFuture<?>[] fs = new CompletableFuture<?>[parts];
    int size = (batch.size() + parts - 1) / parts;
    for (int i = 0; i < parts; i++) {
      List<H> part =
          batch.subList(Math.min(i * size, batch.size()), Math.min((i + 1) * size, batch.size()));
      fs[i] = CompletableFuture.runAsync(() -> part.forEach(this::runCheck), ctx.worker);
    }
    return CompletableFuture.allOf(fs);
  }

  /**
   * Runs the anchor and extra checks on {@code h}. A {@link VerifyException} from them becomes a
   * hard one naming {@code h}'s height: failing a range session's sink with it blocks the peer that
   * served {@code h} ({@code Exchange.streamRange}); on gossip the height changes nothing. Any
   * other exception is a broken check, not a bad header: it fails the job as a hard failure without
   * a height, blaming no peer.
   */
  void runCheck(H h) {
    Anchor<H> anchor = ctx.anchor;
    HeaderCheck<H> extraCheck = ctx.extraCheck;
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
      // Not a verdict on the header but a check that broke: fail the job, blame no peer (a bug in
      // the
      // check must not block every honest peer one retry after the other).
      VerifyException v =
          new VerifyException(
              VerifyException.Reason.TYPE_CHECK,
              "checking header " + h.height() + " failed: " + e.getMessage(),
              false);
      v.initCause(e);
      throw v;
    }
  }
}
