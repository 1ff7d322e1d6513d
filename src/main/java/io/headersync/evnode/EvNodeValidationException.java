package io.headersync.evnode;

import io.headersync.InvalidHeaderException;
import java.util.Objects;

/**
 * An ev-node header or data failed one of ev-node's stateless checks ({@code ValidateBasic}, {@code
 * Validate}, or the header/data match). {@link #getMessage()} is ev-node's own error text, so logs
 * read the same on Go and Java nodes; {@link #reason()} says which check failed.
 */
public final class EvNodeValidationException extends InvalidHeaderException {
  private static final long serialVersionUID = 1L;

  /** Which check failed; the Go error each stands for is named in its comment. */
  public enum Reason {
    /** {@code ErrNoProposerAddress}: the header has no proposer address. */
    NO_PROPOSER_ADDRESS,
    /** {@code ErrInvalidTimestamp}: the time is zero or more than 1 minute ahead of now. */
    INVALID_TIMESTAMP,
    /** {@code ErrSignatureEmpty}. */
    SIGNATURE_EMPTY,
    /** {@code ErrSignerPubKeyMissing}. */
    SIGNER_PUB_KEY_MISSING,
    /** {@code ErrSignerAddressMismatch}: the signer address is not SHA-256 of its public key. */
    SIGNER_ADDRESS_MISMATCH,
    /** {@code ErrProposerAddressMismatch}: the proposer address is not the signer address. */
    PROPOSER_ADDRESS_MISMATCH,
    /** {@code ErrSignatureVerificationFailed}: no payload (slim, legacy) verifies. */
    SIGNATURE_VERIFICATION_FAILED,
    /** The signer's key type cannot verify signatures here (only Ed25519 can). */
    UNSUPPORTED_KEY_TYPE,
    /** {@code Data.Validate}: metadata missing. */
    DATA_METADATA_MISSING,
    /** {@code Data.Validate}: empty chain id. */
    DATA_CHAIN_ID_EMPTY,
    /** {@code Data.Validate}: height zero. */
    DATA_HEIGHT_ZERO,
    /** {@code Data.Validate}: time zero or more than 1 minute ahead of now. */
    DATA_INVALID_TIMESTAMP,
    /** {@code ErrHeaderDataMismatch}: chain id, height or time differ between header and data. */
    HEADER_DATA_MISMATCH,
    /** {@code ErrDataHashMismatch}: the header's data hash is not the data's DA commitment. */
    DATA_HASH_MISMATCH
  }

  /** The check that failed. */
  private final Reason reason;

  EvNodeValidationException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason == null");
  }

  /** {@return the check that failed} Each constant's comment names the Go error it stands for. */
  public Reason reason() {
    return reason;
  }
}
