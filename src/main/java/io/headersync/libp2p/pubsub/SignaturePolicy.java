package io.headersync.libp2p.pubsub;

/**
 * How messages are signed and which incoming messages are accepted (Go's {@code
 * MessageSignaturePolicy}).
 */
public enum SignaturePolicy {
  /**
   * Go's default: our messages carry {@code from}, an 8-byte {@code seqno} and a signature;
   * incoming messages without a valid signature are dropped.
   */
  STRICT_SIGN,
  /**
   * No author fields at all: incoming messages with {@code from}, seqno, signature or key are
   * dropped.
   */
  STRICT_NO_SIGN
}
