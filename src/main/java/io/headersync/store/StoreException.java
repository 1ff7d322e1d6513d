package io.headersync.store;

import io.headersync.HeaderSyncException;

/** A store operation failed: the store is closed, the disk failed, or a limit was reached. */
public class StoreException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message the operation that failed and why
   */
  public StoreException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param message the operation that failed and why
   * @param cause the underlying failure, e.g. the database's I/O error
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
