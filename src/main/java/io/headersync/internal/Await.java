package io.headersync.internal;

import io.headersync.HeaderSyncException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Blocking on a future where blocking is the point (the command line, the test kit), with failures
 * as {@link HeaderSyncException}s whose message names the step. Not part of the API.
 */
public final class Await {
  private Await() {}

  /**
   * Waits for {@code f} at most {@code timeout}.
   *
   * @param what the step, for the messages: "{@code what} failed: cause", "{@code what} took more
   *     than 10 s"
   * @throws HeaderSyncException if {@code f} fails, times out or the thread is interrupted (the
   *     interrupt flag is then set again)
   */
  public static <T> T await(CompletableFuture<T> f, String what, Duration timeout) {
    return await(f, what, timeout, () -> "");
  }

  /**
   * As {@link #await(CompletableFuture, String, Duration)}; on timeout the message ends with {@code
   * ": " + progress.get()} when that is not empty (where the waiter got to).
   */
  public static <T> T await(
      CompletableFuture<T> f, String what, Duration timeout, Supplier<String> progress) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new HeaderSyncException(
          what + " failed: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()),
          cause);
    } catch (TimeoutException e) {
      String where = progress.get();
      throw new HeaderSyncException(
          what + " took more than " + human(timeout) + (where.isEmpty() ? "" : ": " + where));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HeaderSyncException(what + " interrupted", e);
    }
  }

  /** {@code 250 ms}, {@code 1.5 s}. */
  public static String human(Duration d) {
    return d.toMillis() < 1000
        ? d.toMillis() + " ms"
        : String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
