package io.headersync.exchange;

import io.headersync.HeaderSyncException;

/** A peer sent bytes that break the header-ex protocol; the message says what and how large. */
public class ExchangeProtocolException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message what in the peer's bytes breaks the protocol, with the sizes involved
   */
  public ExchangeProtocolException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the decoding failure behind it.
   *
   * @param message what in the peer's bytes breaks the protocol, with the sizes involved
   * @param cause the underlying failure, e.g. a protobuf parse error
   */
  public ExchangeProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
