package io.headersync.libp2p.pubsub;

import io.headersync.libp2p.Libp2pException;

/** Why a publish failed. */
public final class PubSubException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** A validator rejected our own message. */
    REJECTED,
    /** A validator ignored our own message (or timed out). */
    IGNORED,
    /** The message would not fit the maximum RPC size. */
    TOO_LARGE,
    /** The {@link PubSub} is closed. */
    CLOSED
  }

  /** Why the publish failed. */
  private final Reason reason;

  /**
   * Creates an exception with a message.
   *
   * @param reason why the publish failed
   * @param message the topic and what went wrong
   */
  public PubSubException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** {@return why the publish failed} */
  public Reason reason() {
    return reason;
  }
}
