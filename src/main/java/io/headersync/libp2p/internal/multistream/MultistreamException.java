package io.headersync.libp2p.internal.multistream;

import io.headersync.libp2p.Libp2pException;

/** A multistream-select negotiation failed; {@link #reason()} says how. */
public final class MultistreamException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /** Why negotiation failed. */
  public enum Reason {
    /** A frame broke the framing rules (length, varint, newline). */
    MALFORMED,
    /** The peer's first message was not {@code /multistream/1.0.0}. */
    WRONG_HEADER,
    /** No protocol was agreed: every proposal got {@code na}, or the peer made too many. */
    NOT_SUPPORTED,
    /** The responder answered something other than our proposal or {@code na}. */
    UNEXPECTED_RESPONSE,
    /** Negotiation did not finish within the timeout. */
    TIMEOUT,
    /** The channel closed before negotiation finished. */
    CLOSED
  }

  private final Reason reason;

  public MultistreamException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
