package io.headersync.sync;

import io.headersync.Header;
import io.headersync.store.Store;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The write side of one sync job: runs the extra check of each batch on the worker executor (a
 * batch's parts in parallel, and a batch's check while the previous batch is written), appends the
 * batches to the store strictly in submission order, and bounds the batches not yet readable.
 *
 * <p>{@link #submit} returns the stage the range session waits for before it hands over the next
 * batch: complete while fewer than {@code maxInFlight} batches are unfinished, else the oldest
 * unfinished batch's completion. A failure of any batch fails every later submission and {@link
 * #drain()}. Once {@link #finish()} was called the pipeline takes nothing more: a batch a range
 * session hands over late (a delivery racing its cancellation) is refused, not appended, so that a
 * stopped syncer's store does not grow after the stop completed.
 */
final class AppendPipeline<H extends Header> {
  /** Called on the worker executor when a batch is readable. */
  interface Appended<H> {
    void appended(List<H> batch, long receivedNanos);
  }

  private final Store<H> store;
  private final Executor worker;
  private final int maxInFlight;
  private final Function<List<H>, CompletableFuture<Void>> check;
  private final Appended<H> appended;
  private final ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
  private CompletableFuture<Void> queuedTail = CompletableFuture.completedFuture(null);
  private H last;
  private Throwable failure;
  private boolean drained;

  AppendPipeline(
      Store<H> store,
      Executor worker,
      int maxInFlight,
      Function<List<H>, CompletableFuture<Void>> check,
      Appended<H> appended,
      H from) {
    this.store = store;
    this.worker = worker;
    this.maxInFlight = maxInFlight;
    this.check = check;
    this.appended = appended;
    this.last = from;
  }

  /** The last header submitted (the job's {@code from} before any). */
  synchronized H last() {
    return last;
  }

  /** What {@link #submit} returns once the job has ended: a batch refused, not appended. */
  private static CompletableFuture<Void> jobEnded() {
    return CompletableFuture.failedFuture(
        new java.util.concurrent.CancellationException("sync job ended; batch not appended"));
  }

  /**
   * Checks (unless {@code alreadyChecked}) and appends {@code batch}, which must follow the last
   * submitted header.
   */
  CompletableFuture<Void> submit(List<H> batch, boolean alreadyChecked) {
    synchronized (this) {
      if (drained) {
        return jobEnded();
      }
    }
    long received = System.nanoTime();
    CompletableFuture<Void> checked =
        alreadyChecked ? CompletableFuture.completedFuture(null) : check.apply(batch);
    CompletableFuture<Void> readable = new CompletableFuture<>();
    synchronized (this) {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (drained) {
        return jobEnded(); // again: finish() may have run while the batch was being checked
      }
      last = batch.get(batch.size() - 1);
      CompletableFuture<Void> queued =
          queuedTail.thenCombineAsync(
              checked,
              (a, b) -> {
                // Store.append may block on a full write queue: this runs on the worker, never on
                // I/O threads.
                store
                    .append(batch)
                    .whenCompleteAsync(
                        (v, err) -> {
                          if (err != null) {
                            readable.completeExceptionally(err);
                          } else {
                            appended.appended(batch, received);
                            readable.complete(null);
                          }
                        },
                        worker);
                return null;
              },
              worker);
      queued.whenComplete(
          (v, err) -> {
            if (err != null) {
              readable.completeExceptionally(err);
            }
          });
      queuedTail = queued;
      readable.whenComplete(
          (v, err) -> {
            if (err != null) {
              synchronized (this) {
                if (failure == null) {
                  failure = err;
                }
              }
            }
          });
      inFlight.addLast(readable);
      while (!inFlight.isEmpty()
          && inFlight.peekFirst().isDone()
          && !inFlight.peekFirst().isCompletedExceptionally()) {
        inFlight.pollFirst();
      }
      if (inFlight.size() < maxInFlight) {
        return CompletableFuture.completedFuture(null);
      }
      return inFlight.peekFirst();
    }
  }

  /**
   * Ends the job's pipeline: from now on {@link #submit} refuses batches; completes as {@link
   * #drain()}.
   */
  CompletableFuture<Void> finish() {
    synchronized (this) {
      drained = true;
    }
    return drain();
  }

  /** Completes when every batch submitted so far is readable, or with the first failure. */
  CompletableFuture<Void> drain() {
    CompletableFuture<?>[] all;
    synchronized (this) {
      all = inFlight.toArray(new CompletableFuture<?>[0]);
    }
    return CompletableFuture.allOf(all);
  }
}
