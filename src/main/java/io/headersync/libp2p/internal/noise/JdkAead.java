package io.headersync.libp2p.internal.noise;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** {@link Aead} over {@code Cipher.getInstance("ChaCha20-Poly1305")}. */
final class JdkAead implements Aead {
  private final SecretKeySpec key;
  private final Cipher cipher;

  JdkAead(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
    }
    this.key = new SecretKeySpec(key, "ChaCha20");
    try {
      this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
    }
  }

  static boolean isAvailable() {
    try {
      Cipher.getInstance("ChaCha20-Poly1305");
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public void seal(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    sealIv(Aead.nonceBytes(nonce), ad, in, inOff, len, out, outOff);
  }

  void sealIv(byte[] iv, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
      cipher.updateAAD(ad);
      cipher.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  @Override
  public void open(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    openIv(Aead.nonceBytes(nonce), ad, in, inOff, len, out, outOff);
  }

  void openIv(byte[] iv, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    if (len < TAG_LENGTH) {
      throw new NoiseException(NoiseException.Reason.MALFORMED, "ciphertext shorter than a tag");
    }
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
      cipher.updateAAD(ad);
      cipher.doFinal(in, inOff, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw new NoiseException(NoiseException.Reason.DECRYPT_FAILED, "authentication failed", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }
}
