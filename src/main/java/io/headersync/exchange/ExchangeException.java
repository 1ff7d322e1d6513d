package io.headersync.exchange;

import io.headersync.HeaderSyncException;

/** An exchange request could not be served: no peer had the headers, or every peer failed. */
public class ExchangeException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message which request failed and why, e.g. the heights and how many peers were tried
   */
  public ExchangeException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the last failure behind it.
   *
   * @param message which request failed and why
   * @param cause the failure that ended the request, e.g. the last peer's {@link
   *     PeerRequestException}
   */
  public ExchangeException(String message, Throwable cause) {
    super(message, cause);
  }
}
