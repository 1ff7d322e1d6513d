package io.headersync.libp2p;

/**
 * The base of the exceptions the libp2p layer throws on purpose. The layer stands on its own (it
 * depends on nothing of headersync's header-sync core), so this is not a {@link RuntimeException}
 * subclass of the core's {@code HeaderSyncException}; the core reports libp2p failures either as
 * they are or wrapped in its own exceptions, as each method documents.
 */
public class Libp2pException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message what went wrong
   */
  public Libp2pException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param message what went wrong
   * @param cause the underlying failure, kept for {@link #getCause()}
   */
  public Libp2pException(String message, Throwable cause) {
    super(message, cause);
  }
}
