package io.headersync.exchange;

import java.util.Objects;

/** A request to one peer failed; {@link #failure()} says how. */
public class PeerRequestException extends ExchangeException {
  private static final long serialVersionUID = 1L;

  private final PeerFailure failure;

  public PeerRequestException(PeerFailure failure, String message) {
    super(message);
    this.failure = Objects.requireNonNull(failure, "failure == null");
  }

  public PeerRequestException(PeerFailure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = Objects.requireNonNull(failure, "failure == null");
  }

  /** How the request failed. */
  public PeerFailure failure() {
    return failure;
  }
}
