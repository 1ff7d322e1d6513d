package io.headersync.sync;

import io.headersync.HeaderSyncException;

/** The syncer could not do what was asked: a sync job failed, or the syncer is not running. */
public class SyncException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  public SyncException(String message) {
    super(message);
  }

  public SyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
