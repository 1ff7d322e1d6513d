package io.headersync.libp2p;

import io.headersync.libp2p.internal.encoding.Base32;
import io.headersync.libp2p.internal.encoding.Base58;
import io.headersync.libp2p.internal.encoding.Multibase;
import io.headersync.libp2p.internal.encoding.Uvarint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A libp2p peer id: the multihash of a peer's public-key protobuf. Immutable, thread-safe,
 * comparable (by bytes, unsigned), usable as a map key.
 *
 * <p>Derivation (go-libp2p {@code IDFromPublicKey}): if the key's protobuf encoding is at most
 * {@value #MAX_INLINE_KEY_LENGTH} bytes the id is the identity multihash {@code 0x00 ‖ len ‖
 * protobuf} (Ed25519 and secp256k1 keys, text {@code 12D3KooW…} and {@code 16Uiu2HA…}); otherwise
 * it is the sha2-256 multihash {@code 0x12 0x20 ‖ SHA-256(protobuf)} (RSA, ECDSA, text {@code
 * Qm…}).
 *
 * <p>Text: {@link #toString()} is base58btc of the multihash (what Go prints); {@link #toCid()} is
 * the CIDv1 form ({@code b} + base32 of {@code 0x01 0x72 ‖ multihash}). {@link #parse} accepts
 * both, following Go's rule: strings starting with {@code 1} or {@code Qm} are base58, others are
 * multibase CIDs that must carry the {@code libp2p-key} codec 0x72.
 */
public final class PeerId implements Comparable<PeerId> {
  /** Keys whose protobuf is at most this long are inlined (identity multihash). */
  public static final int MAX_INLINE_KEY_LENGTH = 42;

  /** The longest peer id accepted, in bytes. */
  public static final int MAX_LENGTH = 128;

  /** The longest peer-id text accepted. */
  public static final int MAX_TEXT_LENGTH = 256;

  private static final int IDENTITY = 0x00;
  private static final int SHA2_256 = 0x12;
  private static final int LIBP2P_KEY_CODEC = 0x72;

  private final byte[] bytes;

  private PeerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * {@return the peer id of {@code key}}
   *
   * @param key the peer's public key; small keys (Ed25519) are inlined as an identity multihash,
   *     others hashed with SHA-256
   */
  public static PeerId fromPublicKey(PublicKey key) {
    Objects.requireNonNull(key, "key == null");
    byte[] pb = key.bytes();
    if (pb.length <= MAX_INLINE_KEY_LENGTH) {
      byte[] out = new byte[2 + pb.length];
      out[0] = IDENTITY;
      out[1] = (byte) pb.length;
      System.arraycopy(pb, 0, out, 2, pb.length);
      return new PeerId(out);
    }
    byte[] out = new byte[34];
    out[0] = SHA2_256;
    out[1] = 32;
    System.arraycopy(sha256(pb), 0, out, 2, 32);
    return new PeerId(out);
  }

  /**
   * {@return a peer id from its multihash bytes}
   *
   * @param multihash the peer id's bytes, e.g. from a {@code /p2p} multiaddr component
   * @throws PeerIdFormatException if not an identity or sha2-256 (32-byte digest) multihash, or
   *     longer than {@link #MAX_LENGTH}
   */
  public static PeerId fromBytes(byte[] multihash) {
    Objects.requireNonNull(multihash, "multihash == null");
    validateMultihash(multihash);
    return new PeerId(multihash.clone());
  }

  /**
   * Parses the base58btc or CIDv1 text form.
   *
   * @param text base58btc ({@code 12D3KooW...}, {@code Qm...}) or a CIDv1 with the libp2p-key codec
   * @return the peer id
   * @throws PeerIdFormatException naming what was wrong
   */
  public static PeerId parse(String text) {
    Objects.requireNonNull(text, "text == null");
    if (text.isEmpty()) {
      throw new PeerIdFormatException("empty peer id");
    }
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new PeerIdFormatException("peer id text longer than " + MAX_TEXT_LENGTH + " chars");
    }
    if (text.startsWith("1") || text.startsWith("Qm")) {
      byte[] mh;
      try {
        mh = Base58.decode(text);
      } catch (IllegalArgumentException e) {
        throw new PeerIdFormatException("peer id '" + text + "': " + e.getMessage(), e);
      }
      return fromBytesNamed(mh, text);
    }
    byte[] cid;
    try {
      cid = Multibase.decode(text);
    } catch (IllegalArgumentException e) {
      throw new PeerIdFormatException(
          "peer id '" + text + "' is neither base58 nor a CID: " + e.getMessage(), e);
    }
    int[] pos = {0};
    try {
      long version = Uvarint.read(cid, pos, Uvarint.Format.MULTIFORMATS);
      if (version != 1) {
        throw new PeerIdFormatException("peer id CID '" + text + "' has version " + version);
      }
      long codec = Uvarint.read(cid, pos, Uvarint.Format.MULTIFORMATS);
      if (codec != LIBP2P_KEY_CODEC) {
        throw new PeerIdFormatException(
            "peer id CID '" + text + "' has codec 0x" + Long.toHexString(codec) + ", not 0x72");
      }
    } catch (Uvarint.VarintException e) {
      throw new PeerIdFormatException("peer id CID '" + text + "': " + e.getMessage(), e);
    }
    return fromBytesNamed(Arrays.copyOfRange(cid, pos[0], cid.length), text);
  }

  private static PeerId fromBytesNamed(byte[] mh, String text) {
    try {
      validateMultihash(mh);
    } catch (PeerIdFormatException e) {
      throw new PeerIdFormatException("peer id '" + text + "': " + e.getMessage(), e);
    }
    return new PeerId(mh);
  }

  private static void validateMultihash(byte[] mh) {
    if (mh.length > MAX_LENGTH) {
      throw new PeerIdFormatException("multihash longer than " + MAX_LENGTH + " bytes");
    }
    int[] pos = {0};
    long code;
    long len;
    try {
      code = Uvarint.read(mh, pos, Uvarint.Format.MULTIFORMATS);
      len = Uvarint.read(mh, pos, Uvarint.Format.MULTIFORMATS);
    } catch (Uvarint.VarintException e) {
      throw new PeerIdFormatException("malformed multihash: " + e.getMessage(), e);
    }
    if (code != IDENTITY && code != SHA2_256) {
      throw new PeerIdFormatException(
          "multihash code 0x" + Long.toHexString(code) + " is neither identity nor sha2-256");
    }
    if (len != mh.length - pos[0]) {
      throw new PeerIdFormatException(
          "multihash declares " + len + " digest bytes but has " + (mh.length - pos[0]));
    }
    if (code == SHA2_256 && len != 32) {
      throw new PeerIdFormatException("sha2-256 multihash digest must be 32 bytes, got " + len);
    }
  }

  /** {@return the multihash bytes; a copy} */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@return whether the public key is embedded (identity multihash)} */
  public boolean isInline() {
    return bytes[0] == IDENTITY;
  }

  /**
   * {@return the public key embedded in an identity peer id (Go {@code ExtractPublicKey}); empty
   * for sha2-256 ids}
   *
   * @throws KeyFormatException if the embedded bytes are not a valid public key
   */
  public Optional<PublicKey> publicKey() {
    if (!isInline()) {
      return Optional.empty();
    }
    int[] pos = {1};
    Uvarint.read(bytes, pos, Uvarint.Format.MULTIFORMATS);
    return Optional.of(PublicKey.unmarshal(Arrays.copyOfRange(bytes, pos[0], bytes.length)));
  }

  /**
   * {@return whether {@code key} hashes to this peer id}
   *
   * @param key a public key, e.g. the one a Noise handshake proved
   */
  public boolean matches(PublicKey key) {
    return equals(fromPublicKey(key));
  }

  /** {@return the base58btc text, e.g. {@code 12D3KooW…}} */
  public String toBase58() {
    return Base58.encode(bytes);
  }

  /** {@return the CIDv1 text: {@code b} + base32(0x01 0x72 ‖ multihash)} */
  public String toCid() {
    byte[] cid = new byte[2 + bytes.length];
    cid[0] = 0x01;
    cid[1] = LIBP2P_KEY_CODEC;
    System.arraycopy(bytes, 0, cid, 2, bytes.length);
    return "b" + Base32.encode(cid);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId && Arrays.equals(((PeerId) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(PeerId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** The base58btc text (as Go prints peer ids). */
  @Override
  public String toString() {
    return toBase58();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
