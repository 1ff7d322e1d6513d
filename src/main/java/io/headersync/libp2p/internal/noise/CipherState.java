package io.headersync.libp2p.internal.noise;

import io.headersync.annotation.Nullable;

/**
 * A Noise CipherState: a key (or none) and a 64-bit nonce counter. The nonce starts at 0 and
 * increments after every encryption or decryption, successful or not being irrelevant because a
 * failed decryption ends the connection. Nonce 2^64 - 1 is reserved: an operation that would use it
 * fails with {@code NONCE_EXHAUSTED} (libp2p has no rekey; the connection must end). Not
 * thread-safe.
 */
public final class CipherState {
  /** The reserved nonce 2^64 - 1, as a signed long. */
  static final long MAX_NONCE = -1L;

  private final Aead.Factory aeads;
  @Nullable private Aead aead;
  private long n;

  CipherState(Aead.Factory aeads) {
    this.aeads = aeads;
  }

  /** A cipher state holding {@code key}. */
  public static CipherState withKey(Aead.Factory aeads, byte[] key) {
    CipherState cs = new CipherState(aeads);
    cs.initializeKey(key);
    return cs;
  }

  void initializeKey(byte[] key) {
    this.aead = aeads.create(key);
    this.n = 0;
  }

  boolean hasKey() {
    return aead != null;
  }

  /** The next nonce (for tests). */
  public long nonce() {
    return n;
  }

  /** For tests of the nonce limit. */
  void setNonce(long nonce) {
    this.n = nonce;
  }

  private Aead next() {
    if (n == MAX_NONCE) {
      throw new NoiseException(
          NoiseException.Reason.NONCE_EXHAUSTED, "nonce exhausted; the connection must end");
    }
    Aead a = aead;
    if (a == null) {
      throw new IllegalStateException("cipher state has no key");
    }
    return a;
  }

  /** Encrypts into {@code out} at {@code outOff}; writes {@code len + 16} bytes. */
  public void encryptWithAd(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    Aead a = next();
    a.seal(n, ad, in, inOff, len, out, outOff);
    n++;
  }

  /**
   * Decrypts into {@code out} at {@code outOff}; writes {@code len - 16} bytes.
   *
   * @throws NoiseException on authentication failure
   */
  public void decryptWithAd(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    Aead a = next();
    long nonce = n++;
    a.open(nonce, ad, in, inOff, len, out, outOff);
  }

  /** Convenience: encrypts a whole array. */
  public byte[] encrypt(byte[] ad, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + Aead.TAG_LENGTH];
    encryptWithAd(ad, plaintext, 0, plaintext.length, out, 0);
    return out;
  }

  /** Convenience: decrypts a whole array. */
  public byte[] decrypt(byte[] ad, byte[] ciphertext) {
    if (ciphertext.length < Aead.TAG_LENGTH) {
      throw new NoiseException(NoiseException.Reason.MALFORMED, "ciphertext shorter than a tag");
    }
    byte[] out = new byte[ciphertext.length - Aead.TAG_LENGTH];
    decryptWithAd(ad, ciphertext, 0, ciphertext.length, out, 0);
    return out;
  }
}
