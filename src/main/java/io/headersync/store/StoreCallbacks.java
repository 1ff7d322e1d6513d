package io.headersync.store;

import io.headersync.annotation.Nullable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where a store completes the futures it hands out: on its callback executor, so that code chained
 * on them never runs on the store's writer thread. One task per call completes a whole group of
 * futures (a write batch's appends, the waiters a batch satisfied), in the order given.
 *
 * <p>Work the executor refuses (it was shut down) fails the futures with a {@link StoreException}
 * naming the refusal (a future that was to fail keeps its own cause); it never completes them
 * normally on the calling thread.
 */
final class StoreCallbacks {
  /**
   * Seconds the owned callback thread lingers without work before it ends (a new one starts on
   * demand).
   */
  private static final long OWNED_KEEP_ALIVE_S = 30;

  private final Executor executor;
  private final @Nullable ExecutorService owned;

  private StoreCallbacks(Executor executor, @Nullable ExecutorService owned) {
    this.executor = executor;
    this.owned = owned;
  }

  /** Completions on {@code executor}, which the caller owns. */
  static StoreCallbacks on(Executor executor) {
    return new StoreCallbacks(executor, null);
  }

  /**
   * Completions on the thread that completes them (the in-memory store has no thread of its own).
   */
  static StoreCallbacks direct() {
    return new StoreCallbacks(Runnable::run, null);
  }

  /**
   * Completions on one daemon thread of the store's own, {@code
   * headersync-store-callbacks-<prefix>}, started when first needed and ended after {@value
   * #OWNED_KEEP_ALIVE_S} s without work; shut down by {@link #shutdown()}.
   */
  static StoreCallbacks owned(String prefix) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            1,
            OWNED_KEEP_ALIVE_S,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "headersync-store-callbacks-" + prefix);
              t.setDaemon(true);
              return t;
            });
    return new StoreCallbacks(pool, pool);
  }

  /** One future to complete: with {@code value}, or with {@code error} when it is set. */
  record Completion<T>(CompletableFuture<T> future, @Nullable T value, @Nullable Throwable error) {
    static <T> Completion<T> of(CompletableFuture<T> future, @Nullable T value) {
      return new Completion<>(future, value, null);
    }

    static <T> Completion<T> failed(CompletableFuture<T> future, Throwable error) {
      return new Completion<>(future, null, error);
    }

    void apply() {
      if (error != null) {
        future.completeExceptionally(error);
      } else {
        future.complete(value);
      }
    }

    void refused(RejectedExecutionException e) {
      future.completeExceptionally(
          error != null
              ? error
              : new StoreException(
                  "the store's callback executor refused to complete this future (shut down?): "
                      + e,
                  e));
    }
  }

  /** Completes {@code f} with {@code value} on the callback executor. */
  <T> void complete(CompletableFuture<T> f, @Nullable T value) {
    deliver(List.of(Completion.of(f, value)));
  }

  /** Fails {@code f} with {@code error} on the callback executor. */
  void fail(CompletableFuture<?> f, Throwable error) {
    deliver(List.of(Completion.failed(f, error)));
  }

  /** Applies {@code completions} in order, in one task on the callback executor. */
  void deliver(List<? extends Completion<?>> completions) {
    if (completions.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> completions.forEach(Completion::apply));
    } catch (RejectedExecutionException e) {
      completions.forEach(c -> c.refused(e));
    }
  }

  /**
   * Shuts the owned callback thread down once what was handed to it ran; a caller-owned executor is
   * left alone. Does not wait (a future callback may be the one closing the store).
   */
  void shutdown() {
    if (owned != null) {
      owned.shutdown();
    }
  }

  @Override
  public String toString() {
    return owned != null ? "own callback thread" : String.valueOf(executor);
  }
}
