package io.headersync.libp2p;

/**
 * A multiaddr's text or bytes are malformed, too long, or use a protocol we cannot transcode. The
 * message names what was wrong.
 */
public final class MultiaddrFormatException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message the offending text or bytes and what is wrong with them
   */
  public MultiaddrFormatException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the parsing failure behind it.
   *
   * @param message the offending text or bytes and what is wrong with them
   * @param cause the underlying failure, e.g. a malformed peer id inside a {@code /p2p} component
   */
  public MultiaddrFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
