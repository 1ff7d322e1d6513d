package io.headersync.libp2p.internal.noise;

/**
 * ChaCha20-Poly1305 (RFC 8439) for one key, with Noise's nonce layout: 4 zero bytes then the 64-bit
 * counter little-endian. Implementations are not thread-safe; each direction of a connection has
 * its own.
 */
public interface Aead {
  /** The tag length. */
  int TAG_LENGTH = 16;

  /**
   * Encrypts {@code in[inOff, inOff+len)} into {@code out} at {@code outOff} ({@code len + 16}
   * bytes).
   */
  void seal(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

  /**
   * Decrypts and authenticates {@code in[inOff, inOff+len)} into {@code out} at {@code outOff}
   * ({@code len - 16} bytes).
   *
   * @throws NoiseException {@code DECRYPT_FAILED} if authentication fails
   */
  void open(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

  /** Creates {@link Aead}s; the choice of provider is made once, in {@link #DEFAULT}. */
  interface Factory {
    Aead create(byte[] key);
  }

  /**
   * The JDK's SunJCE ChaCha20-Poly1305 (slow on JDK 17, far faster with the intrinsics of JDK 21+).
   */
  Factory JDK = JdkAead::new;

  /** Bouncy Castle's low-level ChaCha20Poly1305. */
  Factory BOUNCY_CASTLE = BcAead::new;

  /**
   * The JDK provider whenever the JDK has ChaCha20-Poly1305 (every JDK from 11 on), else Bouncy
   * Castle's, which is already a dependency. JDK 21+ has intrinsics that make the JDK provider ten
   * times faster than on JDK 17. See {@code docs/benchmarks.md}, "Noise transport encryption".
   */
  Factory DEFAULT = JdkAead.isAvailable() ? JDK : BOUNCY_CASTLE;

  static byte[] nonceBytes(long n) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    return iv;
  }
}
