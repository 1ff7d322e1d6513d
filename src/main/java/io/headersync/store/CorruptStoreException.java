package io.headersync.store;

/**
 * A stored value could not be decoded or contradicts the store's invariants. The message names the
 * key (as text and hex) and what was wrong with its value.
 */
public class CorruptStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  public CorruptStoreException(String message) {
    super(message);
  }

  public CorruptStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
