package io.headersync.store;

/**
 * A stored value could not be decoded or contradicts the store's invariants. The message names the
 * key (as text and hex) and what was wrong with its value.
 */
public class CorruptStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message the key (as text and hex) and what is wrong with its value
   */
  public CorruptStoreException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the decoding failure behind it.
   *
   * @param message the key (as text and hex) and what is wrong with its value
   * @param cause the underlying failure, e.g. the header decoder's {@link
   *     io.headersync.InvalidHeaderException}
   */
  public CorruptStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
