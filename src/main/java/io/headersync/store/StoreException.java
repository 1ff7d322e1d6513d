package io.headersync.store;

import io.headersync.HeaderSyncException;

/** A store operation failed: the store is closed, the disk failed, or a limit was reached. */
public class StoreException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
