package io.headersync.libp2p;

/** A stream operation failed; {@link #reason()} says why. */
public final class StreamException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /** Why a stream operation failed. */
  public enum Reason {
    /** The remote (or we) reset the stream. */
    RESET,
    /** The operation did not finish before the stream's deadline. */
    TIMEOUT,
    /**
     * A length-prefixed message was longer than the caller's limit, or its prefix was malformed.
     */
    TOO_LARGE,
    /** The stream or its connection is closed. */
    CLOSED,
    /** The peer supports none of the proposed protocols. */
    PROTOCOL_NOT_SUPPORTED,
    /** A limit (streams per connection, buffered bytes) was reached. */
    LIMIT
  }

  /** Why the stream operation failed. */
  private final Reason reason;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param reason why the stream operation failed
   * @param message the stream, the protocol and what went wrong
   */
  public StreamException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param reason why the stream operation failed
   * @param message the stream, the protocol and what went wrong
   * @param cause the underlying failure, e.g. the connection's I/O error
   */
  public StreamException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * {@return why the stream operation failed} A {@link Reason#TIMEOUT} or {@link Reason#RESET} may
   * succeed on a new stream; {@link Reason#PROTOCOL_NOT_SUPPORTED} will not with the same peer.
   */
  public Reason reason() {
    return reason;
  }
}
