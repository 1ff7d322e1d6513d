package io.headersync.libp2p.internal.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise SymmetricState for SHA-256: chaining key {@code ck}, handshake hash {@code h} and a
 * {@link CipherState}. Not thread-safe.
 *
 * <p>Pitfall: {@code Noise_XX_25519_ChaChaPoly_SHA256} is exactly 32 bytes (HASHLEN), so {@code h}
 * starts as the raw name bytes, not their hash.
 */
public final class SymmetricState {
  /** The libp2p Noise protocol name. */
  public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";

  static final int HASHLEN = 32;

  private final Aead.Factory aeads;
  private final CipherState cs;
  private byte[] ck;
  private byte[] h;

  SymmetricState(String protocolName, Aead.Factory aeads) {
    this.aeads = aeads;
    this.cs = new CipherState(aeads);
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    if (name.length <= HASHLEN) {
      h = new byte[HASHLEN];
      System.arraycopy(name, 0, h, 0, name.length);
    } else {
      h = sha256(name);
    }
    ck = h.clone();
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  void mixHash(byte[] data) {
    mixHash(data, 0, data.length);
  }

  void mixHash(byte[] data, int off, int len) {
    MessageDigest d = digest();
    d.update(h);
    d.update(data, off, len);
    h = d.digest();
  }

  void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm);
    ck = out[0];
    cs.initializeKey(out[1]);
  }

  /** EncryptAndHash: encrypts (or passes through, before the first key) and mixes the result. */
  byte[] encryptAndHash(byte[] plaintext) {
    byte[] c = cs.hasKey() ? cs.encrypt(h, plaintext) : plaintext.clone();
    mixHash(c);
    return c;
  }

  /** DecryptAndHash: the inverse of {@link #encryptAndHash}. */
  byte[] decryptAndHash(byte[] ciphertext) {
    byte[] p = cs.hasKey() ? cs.decrypt(h, ciphertext) : ciphertext.clone();
    mixHash(ciphertext);
    return p;
  }

  boolean hasKey() {
    return cs.hasKey();
  }

  /** Split: {@code [c1, c2]}; c1 protects initiator-to-responder traffic. */
  CipherState[] split() {
    byte[][] k = hkdf(ck, new byte[0]);
    return new CipherState[] {CipherState.withKey(aeads, k[0]), CipherState.withKey(aeads, k[1])};
  }

  /**
   * Noise's HKDF with two outputs: {@code t = HMAC(ck, ikm)}, {@code o1 = HMAC(t, 0x01)}, {@code o2
   * = HMAC(t, o1 ‖ 0x02)}.
   */
  static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
    byte[] temp = hmac(chainingKey, ikm);
    byte[] o1 = hmac(temp, new byte[] {1});
    byte[] in2 = new byte[HASHLEN + 1];
    System.arraycopy(o1, 0, in2, 0, HASHLEN);
    in2[HASHLEN] = 2;
    byte[] o2 = hmac(temp, in2);
    return new byte[][] {o1, o2};
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] data) {
    return digest().digest(data);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
