package io.headersync.libp2p;

/**
 * A peer id's bytes or text are malformed (bad multihash, bad base58 or CID, wrong codec). The
 * message names what was wrong.
 */
public final class PeerIdFormatException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  public PeerIdFormatException(String message) {
    super(message);
  }

  public PeerIdFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
