package io.headersync.libp2p.pubsub;

/** What a {@link Validator} decided (Go's {@code ValidationResult}). */
public enum ValidationResult {
  /** Deliver and forward. */
  ACCEPT,
  /** Invalid: drop and do not forward (counts against the sender under gossipsub scoring). */
  REJECT,
  /** Drop and do not forward, without blame (also the result of a validator timeout). */
  IGNORE
}
