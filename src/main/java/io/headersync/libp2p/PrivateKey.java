package io.headersync.libp2p;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.internal.pb.KeysProto;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 identity key: the node's own key, used to sign (Noise handshake payloads, pubsub
 * messages). Immutable and thread-safe. {@link #toString()} never reveals the secret.
 *
 * <p>{@link #bytes()} is the libp2p {@code PrivateKey} protobuf with {@code Data = seed(32) ‖
 * pub(32)}, the format go-libp2p, go-header and ev-node store node keys in. {@link #unmarshal} also
 * accepts the legacy 96-byte form {@code seed ‖ pub ‖ pub}.
 */
public final class PrivateKey {
  private final byte[] seed;
  private final Ed25519PublicKey publicKey;
  private final byte[] pub;

  private PrivateKey(byte[] seed) {
    this.seed = seed.clone();
    this.pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(this.seed, 0, pub, 0);
    this.publicKey = new Ed25519PublicKey(pub);
  }

  /**
   * Generates a fresh Ed25519 key from {@code random} (inject a fixed source in tests).
   *
   * @param random the randomness of the 32-byte seed
   * @return the new key
   */
  public static PrivateKey generateEd25519(SecureRandom random) {
    Objects.requireNonNull(random, "random == null");
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    Ed25519.generatePrivateKey(random, seed);
    return new PrivateKey(seed);
  }

  /**
   * {@return the Ed25519 key with this 32-byte RFC 8032 seed}
   *
   * @param seed the 32-byte seed
   * @throws KeyFormatException if the seed is not 32 bytes
   */
  public static PrivateKey ed25519FromSeed(byte[] seed) {
    Objects.requireNonNull(seed, "seed == null");
    if (seed.length != Ed25519.SECRET_KEY_SIZE) {
      throw new KeyFormatException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    return new PrivateKey(seed);
  }

  /**
   * {@return the Ed25519 key from Go's raw form ({@code crypto.UnmarshalEd25519PrivateKey}): 64
   * bytes {@code seed ‖ pub}, or the legacy 96 bytes {@code seed ‖ pub ‖ pub}}
   *
   * @param raw the raw key bytes
   * @throws KeyFormatException if the length is wrong or the public half does not match the seed
   */
  public static PrivateKey ed25519FromRaw(byte[] raw) {
    Objects.requireNonNull(raw, "raw == null");
    byte[] data = raw.clone();
    try {
      return fromRawData(data);
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  private static PrivateKey fromRawData(byte[] data) {
    if (data.length == 96) {
      if (!Arrays.equals(data, 32, 64, data, 64, 96)) {
        throw new KeyFormatException(
            "legacy 96-byte Ed25519 private key has two different public keys");
      }
    } else if (data.length != 64) {
      throw new KeyFormatException(
          "Ed25519 private key must be 64 bytes (seed ‖ public key), got " + data.length);
    }
    PrivateKey key = new PrivateKey(Arrays.copyOf(data, 32));
    if (!MessageDigest.isEqual(key.pub, Arrays.copyOfRange(data, 32, 64))) {
      throw new KeyFormatException("Ed25519 private key's public half does not match its seed");
    }
    return key;
  }

  /**
   * {@return Go's raw form: 64 bytes {@code seed ‖ pub} (the protobuf's {@code Data})} A fresh
   * copy; it is the secret key, so handle it with care.
   */
  public byte[] raw() {
    byte[] data = new byte[64];
    System.arraycopy(seed, 0, data, 0, 32);
    System.arraycopy(pub, 0, data, 32, 32);
    return data;
  }

  /**
   * Parses a libp2p {@code PrivateKey} protobuf holding an Ed25519 key.
   *
   * @param protobuf the protobuf bytes, as {@link #bytes()} or Go's {@code
   *     crypto.MarshalPrivateKey} writes them
   * @return the key
   * @throws KeyFormatException if malformed, not Ed25519, not 64 (or legacy 96) bytes, or the
   *     embedded public key does not match the seed
   */
  public static PrivateKey unmarshal(byte[] protobuf) {
    Objects.requireNonNull(protobuf, "protobuf == null");
    if (protobuf.length > PublicKey.MAX_ENCODED_LENGTH) {
      throw new KeyFormatException("private key protobuf is " + protobuf.length + " bytes");
    }
    KeysProto.PrivateKey pb;
    try {
      pb = KeysProto.PrivateKey.parseFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw new KeyFormatException("malformed private key protobuf: " + e.getMessage(), e);
    }
    KeyType type = PublicKey.toKeyType(pb.getType());
    if (type != KeyType.ED25519) {
      throw new KeyFormatException("only Ed25519 private keys are supported, got " + type);
    }
    byte[] data = pb.getData().toByteArray();
    try {
      return fromRawData(data);
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  /** {@return the key type: always {@link KeyType#ED25519}, the only private key type supported} */
  public KeyType type() {
    return KeyType.ED25519;
  }

  /** {@return the matching public key} */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** {@return the peer id of this identity} */
  public PeerId peerId() {
    return publicKey.peerId();
  }

  /** {@return the 32-byte RFC 8032 seed; a copy} Handle with care. */
  public byte[] seed() {
    return seed.clone();
  }

  /**
   * Signs {@code data} with pure Ed25519 (RFC 8032, no pre-hash).
   *
   * @param data the message
   * @return the 64-byte signature
   */
  public byte[] sign(byte[] data) {
    Objects.requireNonNull(data, "data == null");
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, pub, 0, data, 0, data.length, sig, 0);
    return sig;
  }

  /** {@return the libp2p {@code PrivateKey} protobuf: type Ed25519, {@code Data = seed ‖ pub}} */
  public byte[] bytes() {
    byte[] data = raw();
    byte[] out =
        KeysProto.PrivateKey.newBuilder()
            .setType(KeysProto.KeyType.Ed25519)
            .setData(ByteString.copyFrom(data))
            .build()
            .toByteArray();
    Arrays.fill(data, (byte) 0);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateKey && MessageDigest.isEqual(((PrivateKey) o).seed, seed);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "Ed25519 private key of " + peerId();
  }
}
