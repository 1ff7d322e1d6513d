package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.InvalidHeaderException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * What ev-node v1.x puts on the header topic and in header exchange responses ({@code
 * types.P2PSignedHeader}, protobuf {@code evnode.v1.P2PSignedHeader}): a {@link SignedHeader}
 * (fields 1-3) plus {@code optional uint64 da_height_hint = 4}.
 *
 * <p>Go's {@code MarshalBinary} always sets the hint, so {@link #encode()} always writes field 4,
 * also when the hint is 0 ({@code 20 00}). Decoding accepts messages without it (hint 0), such as a
 * plain {@code SignedHeader} encoding. The hint is not part of the hash, and {@link
 * #validate(Clock)} and verification are those of the signed header.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class P2PSignedHeader implements Header {
  private final SignedHeader signedHeader;
  private final long daHeightHint;

  private P2PSignedHeader(SignedHeader signedHeader, long daHeightHint) {
    this.signedHeader = signedHeader;
    this.daHeightHint = daHeightHint;
  }

  /**
   * {@return {@code signedHeader} wrapped with a DA height hint}
   *
   * @param signedHeader the signed header
   * @param daHeightHint the DA height the header was posted at (a uint64 bit pattern); 0 for none
   */
  public static P2PSignedHeader of(SignedHeader signedHeader, long daHeightHint) {
    return new P2PSignedHeader(
        Objects.requireNonNull(signedHeader, "signedHeader == null"), daHeightHint);
  }

  /**
   * Decodes Go's {@code P2PSignedHeader.MarshalBinary} output, or a plain {@code SignedHeader}.
   *
   * @param bytes the protobuf encoding
   * @return the header; a plain {@code SignedHeader} decodes with hint 0
   * @throws InvalidHeaderException if the bytes are malformed, naming the field
   */
  public static P2PSignedHeader decode(byte[] bytes) {
    SignedHeader.Decoded d = SignedHeader.decode(bytes, true, "P2PSignedHeader");
    return new P2PSignedHeader(d.signedHeader, d.daHeightHint);
  }

  /** {@return the signed header inside the envelope} */
  public SignedHeader signedHeader() {
    return signedHeader;
  }

  /** {@return the block header inside} */
  public BlockHeader header() {
    return signedHeader.header();
  }

  /** {@return the DA height hint (uint64 bit pattern); 0 when absent} */
  public long daHeightHint() {
    return daHeightHint;
  }

  /**
   * {@return a copy with another DA height hint}
   *
   * @param daHeightHint the hint; 0 for none
   */
  public P2PSignedHeader withDaHeightHint(long daHeightHint) {
    return new P2PSignedHeader(signedHeader, daHeightHint);
  }

  @Override
  public String chainId() {
    return signedHeader.chainId();
  }

  @Override
  public long height() {
    return signedHeader.height();
  }

  @Override
  public Hash hash() {
    return signedHeader.hash();
  }

  @Override
  public Hash lastHeaderHash() {
    return signedHeader.lastHeaderHash();
  }

  @Override
  public Instant time() {
    return signedHeader.time();
  }

  /** As {@link SignedHeader#validate(Clock)}: the block header's basic checks, no signature. */
  @Override
  public void validate(Clock clock) {
    signedHeader.validate(clock);
  }

  /**
   * ev-node's {@link SignedHeader#validateBasic(Clock)}, including the signature; the hint is not
   * checked.
   *
   * @param clock the clock "now" is read from
   */
  public void validateBasic(Clock clock) {
    signedHeader.validateBasic(clock);
  }

  /** {@link SignedHeader#verifySignature()}. */
  public void verifySignature() {
    signedHeader.verifySignature();
  }

  /** Go's {@code P2PSignedHeader.MarshalBinary}: the signed header, then field 4, always. */
  @Override
  public byte[] encode() {
    return signedHeader
        .write(new Wire.Writer(signedHeader.encodedSizeBound() + 11))
        .uint64Field(4, daHeightHint)
        .toByteArray();
  }

  @Override
  public boolean isZero() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof P2PSignedHeader
        && ((P2PSignedHeader) o).daHeightHint == daHeightHint
        && ((P2PSignedHeader) o).signedHeader.equals(signedHeader);
  }

  @Override
  public int hashCode() {
    return signedHeader.hashCode() * 31 + Long.hashCode(daHeightHint);
  }

  @Override
  public String toString() {
    return "P2PSignedHeader{height="
        + height()
        + ", hash="
        + hash()
        + ", daHeightHint="
        + Long.toUnsignedString(daHeightHint)
        + "}";
  }
}
