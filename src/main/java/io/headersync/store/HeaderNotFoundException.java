package io.headersync.store;

/** A requested header is not in the store (go-header's {@code ErrNotFound}). */
public class HeaderNotFoundException extends StoreException {
  private static final long serialVersionUID = 1L;

  public HeaderNotFoundException(String message) {
    super(message);
  }
}
