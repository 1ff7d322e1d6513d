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

  /** Why the connection failed. */
  private final Reason reason;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param reason why the connection failed
   * @param message the peer or address and what went wrong
   */
  public ConnectionException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param reason why the connection failed
   * @param message the peer or address and what went wrong
   * @param cause the underlying failure, e.g. the transport's I/O error or a failed handshake
   */
  public ConnectionException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * {@return why the connection failed} Use it to decide whether to retry: {@link Reason#GATED},
   * {@link Reason#PEER_ID_MISMATCH} and {@link Reason#HOST_CLOSED} will not go away by themselves.
   */
  public Reason reason() {
    return reason;
  }
}
