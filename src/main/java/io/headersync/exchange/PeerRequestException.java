package io.headersync.exchange;

import java.util.Objects;

/** A request to one peer failed; {@link #failure()} says how. */
public class PeerRequestException extends ExchangeException {
  private static final long serialVersionUID = 1L;

  /** How the request failed. */
  private final PeerFailure failure;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param failure how the request failed; decides what happens to the peer
   * @param message the peer, the request and what went wrong
   * @throws NullPointerException if {@code failure} is null
   */
  public PeerRequestException(PeerFailure failure, String message) {
    super(message);
    this.failure = Objects.requireNonNull(failure, "failure == null");
  }

  /**
   * Creates an exception that wraps the failure behind it.
   *
   * @param failure how the request failed; decides what happens to the peer
   * @param message the peer, the request and what went wrong
   * @param cause the underlying failure, e.g. a stream reset or a {@link
   *     io.headersync.VerifyException}
   * @throws NullPointerException if {@code failure} is null
   */
  public PeerRequestException(PeerFailure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = Objects.requireNonNull(failure, "failure == null");
  }

  /** {@return how the request failed} */
  public PeerFailure failure() {
    return failure;
  }
}
