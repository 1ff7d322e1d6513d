package io.headersync.exchange;

import io.headersync.HeaderSyncException;

/** A peer sent bytes that break the header-ex protocol; the message says what and how large. */
public class ExchangeProtocolException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  public ExchangeProtocolException(String message) {
    super(message);
  }

  public ExchangeProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
