package io.headersync.sync;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * go-header's {@code incomingMu}: network head candidates (gossip, and heads the syncer asked for)
 * are processed one at a time, in arrival order, each on the worker executor once the one before it
 * finished. At most {@code maxPendingHeaders} may wait; beyond that a candidate is refused with a
 * {@link SyncException} (Ignore).
 *
 * @param <H> the header type
 */
final class IncomingQueue<H extends Header> {
  private final SyncContext<H> ctx;
  // Guarded by ctx.
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private int waiting;

  IncomingQueue(SyncContext<H> ctx) {
    this.ctx = ctx;
  }

  /** Runs {@code task} after every earlier candidate finished. */
  CompletableFuture<Void> enqueue(Supplier<CompletableFuture<Void>> task) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    synchronized (ctx) {
      if (!ctx.running) {
        return CompletableFuture.failedFuture(new SyncException("syncer is not running"));
      }
      if (waiting >= ctx.options.maxPendingHeaders()) {
        return CompletableFuture.failedFuture(
            new SyncException(
                waiting + " network head candidates already wait (maxPendingHeaders)"));
      }
      waiting++;
      CompletableFuture<Void> previous = tail;
      tail = result.handle((v, e) -> null);
      previous.thenRunAsync(
          () -> {
            CompletableFuture<Void> f;
            try {
              f = task.get();
            } catch (RuntimeException e) {
              f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete(
                (v, e) -> {
                  synchronized (ctx) {
                    waiting--;
                  }
                  if (e != null) {
                    result.completeExceptionally(unwrap(e));
                  } else {
                    result.complete(null);
                  }
                });
          },
          ctx.worker);
    }
    return result;
  }
}
