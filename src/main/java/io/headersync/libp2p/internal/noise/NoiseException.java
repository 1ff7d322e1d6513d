package io.headersync.libp2p.internal.noise;

import io.headersync.libp2p.Libp2pException;

/** The Noise handshake or a transport message failed; {@link #reason()} says how. */
public final class NoiseException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** A message is too short, too long or otherwise malformed. */
    MALFORMED,
    /** Authentication (AEAD tag) failed: tampered or mis-keyed data. */
    DECRYPT_FAILED,
    /** A Diffie-Hellman result was all zero (low-order point). */
    BAD_KEY,
    /** The remote's identity payload is invalid (key, signature). */
    BAD_PAYLOAD,
    /** The remote's peer id differs from the one we dialed. */
    PEER_ID_MISMATCH,
    /** A cipher state's nonce would reach 2^64 - 1. */
    NONCE_EXHAUSTED,
    /** The handshake did not finish within the timeout. */
    TIMEOUT,
    /** The channel closed during the handshake. */
    CLOSED
  }

  private final Reason reason;

  public NoiseException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public NoiseException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
