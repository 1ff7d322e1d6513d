package io.headersync.sync;

import io.headersync.HeaderSyncException;

/** The syncer could not do what was asked: a sync job failed, or the syncer is not running. */
public class SyncException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message what could not be done and why
   */
  public SyncException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param message what could not be done and why
   * @param cause the failure that ended the sync job, e.g. an {@link
   *     io.headersync.exchange.ExchangeException}
   */
  public SyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
