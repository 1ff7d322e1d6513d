package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.InvalidHeaderException;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.KeyFormatException;
import io.headersync.libp2p.KeyType;
import io.headersync.libp2p.PublicKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * Who signed a header ({@code evnode.v1.Signer}: {@code bytes address = 1; bytes pub_key = 2}).
 *
 * <p>{@code pub_key} is a libp2p {@code PublicKey} protobuf ({@code KeyType Type = 1; bytes Data =
 * 2}, Ed25519 = 1, 32 key bytes); {@code address} should be SHA-256 of the raw key bytes, which
 * {@link SignedHeader#verifySignature()} checks. The libp2p bytes are kept exactly as received, as
 * Go does, and re-emitted verbatim.
 *
 * <p>Decoding follows Go: a signer without a public key is {@link #EMPTY} (its address is dropped);
 * a public key must parse as libp2p's {@code PublicKey} with a known key type, and an Ed25519 key
 * must have 32 bytes; RSA, Secp256k1 and ECDSA key material is checked as go-libp2p does: the key
 * is decoded by {@link PublicKey#fromRaw}, the one Go-exact libp2p key implementation. Only Ed25519
 * signatures are verified here (with Go's exact {@code ed25519.Verify} rules, shared with libp2p's
 * Noise identity check); ev-node signers are all Ed25519.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Signer {
  /** libp2p key type RSA ({@code crypto.pb.KeyType}); decodable, cannot verify headers here. */
  public static final int KEY_TYPE_RSA = 0;

  /** libp2p key type Ed25519, the type every ev-node signer has. */
  public static final int KEY_TYPE_ED25519 = 1;

  /** libp2p key type secp256k1; decodable, cannot verify headers here. */
  public static final int KEY_TYPE_SECP256K1 = 2;

  /** libp2p key type ECDSA; decodable, cannot verify headers here. */
  public static final int KEY_TYPE_ECDSA = 3;

  private static final int ED25519_KEY_SIZE = 32;

  /**
   * No signer: no address and no public key (Go's {@code Signer{}}), encoded as an empty message.
   */
  public static final Signer EMPTY = new Signer(new byte[0], new byte[0], -1, new byte[0], null);

  private final byte[] address;
  private final byte[] pubKey;
  private final int keyType;
  private final byte[] rawKey;

  /** The decoded key; null only for {@link #EMPTY}. */
  private final @Nullable PublicKey key;

  private Signer(
      byte[] address, byte[] pubKey, int keyType, byte[] rawKey, @Nullable PublicKey key) {
    this.address = address;
    this.pubKey = pubKey;
    this.keyType = keyType;
    this.rawKey = rawKey;
    this.key = key;
  }

  /**
   * {@return a signer from an address and a libp2p-encoded public key}
   *
   * @param address the signer's address, as in the header; copied
   * @param pubKey the public key in libp2p's protobuf encoding; copied
   * @throws InvalidHeaderException if {@code pubKey} is not a libp2p public key Go would accept
   * @throws IllegalArgumentException if {@code pubKey} is empty (use {@link #EMPTY})
   */
  public static Signer of(byte[] address, byte[] pubKey) {
    Objects.requireNonNull(address, "address == null");
    Objects.requireNonNull(pubKey, "pubKey == null");
    if (pubKey.length == 0) {
      throw new IllegalArgumentException("pubKey is empty; a signer without a key is Signer.EMPTY");
    }
    return parse(address.clone(), pubKey.clone(), "Signer");
  }

  /**
   * {@return the signer of an Ed25519 key: address = SHA-256 of the key, pub key in libp2p
   * encoding}
   *
   * @param rawPublicKey the 32-byte Ed25519 public key
   */
  public static Signer ofEd25519(byte[] rawPublicKey) {
    if (rawPublicKey.length != ED25519_KEY_SIZE) {
      throw new IllegalArgumentException(
          "Ed25519 public key must have 32 bytes, not " + rawPublicKey.length);
    }
    byte[] raw = rawPublicKey.clone();
    return new Signer(
        BlockHeader.sha256(raw),
        libp2pEd25519PublicKey(raw),
        KEY_TYPE_ED25519,
        raw,
        PublicKey.fromRaw(KeyType.ED25519, raw));
  }

  static byte[] libp2pEd25519PublicKey(byte[] raw) {
    return new Wire.Writer(36).uint64Field(1, KEY_TYPE_ED25519).bytesField(2, raw).toByteArray();
  }

  /** Parses libp2p's proto2 {@code PublicKey} as Go's {@code crypto.UnmarshalPublicKey} does. */
  private static Signer parse(byte[] address, byte[] pubKey, String what) {
    Wire.Reader r = new Wire.Reader(pubKey, what + ".pub_key");
    long type = -1;
    byte[] data = null;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == ((1 << 3) | Wire.VARINT)) {
        // protobuf-go reads an enum as int32(varint); as a proto2 (closed) enum, an unknown value
        // goes to unknown fields and leaves Type as it was.
        int t = (int) r.readVarint("Type");
        if (t >= KEY_TYPE_RSA && t <= KEY_TYPE_ECDSA) {
          type = t;
        }
      } else if (tag == ((2 << 3) | Wire.BYTES)) {
        data = r.readBytes("Data");
      } else {
        r.skipField(tag);
      }
    }
    if (type < 0) {
      throw r.error("required field Type is not set or not a known key type");
    }
    if (data == null) {
      throw r.error("required field Data is not set");
    }
    if (type == KEY_TYPE_ED25519 && data.length != ED25519_KEY_SIZE) {
      throw r.error("Ed25519 public key must have 32 bytes, not " + data.length);
    }
    PublicKey key;
    try {
      key = PublicKey.fromRaw(KeyType.forNumber((int) type), data);
    } catch (KeyFormatException e) {
      throw r.error(e.getMessage());
    }
    return new Signer(address, pubKey, (int) type, data, key);
  }

  /** Decodes an {@code evnode.v1.Signer} message (merging occurrences is done by the caller). */
  static Signer decode(byte[] address, byte[] pubKey, String what) {
    if (pubKey.length == 0) {
      return EMPTY;
    }
    return parse(address, pubKey, what);
  }

  /** {@return true for {@link #EMPTY}: no public key} */
  public boolean isEmpty() {
    return pubKey.length == 0;
  }

  /** {@return a copy of the address} */
  public byte[] address() {
    return address.clone();
  }

  boolean addressEquals(byte[] other) {
    return Arrays.equals(address, other);
  }

  byte[] addressUnsafe() {
    return address;
  }

  /** {@return a copy of the libp2p-encoded public key; empty for {@link #EMPTY}} */
  public byte[] pubKey() {
    return pubKey.clone();
  }

  /** {@return the libp2p key type ({@code KEY_TYPE_*}), or -1 for {@link #EMPTY}} */
  public int keyType() {
    return keyType;
  }

  /** {@return a copy of the raw key bytes inside the libp2p encoding (32 bytes for Ed25519)} */
  public byte[] rawPublicKey() {
    return rawKey.clone();
  }

  /**
   * {@return whether the address is SHA-256 of the key's Go {@code Raw()} bytes (Go's {@code
   * validateSignerIdentity}); for all but a 65-byte secp256k1 key (whose {@code Raw()} is the
   * compressed form) these are the raw key bytes}
   */
  public boolean addressMatchesKey() {
    return key != null && Arrays.equals(BlockHeader.sha256(key.raw()), address);
  }

  /**
   * Verifies an Ed25519 signature, accepting exactly what Go's {@code ed25519.Verify} accepts
   * (false for a signature that is not 64 bytes): the libp2p {@link PublicKey#verify} of the key.
   *
   * @param message the signed bytes, e.g. {@link BlockHeader#encode()}
   * @param signature the signature
   * @return whether the signature is valid for {@code message}
   * @throws EvNodeValidationException if this signer has no key or not an Ed25519 key
   */
  public boolean verify(byte[] message, byte[] signature) {
    if (isEmpty()) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.SIGNER_PUB_KEY_MISSING, "signer public key is missing");
    }
    if (keyType != KEY_TYPE_ED25519) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.UNSUPPORTED_KEY_TYPE,
          "cannot verify signatures of libp2p key type "
              + keyType
              + "; only Ed25519 (1) is supported");
    }
    return Objects.requireNonNull(key).verify(message, signature);
  }

  /** {@return the decoded libp2p public key, or null for {@link #EMPTY}} */
  public @Nullable PublicKey publicKey() {
    return key;
  }

  /** At least the size of {@link #encode()}, with room for two tags and lengths. */
  int encodedSizeBound() {
    return address.length + pubKey.length + 2 * 11;
  }

  byte[] encode() {
    return new Wire.Writer(encodedSizeBound())
        .bytesProto3(1, address)
        .bytesProto3(2, pubKey)
        .toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signer
        && Arrays.equals(address, ((Signer) o).address)
        && Arrays.equals(pubKey, ((Signer) o).pubKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(address) * 31 + Arrays.hashCode(pubKey);
  }

  @Override
  public String toString() {
    return isEmpty()
        ? "Signer{}"
        : "Signer{address=" + Hash.of(address) + ", keyType=" + keyType + "}";
  }
}
