package io.headersync.store;

/** A requested header is not in the store (go-header's {@code ErrNotFound}). */
public class HeaderNotFoundException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message the height or hash that was asked for and the store's {@code [tail, head]}
   */
  public HeaderNotFoundException(String message) {
    super(message);
  }
}
