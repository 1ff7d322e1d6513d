package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.InvalidHeaderException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * ev-node's signed header ({@code types.SignedHeader}, protobuf {@code evnode.v1.SignedHeader}:
 * {@code Header header = 1; bytes signature = 2; Signer signer = 3}).
 *
 * <p>As a go-header {@link Header}: chain id, height, time and last-header hash come from the
 * {@linkplain #header() block header}; {@link #hash()} is the block header's hash (the signature is
 * not part of it).
 *
 * <h2>What {@link #validate(Clock)} checks, and what it does not</h2>
 *
 * Go's {@code SignedHeader} has no go-header {@code Validate()} of its own, so the one go-header
 * calls resolves to the embedded {@code Header.Validate()} = {@code Header.ValidateBasic()}:
 * proposer address, time not zero, time at most 1 minute ahead. {@link #validate(Clock)} does
 * exactly that, so a Java node accepts and rejects gossip and exchange responses as a Go node does.
 * The signature is <em>not</em> checked there (Go checks it later, in its block syncer). The full
 * ev-node {@code SignedHeader.ValidateBasic} is {@link #validateBasic(Clock)}; its signature part
 * alone is {@link #verifySignature()}.
 *
 * <h2>Encoding</h2>
 *
 * {@link #encode()} is byte-identical to Go's {@code MarshalBinary}: the header is always written,
 * the signature when not empty, and the signer always, as an empty message when it has no key.
 * Decoding drops unknown fields (Go does not re-emit them) except the header's legacy fields.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SignedHeader implements Header {
  private final BlockHeader header;
  private final byte[] signature;
  private final Signer signer;

  private SignedHeader(BlockHeader header, byte[] signature, Signer signer) {
    this.header = header;
    this.signature = signature;
    this.signer = signer;
  }

  /**
   * {@return a signed header; {@code signature} may be empty and {@code signer} {@link
   * Signer#EMPTY}}
   *
   * @param header the header that was signed
   * @param signature the proposer's signature over {@link BlockHeader#encode()}; copied
   * @param signer the proposer's public key and address
   */
  public static SignedHeader of(BlockHeader header, byte[] signature, Signer signer) {
    Objects.requireNonNull(header, "header == null");
    Objects.requireNonNull(signature, "signature == null");
    Objects.requireNonNull(signer, "signer == null");
    return new SignedHeader(header, signature.clone(), signer);
  }

  /**
   * Decodes Go's {@code SignedHeader.MarshalBinary} output.
   *
   * @param bytes the protobuf encoding
   * @return the signed header; not yet validated
   * @throws InvalidHeaderException if the bytes are malformed, naming the field
   */
  public static SignedHeader decode(byte[] bytes) {
    return decode(bytes, false, "SignedHeader").signedHeader;
  }

  /** {@return the block header: the part that is hashed and signed} */
  public BlockHeader header() {
    return header;
  }

  /** {@return a copy of the signature} */
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * {@return who signed: the proposer's public key and address; {@link Signer#EMPTY} when unsigned}
   */
  public Signer signer() {
    return signer;
  }

  /**
   * {@return a copy with another header and the same signature and signer} The signature no longer
   * matches unless it is replaced too.
   *
   * @param header the new header
   */
  public SignedHeader withHeader(BlockHeader header) {
    return of(header, signature, signer);
  }

  /**
   * {@return a copy with another signature}
   *
   * @param signature the new signature; copied
   */
  public SignedHeader withSignature(byte[] signature) {
    return of(header, signature, signer);
  }

  /**
   * {@return a copy with another signer}
   *
   * @param signer the new signer
   */
  public SignedHeader withSigner(Signer signer) {
    return of(header, signature, signer);
  }

  /**
   * {@return this header in the P2P envelope with {@code daHeightHint} (a uint64 bit pattern)}
   *
   * @param daHeightHint the DA height the header was posted at, or 0 for none
   */
  public P2PSignedHeader toP2P(long daHeightHint) {
    return P2PSignedHeader.of(this, daHeightHint);
  }

  /**
   * {@return the bytes a proposer signs: the slim block header encoding ({@link
   * BlockHeader#encode()})}
   */
  public byte[] signaturePayload() {
    return header.encode();
  }

  @Override
  public String chainId() {
    return header.chainId();
  }

  @Override
  public long height() {
    return header.height();
  }

  @Override
  public Hash hash() {
    return header.hash();
  }

  @Override
  public Hash lastHeaderHash() {
    return header.lastHeaderHash();
  }

  @Override
  public Instant time() {
    return header.time();
  }

  /**
   * What go-header's {@code Validate()} is for this type in ev-node v1.2.2: {@link
   * BlockHeader#validateBasic(Clock)}. No signature check; see the class comment.
   *
   * @throws EvNodeValidationException naming the failed check
   */
  @Override
  public void validate(Clock clock) {
    header.validateBasic(clock);
  }

  /**
   * ev-node's full {@code SignedHeader.ValidateBasic}: {@link BlockHeader#validateBasic(Clock)},
   * then {@link #verifySignature()}.
   *
   * @param clock the clock "now" is read from, for the from-the-future check
   * @throws EvNodeValidationException naming the failed check
   */
  public void validateBasic(Clock clock) {
    header.validateBasic(clock);
    verifySignature();
  }

  /**
   * The signature part of ev-node's {@code SignedHeader.ValidateBasic}, in Go's order: the
   * signature is not empty; the signer has a public key and its address is SHA-256 of the raw key;
   * the header's proposer address is the signer address; and the Ed25519 signature verifies over
   * the slim header bytes or, failing that, over the legacy bytes.
   *
   * @throws EvNodeValidationException naming the failed check
   */
  public void verifySignature() {
    if (signature.length == 0) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.SIGNATURE_EMPTY, "signature is empty");
    }
    if (signer.isEmpty()) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.SIGNER_PUB_KEY_MISSING, "signer public key is missing");
    }
    if (!signer.addressMatchesKey()) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.SIGNER_ADDRESS_MISMATCH,
          "signer address does not match signer public key");
    }
    if (!header.proposerAddressEquals(signer.addressUnsafe())) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.PROPOSER_ADDRESS_MISMATCH,
          "proposer address in SignedHeader does not match the proposer address in the validator set");
    }
    byte[] slim = header.slimEncoding();
    if (signer.verify(slim, signature)) {
      return;
    }
    byte[] legacy = header.encodeLegacy();
    if (!Arrays.equals(slim, legacy) && signer.verify(legacy, signature)) {
      return;
    }
    throw new EvNodeValidationException(
        EvNodeValidationException.Reason.SIGNATURE_VERIFICATION_FAILED,
        "signature verification failed");
  }

  /** Go's {@code SignedHeader.MarshalBinary}. */
  @Override
  public byte[] encode() {
    return write(new Wire.Writer(encodedSizeBound())).toByteArray();
  }

  /** At least the size of {@link #encode()}: the parts, plus room for three tags and lengths. */
  int encodedSizeBound() {
    return header.slimEncoding().length + signature.length + signer.encodedSizeBound() + 3 * 11;
  }

  Wire.Writer write(Wire.Writer w) {
    return w.bytesField(1, header.slimEncoding())
        .bytesProto3(2, signature)
        .bytesField(3, signer.encode());
  }

  /** Never zero: Go's {@code IsZero} is a nil check. */
  @Override
  public boolean isZero() {
    return false;
  }

  // ---- decoding ------------------------------------------------------------------------------

  static final class Decoded {
    final SignedHeader signedHeader;
    final long daHeightHint;

    Decoded(SignedHeader signedHeader, long daHeightHint) {
      this.signedHeader = signedHeader;
      this.daHeightHint = daHeightHint;
    }
  }

  /** Decodes a SignedHeader or, with {@code p2p}, a P2PSignedHeader (field 4 is the hint). */
  static Decoded decode(byte[] bytes, boolean p2p, String what) {
    Objects.requireNonNull(bytes, "bytes == null");
    Wire.Reader r = new Wire.Reader(bytes, what);
    BlockHeader.Decoder header = null;
    byte[] signature = new byte[0];
    byte[] address = new byte[0];
    byte[] pubKey = new byte[0];
    long hint = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == ((1 << 3) | Wire.BYTES)) {
        if (header == null) {
          header = new BlockHeader.Decoder();
        }
        header.merge(r.readMessage("header", what + ".header"));
      } else if (tag == ((2 << 3) | Wire.BYTES)) {
        signature = r.readBytes("signature");
      } else if (tag == ((3 << 3) | Wire.BYTES)) {
        Wire.Reader s = r.readMessage("signer", what + ".signer");
        while (s.hasMore()) {
          int st = s.readTag();
          if (st == ((1 << 3) | Wire.BYTES)) {
            address = s.readBytes("address");
          } else if (st == ((2 << 3) | Wire.BYTES)) {
            pubKey = s.readBytes("pub_key");
          } else {
            s.skipField(st);
          }
        }
      } else if (p2p && tag == ((4 << 3) | Wire.VARINT)) {
        hint = r.readVarint("da_height_hint");
      } else {
        r.skipField(tag);
      }
    }
    if (header == null) {
      throw new InvalidHeaderException(
          what + ".header: missing (a signed header needs its header)");
    }
    BlockHeader h = header.build(what + ".header");
    Signer signer = Signer.decode(address, pubKey, what + ".signer");
    return new Decoded(new SignedHeader(h, signature, signer), hint);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SignedHeader)) {
      return false;
    }
    SignedHeader s = (SignedHeader) o;
    return header.equals(s.header)
        && Arrays.equals(signature, s.signature)
        && signer.equals(s.signer);
  }

  @Override
  public int hashCode() {
    return (header.hashCode() * 31 + Arrays.hashCode(signature)) * 31 + signer.hashCode();
  }

  @Override
  public String toString() {
    return "SignedHeader{height=" + height() + ", hash=" + hash() + ", chainId=" + chainId() + "}";
  }
}
