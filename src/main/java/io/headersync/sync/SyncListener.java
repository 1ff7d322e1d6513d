package io.headersync.sync;

import io.headersync.Header;
import java.time.Duration;

/**
 * Progress and metrics callbacks of a {@link Syncer}. Every method has an empty default.
 *
 * <p>Threads: called on the syncer's worker executor, one call at a time per event source but not
 * serialised across sources; implementations must be thread-safe and quick. An exception thrown
 * here is logged and otherwise ignored.
 *
 * @param <H> the header type
 */
public interface SyncListener<H extends Header> {
  /**
   * A batch of headers became readable in the store.
   *
   * @param fromHeight the first height of the batch
   * @param count how many headers
   * @param elapsed from the batch reaching the syncer to it being readable (extra check and store
   *     write)
   */
  default void batchAppended(long fromHeight, int count, Duration elapsed) {}

  /**
   * The subjective head (the sync target) changed to {@code head}.
   *
   * @param head the new subjective head
   */
  default void headChanged(H head) {}

  /**
   * A sync job reached its target.
   *
   * @param state the syncer's state when the job ended
   */
  default void syncFinished(SyncState state) {}

  /**
   * A sync job failed; it is retried after a backoff.
   *
   * @param state the syncer's state when the job failed
   * @param cause why it failed, e.g. an {@link io.headersync.exchange.ExchangeException}
   */
  default void syncFailed(SyncState state, Throwable cause) {}

  /**
   * The store's tail moved to {@code tail}: pruned up to it, or back-filled down to it (once per
   * store write, so a long back-fill reports every 64 headers).
   *
   * @param tail the store's new tail
   */
  default void tailMoved(H tail) {}
}
