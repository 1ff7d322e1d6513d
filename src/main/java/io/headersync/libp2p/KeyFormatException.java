package io.headersync.libp2p;

/**
 * A key's bytes (protobuf envelope or the key material inside it) are malformed or unsupported. The
 * message names what was wrong.
 */
public final class KeyFormatException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message what was wrong with the key's bytes
   */
  public KeyFormatException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the parsing failure behind it.
   *
   * @param message what was wrong with the key's bytes
   * @param cause the underlying failure, e.g. a protobuf or key-decoding error
   */
  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
