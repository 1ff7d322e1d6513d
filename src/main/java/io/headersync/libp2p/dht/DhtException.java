package io.headersync.libp2p.dht;

import io.headersync.libp2p.Libp2pException;

/** Why a DHT message was refused or a DHT operation failed. */
public final class DhtException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** A message that is not a valid DHT protobuf, or lacks what its type needs. */
    MALFORMED,
    /** A message longer than the limit (the stream was reset). */
    TOO_LARGE,
    /** A key that is empty or longer than 80 bytes where a content key is expected. */
    BAD_KEY,
    /** A request we do not serve: PUT_VALUE, or an ADD_PROVIDER with no entry for the sender. */
    REJECTED,
    /** A response of another type than the request. */
    UNEXPECTED_RESPONSE,
    /** A lookup found no peer to ask, or no peer answered. */
    LOOKUP_FAILED,
    /** Too many lookups in flight. */
    LIMIT,
    /** The DHT is closed. */
    CLOSED
  }

  /** What went wrong. */
  private final Reason reason;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param reason what went wrong
   * @param message the peer, the key or the message type and what went wrong
   */
  public DhtException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param reason what went wrong
   * @param message the peer, the key or the message type and what went wrong
   * @param cause the underlying failure, e.g. a stream error or a protobuf parse error
   */
  public DhtException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** {@return what went wrong} */
  public Reason reason() {
    return reason;
  }
}
