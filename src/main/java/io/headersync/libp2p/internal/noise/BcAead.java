package io.headersync.libp2p.internal.noise;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** {@link Aead} over Bouncy Castle's {@link ChaCha20Poly1305}. */
final class BcAead implements Aead {
  private final KeyParameter key;
  private final ChaCha20Poly1305 cipher = new ChaCha20Poly1305();

  BcAead(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
    }
    this.key = new KeyParameter(key.clone());
  }

  @Override
  public void seal(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    sealIv(Aead.nonceBytes(nonce), ad, in, inOff, len, out, outOff);
  }

  void sealIv(byte[] iv, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    cipher.init(true, new AEADParameters(key, 128, iv, ad));
    int n = cipher.processBytes(in, inOff, len, out, outOff);
    try {
      cipher.doFinal(out, outOff + n);
    } catch (InvalidCipherTextException e) {
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
    cipher.init(false, new AEADParameters(key, 128, iv, ad));
    // BC buffers the tag; decrypt into a scratch array so a failed tag never exposes plaintext.
    byte[] tmp = new byte[len - TAG_LENGTH];
    int n = cipher.processBytes(in, inOff, len, tmp, 0);
    try {
      cipher.doFinal(tmp, n);
    } catch (InvalidCipherTextException e) {
      throw new NoiseException(NoiseException.Reason.DECRYPT_FAILED, "authentication failed", e);
    }
    System.arraycopy(tmp, 0, out, outOff, tmp.length);
  }
}
