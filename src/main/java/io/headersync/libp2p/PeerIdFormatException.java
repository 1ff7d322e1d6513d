package io.headersync.libp2p;

/**
 * A peer id's bytes or text are malformed (bad multihash, bad base58 or CID, wrong codec). The
 * message names what was wrong.
 */
public final class PeerIdFormatException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message the offending text or bytes and what is wrong with them
   */
  public PeerIdFormatException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the parsing failure behind it.
   *
   * @param message the offending text or bytes and what is wrong with them
   * @param cause the underlying failure, e.g. a bad multihash or key encoding
   */
  public PeerIdFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
