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
    /** A length-prefixed message was longer than the caller's limit, or its prefix was malformed. */
    TOO_LARGE,
    /** The stream or its connection is closed. */
    CLOSED,
    /** The peer supports none of the proposed protocols. */
    PROTOCOL_NOT_SUPPORTED,
    /** A limit (streams per connection, buffered bytes) was reached. */
    LIMIT
  }

  private final Reason reason;

  public StreamException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public StreamException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
