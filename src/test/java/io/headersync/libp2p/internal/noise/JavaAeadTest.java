package io.headersync.libp2p.internal.noise;

import static io.headersync.libp2p.internal.noise.NoisePrimitivesTest.RFC8439_AAD;
import static io.headersync.libp2p.internal.noise.NoisePrimitivesTest.RFC8439_CT;
import static io.headersync.libp2p.internal.noise.NoisePrimitivesTest.RFC8439_IV;
import static io.headersync.libp2p.internal.noise.NoisePrimitivesTest.RFC8439_KEY;
import static io.headersync.libp2p.internal.noise.NoisePrimitivesTest.RFC8439_PT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JavaAead}: RFC 8439's vector and, for many shapes, byte equality with the JDK provider. */
class JavaAeadTest {
  @Test
  void rfc8439Section2_8_2() {
    JavaAead aead = new JavaAead(RFC8439_KEY);
    byte[] out = new byte[RFC8439_PT.length + 16];
    aead.sealIv(RFC8439_IV, RFC8439_AAD, RFC8439_PT, 0, RFC8439_PT.length, out, 0);
    assertEquals(RFC8439_CT, HexFormat.of().formatHex(out));
    byte[] back = new byte[RFC8439_PT.length];
    aead.openIv(RFC8439_IV, RFC8439_AAD, out, 0, out.length, back, 0);
    assertArrayEquals(RFC8439_PT, back);
  }

  /** Lengths around every block boundary (ChaCha20: 64, Poly1305: 16), both AD shapes, big nonces. */
  @Test
  void equalsTheJdkProviderForEveryShape() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 40; trial++) {
      byte[] key = new byte[32];
      rnd.nextBytes(key);
      JavaAead ours = new JavaAead(key);
      long nonce = trial < 20 ? trial : rnd.nextLong() & Long.MAX_VALUE | (trial == 39 ? Long.MIN_VALUE : 0);
      byte[] ad = new byte[trial % 3 == 0 ? 0 : rnd.nextInt(40)];
      rnd.nextBytes(ad);
      for (int len : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300 + trial, 4096,
          NoiseTransportCodec.MAX_PLAINTEXT}) {
        byte[] pt = new byte[len + 3];
        rnd.nextBytes(pt);
        byte[] a = new byte[len + 16 + 5];
        byte[] b = new byte[len + 16 + 5];
        ours.seal(nonce, ad, pt, 3, len, a, 5);
        new JdkAead(key).seal(nonce, ad, pt, 3, len, b, 5); // the JDK refuses a nonce twice per object
        assertArrayEquals(b, a, "len " + len + ", nonce " + nonce);
        byte[] back = new byte[len + 7];
        ours.open(nonce, ad, a, 5, len + 16, back, 7);
        assertArrayEquals(Arrays.copyOfRange(pt, 3, 3 + len), Arrays.copyOfRange(back, 7, 7 + len));
      }
    }
  }

  @Test
  void sealsAndOpensInPlace() {
    byte[] key = new byte[32];
    key[0] = 9;
    byte[] pt = new byte[1000];
    new Random(3).nextBytes(pt);
    byte[] expected = new byte[1016];
    new JdkAead(key).seal(7, new byte[0], pt, 0, 1000, expected, 0);
    byte[] buf = Arrays.copyOf(pt, 1016);
    JavaAead aead = new JavaAead(key);
    aead.seal(7, new byte[0], buf, 0, 1000, buf, 0);
    assertArrayEquals(expected, buf);
    aead.open(7, new byte[0], buf, 0, 1016, buf, 0);
    assertArrayEquals(pt, Arrays.copyOf(buf, 1000));
  }

  @Test
  void rejectsATamperedMessageAnywhereWithoutWritingPlaintext() {
    byte[] key = new byte[32];
    JavaAead aead = new JavaAead(key);
    byte[] pt = new byte[100];
    byte[] ad = {1, 2, 3};
    byte[] c = new byte[116];
    aead.seal(1, ad, pt, 0, 100, c, 0);
    for (int i : new int[] {0, 50, 99, 100, 115}) {
      byte[] t = c.clone();
      t[i] ^= 0x40;
      byte[] out = new byte[100];
      Arrays.fill(out, (byte) 0x55);
      NoiseException e = assertThrows(NoiseException.class, () -> aead.open(1, ad, t, 0, 116, out, 0));
      assertEquals(NoiseException.Reason.DECRYPT_FAILED, e.reason());
      byte[] untouched = new byte[100];
      Arrays.fill(untouched, (byte) 0x55);
      assertArrayEquals(untouched, out, "plaintext written for a forged message");
    }
    assertEquals(NoiseException.Reason.DECRYPT_FAILED,
        assertThrows(NoiseException.class, () -> aead.open(2, ad, c, 0, 116, new byte[100], 0)).reason());
    assertEquals(NoiseException.Reason.DECRYPT_FAILED,
        assertThrows(NoiseException.class, () -> aead.open(1, new byte[0], c, 0, 116, new byte[100], 0)).reason());
    assertEquals(NoiseException.Reason.MALFORMED,
        assertThrows(NoiseException.class, () -> aead.open(1, ad, c, 0, 15, new byte[0], 0)).reason());
  }

  /** Poly1305's final reduction: tags where h lands at or just above 2^130 - 5 are exercised by many keys. */
  @Test
  void equalsTheJdkProviderForManyKeys() {
    Random rnd = new Random(7);
    byte[] pt = new byte[48];
    for (int i = 0; i < 2000; i++) {
      byte[] key = new byte[32];
      rnd.nextBytes(key);
      if (i % 4 == 0) {
        Arrays.fill(key, (byte) 0xff);
        key[i % 32] = (byte) i;
      }
      rnd.nextBytes(pt);
      if (i % 5 == 0) {
        Arrays.fill(pt, (byte) 0xff);
      }
      byte[] a = new byte[64];
      byte[] b = new byte[64];
      new JavaAead(key).seal(i, pt, pt, 0, 48, a, 0);
      new JdkAead(key).seal(i, pt, pt, 0, 48, b, 0);
      assertArrayEquals(b, a, "key " + i);
    }
  }
}
