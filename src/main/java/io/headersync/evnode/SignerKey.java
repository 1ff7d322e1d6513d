package io.headersync.evnode;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key of an ev-node proposer, for signing headers ({@link HeaderSigner}).
 *
 * <p>The key is kept as its 32-byte RFC 8032 seed, as Go's {@code ed25519.NewKeyFromSeed} takes it;
 * {@link #signer()} gives the {@link Signer} a header carries (libp2p-encoded public key and
 * address = SHA-256 of the raw public key, Go's {@code types.NewSigner}). Signatures are
 * deterministic (RFC 8032), so a fixed seed gives byte-identical headers to Go's.
 *
 * <p>Uses Bouncy Castle's low-level {@code rfc8032.Ed25519}. Immutable and thread-safe; the seed is
 * secret and {@link #toString()} does not show it.
 */
public final class SignerKey {
  /** Seed length: 32 bytes. */
  public static final int SEED_SIZE = Ed25519.SECRET_KEY_SIZE;

  /** Raw public key length: 32 bytes. */
  public static final int PUBLIC_KEY_SIZE = Ed25519.PUBLIC_KEY_SIZE;

  private final byte[] seed;
  private final byte[] publicKey;
  private final Signer signer;

  private SignerKey(byte[] seed) {
    this.seed = seed;
    this.publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    this.signer = Signer.ofEd25519(publicKey);
  }

  /**
   * {@return the key of a 32-byte seed (Go's {@code ed25519.NewKeyFromSeed(seed)})}
   *
   * @param seed the 32-byte private seed; copied
   * @throws IllegalArgumentException if {@code seed} is not 32 bytes
   */
  public static SignerKey fromSeed(byte[] seed) {
    Objects.requireNonNull(seed, "seed == null");
    if (seed.length != SEED_SIZE) {
      throw new IllegalArgumentException("Ed25519 seed must have 32 bytes, not " + seed.length);
    }
    return new SignerKey(seed.clone());
  }

  /**
   * {@return a new key from {@code random}: pass a seeded {@link Random} in tests, a {@link
   * SecureRandom} otherwise}
   *
   * @param random the source of the 32-byte seed
   */
  public static SignerKey generate(Random random) {
    Objects.requireNonNull(random, "random == null");
    byte[] seed = new byte[SEED_SIZE];
    random.nextBytes(seed);
    return new SignerKey(seed);
  }

  /** {@return a copy of the 32-byte seed (secret)} */
  public byte[] seed() {
    return seed.clone();
  }

  /** {@return a copy of the raw 32-byte public key} */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * {@return the public key as a libp2p {@code PublicKey} protobuf (Go's {@code
   * crypto.MarshalPublicKey})}
   */
  public byte[] libp2pPublicKey() {
    return signer.pubKey();
  }

  /** {@return SHA-256 of the raw public key: the proposer and signer address} A fresh copy. */
  public byte[] address() {
    return signer.address();
  }

  /** {@return the signer a header signed with this key carries} */
  public Signer signer() {
    return signer;
  }

  /**
   * {@return an Ed25519 signature (64 bytes) of {@code message}}
   *
   * @param message the bytes to sign, e.g. {@link BlockHeader#encode()}
   */
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message == null");
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  @Override
  public String toString() {
    return "SignerKey{address=" + io.headersync.Hash.wrap(address()) + "}";
  }
}
