package io.headersync.libp2p;

/** A connection could not be established or was refused; {@link #reason()} says why. */
public final class ConnectionException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /** Why a connection failed. */
  public enum Reason {
    /** The {@link ConnectionGater} refused the peer or address. */
    GATED,
    /** The remote's authenticated peer id is not the one the address named. */
    PEER_ID_MISMATCH,
    /** No dialable address is known for the peer. */
    NO_ADDRESSES,
    /** A {@link HostLimits} connection limit was reached. */
    LIMIT,
    /** The transport, the security handshake or the muxer negotiation failed. */
    FAILED,
    /** The host is not running. */
    HOST_CLOSED
  }

  private final Reason reason;

  public ConnectionException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ConnectionException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
