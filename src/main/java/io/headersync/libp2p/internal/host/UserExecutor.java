package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The host's user executor: stream handlers, connection listeners and the completion of every
 * future the host hands out run on it, never on an event loop. The builder's executor, or a pool
 * the host owns (one thread per core, at least two) and shuts down when it stops.
 *
 * <p>A task the executor refuses (it was shut down or is saturated) is not run on the calling
 * thread, which is usually an event loop: {@link #complete} fails the future instead (with an
 * exception naming the refusal) and hands a value it could not deliver to a release action (a
 * stream is reset).
 */
final class UserExecutor {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(UserExecutor.class);

  /** How long a stop waits for the owned pool's running tasks. */
  private static final long TERMINATION_WAIT_SECONDS = 5;

  private final Executor executor;
  private final @Nullable ThreadPoolExecutor owned;
  private final CompletableFuture<Void> ownedTerminated = new CompletableFuture<>();

  private UserExecutor(@Nullable Executor given) {
    if (given != null) {
      this.executor = given;
      this.owned = null;
    } else {
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              threads,
              threads,
              0L,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(),
              new DefaultThreadFactory("headersync-host-user", true)) {
            @Override
            protected void terminated() {
              ownedTerminated.complete(null);
            }
          };
      this.executor = pool;
      this.owned = pool;
    }
  }

  /** The builder's executor, or (null) a pool of the host's own. */
  static UserExecutor of(@Nullable Executor given) {
    return new UserExecutor(given);
  }

  Executor executor() {
    return executor;
  }

  /**
   * Completes {@code f} on the executor with {@code value}, or with {@code failure} if not null. If
   * the executor refuses, {@code refused} is applied to the rejection (it may release what the
   * value held, e.g. reset a stream) and {@code f} fails at once: with {@code failure} if there was
   * one, else with what {@code refused} returned.
   */
  <T> void complete(
      CompletableFuture<T> f,
      @Nullable T value,
      @Nullable Throwable failure,
      Function<RejectedExecutionException, ? extends Throwable> refused) {
    try {
      executor.execute(
          () -> {
            if (failure != null) {
              f.completeExceptionally(failure);
            } else {
              f.complete(value);
            }
          });
    } catch (RejectedExecutionException e) {
      Throwable why = refused.apply(e);
      f.completeExceptionally(failure != null ? failure : why);
    }
  }

  /**
   * Shuts the owned pool down: completes once its threads finished their tasks, or after {@value
   * #TERMINATION_WAIT_SECONDS} s (then running tasks are interrupted). At once for a given
   * executor, which the caller shuts down.
   */
  CompletableFuture<Void> shutdown() {
    ThreadPoolExecutor pool = owned;
    if (pool == null) {
      return CompletableFuture.completedFuture(null);
    }
    pool.shutdown();
    return ownedTerminated
        .copy()
        .completeOnTimeout(null, TERMINATION_WAIT_SECONDS, TimeUnit.SECONDS)
        .whenComplete(
            (v, t) -> {
              if (!pool.isTerminated()) {
                log.debug(
                    "user executor busy {} s after the host stopped; interrupting it",
                    TERMINATION_WAIT_SECONDS);
                pool.shutdownNow();
              }
            });
  }
}
