package io.headersync.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Helpers for {@link java.util.concurrent.CompletableFuture} failures and stops. Not part of the
 * API.
 */
public final class Futures {
  private Futures() {}

  /** The failure inside any {@link CompletionException} and {@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The future {@code step} returns, or a failed one when it throws (a step that fails at once and
   * one that fails later are handled alike).
   *
   * @param step what starts the work
   * @param <T> the result type
   * @return the step's future
   */
  public static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Stops {@code parts} one after the other, each once the one before has stopped, failed or not (a
   * composite's {@code doStop}: its parts in reverse order of their start), and fails with the
   * first failure, the later ones suppressed.
   *
   * @param parts what stops each part
   * @return a future that completes when every part was stopped
   */
  public static CompletableFuture<Void> stopInOrder(List<Supplier<CompletableFuture<Void>>> parts) {
    CompletableFuture<Throwable> chain = CompletableFuture.completedFuture(null);
    for (Supplier<CompletableFuture<Void>> part : parts) {
      chain =
          chain.thenCompose(
              first ->
                  call(part)
                      .handle(
                          (v, e) -> {
                            if (e == null) {
                              return first;
                            }
                            Throwable cause = unwrap(e);
                            if (first == null) {
                              return cause;
                            }
                            first.addSuppressed(cause);
                            return first;
                          }));
    }
    return chain.thenCompose(
        first ->
            first == null
                ? CompletableFuture.<Void>completedFuture(null)
                : CompletableFuture.<Void>failedFuture(first));
  }
}
