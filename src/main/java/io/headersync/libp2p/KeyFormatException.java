package io.headersync.libp2p;

/**
 * A key's bytes (protobuf envelope or the key material inside it) are malformed or unsupported.
 * The message names what was wrong.
 */
public final class KeyFormatException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  public KeyFormatException(String message) {
    super(message);
  }

  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
