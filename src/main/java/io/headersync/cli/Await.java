package io.headersync.cli;

import io.headersync.HeaderSyncException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a future in the command line, with failures as {@link HeaderSyncException}s that name the step. */
final class Await {
  private Await() {}

  static void await(CompletableFuture<?> f, String what, Duration timeout) {
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new HeaderSyncException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new HeaderSyncException(what + " took more than " + Devnet.human(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HeaderSyncException(what + " interrupted", e);
    }
  }
}
