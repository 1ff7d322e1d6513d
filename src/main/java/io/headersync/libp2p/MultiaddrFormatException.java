package io.headersync.libp2p;

/**
 * A multiaddr's text or bytes are malformed, too long, or use a protocol we cannot transcode.
 * The message names what was wrong.
 */
public final class MultiaddrFormatException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  public MultiaddrFormatException(String message) {
    super(message);
  }

  public MultiaddrFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
