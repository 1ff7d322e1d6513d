package io.headersync.libp2p;

import io.headersync.HeaderSyncException;

/** The base of the exceptions the libp2p layer throws on purpose. */
public class Libp2pException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  public Libp2pException(String message) {
    super(message);
  }

  public Libp2pException(String message, Throwable cause) {
    super(message, cause);
  }
}
