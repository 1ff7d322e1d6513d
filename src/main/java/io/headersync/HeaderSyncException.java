package io.headersync;

/**
 * The base of every exception headersync's header-sync core throws on purpose (stores, exchange,
 * syncer, service, ev-node types). The libp2p layer, which stands on its own, throws {@code
 * io.headersync.libp2p.Libp2pException} instead.
 */
public class HeaderSyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HeaderSyncException(String message) {
    super(message);
  }

  public HeaderSyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
