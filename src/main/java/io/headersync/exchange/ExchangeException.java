package io.headersync.exchange;

import io.headersync.HeaderSyncException;

/** An exchange request could not be served: no peer had the headers, or every peer failed. */
public class ExchangeException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  public ExchangeException(String message) {
    super(message);
  }

  public ExchangeException(String message, Throwable cause) {
    super(message, cause);
  }
}
