package io.headersync.libp2p;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.internal.pb.KeysProto;
import java.util.Arrays;
import java.util.Objects;

/**
 * A libp2p public key: an Ed25519 key (ours and most peers'), or a secp256k1, ECDSA or RSA key a
 * remote peer may use. Immutable and thread-safe.
 *
 * <p>{@link #bytes()} is the deterministic libp2p {@code PublicKey} protobuf (Type, then Data,
 * minimal varints, nothing else): the bytes peer ids are derived from and the Noise handshake
 * carries. {@link #unmarshal} and {@link #fromRaw} accept exactly the key material go-libp2p's
 * {@code crypto.UnmarshalPublicKey} accepts (Ed25519: any 32 bytes; secp256k1: compressed,
 * uncompressed or hybrid points as decred's {@code ParsePubKey}; ECDSA: PKIX on P-224/256/384/521;
 * RSA: PKIX of 2048 to 8192 bits) and re-encode it as Go's {@code MarshalPublicKey} does: {@link
 * #raw()} is Go's {@code Raw()} (for a secp256k1 key the compressed point, whatever form was
 * parsed).
 *
 * <p>This is headersync's one implementation of libp2p public keys: Noise identity checks and
 * ev-node signer checks both use it. Ed25519 signatures are verified with exactly Go's {@code
 * crypto/ed25519.Verify} rules (see {@code io.headersync.libp2p.internal.crypto.GoEd25519}).
 *
 * <p>Equality is by type and key material.
 */
public abstract class PublicKey {
  /** The largest public-key protobuf we accept (an 8192-bit RSA key is about 1.1 KiB). */
  public static final int MAX_ENCODED_LENGTH = 4096;

  private final KeyType type;
  private final byte[] raw;

  PublicKey(KeyType type, byte[] raw) {
    this.type = type;
    this.raw = raw.clone();
  }

  /**
   * Parses a libp2p {@code PublicKey} protobuf.
   *
   * @param protobuf the protobuf bytes, as identify and Noise carry them
   * @return the key
   * @throws KeyFormatException if the protobuf is malformed, longer than {@link
   *     #MAX_ENCODED_LENGTH}, of an unknown type, or the key material is invalid for its type
   */
  public static PublicKey unmarshal(byte[] protobuf) {
    Objects.requireNonNull(protobuf, "protobuf == null");
    if (protobuf.length > MAX_ENCODED_LENGTH) {
      throw new KeyFormatException(
          "public key protobuf is " + protobuf.length + " bytes, over " + MAX_ENCODED_LENGTH);
    }
    KeysProto.PublicKey pb;
    try {
      pb = KeysProto.PublicKey.parseFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw new KeyFormatException("malformed public key protobuf: " + e.getMessage(), e);
    }
    return fromRaw(toKeyType(pb.getType()), pb.getData().toByteArray());
  }

  /**
   * Builds a key from its type and raw key material (the protobuf {@code Data} field).
   *
   * @param type the key type
   * @param data the key material, e.g. 32 bytes for Ed25519
   * @return the key
   * @throws KeyFormatException if the material is invalid for the type
   */
  public static PublicKey fromRaw(KeyType type, byte[] data) {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(data, "data == null");
    switch (type) {
      case ED25519:
        return new Ed25519PublicKey(data);
      case SECP256K1:
        return new Secp256k1PublicKey(data);
      case ECDSA:
        return new EcdsaPublicKey(data);
      case RSA:
        return new RsaPublicKey(data);
      default:
        throw new KeyFormatException("unsupported key type " + type);
    }
  }

  static KeyType toKeyType(KeysProto.KeyType t) {
    switch (t) {
      case RSA:
        return KeyType.RSA;
      case Ed25519:
        return KeyType.ED25519;
      case Secp256k1:
        return KeyType.SECP256K1;
      case ECDSA:
        return KeyType.ECDSA;
      default:
        throw new KeyFormatException("unsupported key type " + t);
    }
  }

  static KeysProto.KeyType toProto(KeyType t) {
    return KeysProto.KeyType.forNumber(t.number());
  }

  /** {@return the key type} */
  public final KeyType type() {
    return type;
  }

  /** {@return the raw key material (the protobuf {@code Data} field); a copy} */
  public final byte[] raw() {
    return raw.clone();
  }

  /** {@return the deterministic libp2p {@code PublicKey} protobuf encoding} */
  public final byte[] bytes() {
    return KeysProto.PublicKey.newBuilder()
        .setType(toProto(type))
        .setData(ByteString.copyFrom(raw))
        .build()
        .toByteArray();
  }

  /** {@return the peer id of this key} */
  public final PeerId peerId() {
    return PeerId.fromPublicKey(this);
  }

  /**
   * Verifies {@code signature} over {@code data} with this key's libp2p signature scheme (see the
   * type's class). Returns false for a malformed or wrong signature; never throws for bad input.
   *
   * @param data the signed message
   * @param signature the signature to check
   * @return true only for a valid signature of {@code data} by this key
   */
  public abstract boolean verify(byte[] data, byte[] signature);

  @Override
  public final boolean equals(Object o) {
    return o instanceof PublicKey
        && ((PublicKey) o).type == type
        && Arrays.equals(((PublicKey) o).raw, raw);
  }

  @Override
  public final int hashCode() {
    return type.hashCode() * 31 + Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return type + " public key of " + peerId();
  }
}
