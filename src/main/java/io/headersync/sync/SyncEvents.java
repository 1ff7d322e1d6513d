package io.headersync.sync;

import io.headersync.Header;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a {@link Syncer}'s events to its {@link SyncListener}: on the worker executor, each in a
 * task of its own ({@code batchAppended} on the worker thread that saw the append, which is one
 * already), so a listener never runs under the syncer's lock. An exception from the listener is
 * logged and otherwise ignored.
 *
 * @param <H> the header type
 */
final class SyncEvents<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Syncer.class);

  private final SyncListener<H> listener;
  private final Executor worker;

  SyncEvents(SyncListener<H> listener, Executor worker) {
    this.listener = listener;
    this.worker = worker;
  }

  void headChanged(H head) {
    dispatch(() -> listener.headChanged(head));
  }

  void tailMoved(H tail) {
    dispatch(() -> listener.tailMoved(tail));
  }

  void syncFinished(SyncState state) {
    dispatch(() -> listener.syncFinished(state));
  }

  void syncFailed(SyncState state, Throwable cause) {
    dispatch(() -> listener.syncFailed(state, cause));
  }

  /** Called on the worker that saw the batch become readable, directly. */
  void batchAppended(long fromHeight, int count, Duration elapsed) {
    try {
      listener.batchAppended(fromHeight, count, elapsed);
    } catch (RuntimeException e) {
      log.warn("sync listener failed", e);
    }
  }

  private void dispatch(Runnable r) {
    worker.execute(
        () -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            log.warn("sync listener failed", e);
          }
        });
  }
}
