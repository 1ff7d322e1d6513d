package io.headersync.evnode;

import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.sync.HeaderCheck;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Checks that a header was signed by the expected proposer (the single sequencer of an ev-node
 * chain): the header's signer carries the expected public key, and ev-node's signature checks pass
 * ({@link SignedHeader#verifySignature()}: signer address, proposer address, Ed25519 signature).
 * {@code verifySignature} alone only proves the header is signed by the key it carries; this check
 * pins the key, so a light node that only has headers can tell the sequencer's chain from a
 * forgery.
 *
 * <p>Use it as the syncer's extra check: {@code
 * HeaderSyncService.Builder#extraCheck(ProposerCheck.of(key))}. Thread-safe and stateless.
 */
public final class ProposerCheck implements HeaderCheck<P2PSignedHeader> {
  private final @Nullable Signer expected;
  private final byte[] address;

  private ProposerCheck(@Nullable Signer expected, byte[] address) {
    this.expected = expected;
    this.address = address;
  }

  /**
   * {@return a check for {@code proposer}, e.g. {@code SignerKey.signer()} or the signer of a
   * trusted header}
   *
   * @param proposer the sequencer's signer, holding its public key
   * @throws IllegalArgumentException if the signer has no public key
   */
  public static ProposerCheck of(Signer proposer) {
    Objects.requireNonNull(proposer, "proposer == null");
    if (proposer.isEmpty()) {
      throw new IllegalArgumentException("the expected proposer has no public key");
    }
    return new ProposerCheck(proposer, proposer.address());
  }

  /**
   * {@return a check for the proposer of {@code address} (SHA-256 of its raw public key), as a
   * genesis names it ({@link Genesis#proposerAddress()}): the header's signer must have that
   * address, and ev-node's signature checks bind the signer's key to it}
   *
   * @param address the 32-byte proposer address
   * @throws IllegalArgumentException if the address is not 32 bytes
   */
  public static ProposerCheck ofAddress(byte[] address) {
    Objects.requireNonNull(address, "address == null");
    if (address.length != 32) {
      throw new IllegalArgumentException("a proposer address has 32 bytes, not " + address.length);
    }
    return new ProposerCheck(null, address.clone());
  }

  /** {@return the expected proposer's address (SHA-256 of its raw public key)} */
  public byte[] proposerAddress() {
    return address.clone();
  }

  /**
   * @throws VerifyException (hard) naming the header and what did not match
   */
  @Override
  public void check(P2PSignedHeader header) {
    Signer actual = header.signedHeader().signer();
    boolean match =
        expected != null
            ? Arrays.equals(actual.pubKey(), expected.pubKey())
            : Arrays.equals(actual.address(), address);
    if (!match) {
      throw new VerifyException(
          VerifyException.Reason.TYPE_CHECK,
          "header "
              + header.height()
              + " is signed by "
              + (actual.isEmpty() ? "no key" : hex(actual.address()))
              + ", not by the expected proposer "
              + hex(address),
          false);
    }
    try {
      header.verifySignature();
    } catch (EvNodeValidationException e) {
      throw new VerifyException(
          VerifyException.Reason.TYPE_CHECK,
          "header " + header.height() + " from the expected proposer: " + e.getMessage(),
          false);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().withUpperCase().formatHex(b);
  }

  @Override
  public String toString() {
    return "ProposerCheck{" + hex(address) + "}";
  }
}
