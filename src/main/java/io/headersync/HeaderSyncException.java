package io.headersync;

/**
 * The base of every exception headersync's header-sync core throws on purpose (stores, exchange,
 * syncer, service, ev-node types). The libp2p layer, which stands on its own, throws {@code
 * io.headersync.libp2p.Libp2pException} instead.
 */
public class HeaderSyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message what went wrong, for logs and for the caller
   */
  public HeaderSyncException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the failure that caused it.
   *
   * @param message what went wrong, for logs and for the caller
   * @param cause the underlying failure (an I/O error, a decoding error), kept for {@link
   *     #getCause()}
   */
  public HeaderSyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
