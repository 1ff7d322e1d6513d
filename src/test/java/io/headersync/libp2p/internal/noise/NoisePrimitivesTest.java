package io.headersync.libp2p.internal.noise;

import static io.headersync.libp2p.Hex.decode;
import static io.headersync.libp2p.Hex.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

class NoisePrimitivesTest {
  @Test
  void x25519Rfc7748Section6_1() {
    byte[] a = decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] b = decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    assertEquals(
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        encode(HandshakeState.publicKey(a)));
    assertEquals(
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        encode(HandshakeState.publicKey(b)));
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertEquals(shared, encode(HandshakeState.dh(a, HandshakeState.publicKey(b))));
    assertEquals(shared, encode(HandshakeState.dh(b, HandshakeState.publicKey(a))));
  }

  @Test
  void x25519RejectsALowOrderPoint() {
    byte[] a = decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    NoiseException e = assertThrows(NoiseException.class, () -> HandshakeState.dh(a, new byte[32]));
    assertEquals(NoiseException.Reason.BAD_KEY, e.reason());
  }

  static final byte[] RFC8439_KEY =
      decode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  static final byte[] RFC8439_IV = decode("070000004041424344454647");
  static final byte[] RFC8439_AAD = decode("50515253c0c1c2c3c4c5c6c7");
  static final byte[] RFC8439_PT =
      ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
              + " future, sunscreen would be it.")
          .getBytes(StandardCharsets.US_ASCII);
  static final String RFC8439_CT =
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
          + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b48"
          + "31d7bc3ff4def08e4b7a9de576d26586cec64b6116"
          + "1ae10b594f09e26a7e902ecbd0600691";

  @Test
  void chachaPolyRfc8439Section2_8_2_jdk() {
    JdkAead aead = new JdkAead(RFC8439_KEY);
    byte[] out = new byte[RFC8439_PT.length + 16];
    aead.sealIv(RFC8439_IV, RFC8439_AAD, RFC8439_PT, 0, RFC8439_PT.length, out, 0);
    assertEquals(RFC8439_CT, encode(out));
    byte[] back = new byte[RFC8439_PT.length];
    new JdkAead(RFC8439_KEY).openIv(RFC8439_IV, RFC8439_AAD, out, 0, out.length, back, 0);
    assertArrayEquals(RFC8439_PT, back);
  }

  @Test
  void chachaPolyRfc8439Section2_8_2_bouncyCastle() {
    BcAead aead = new BcAead(RFC8439_KEY);
    byte[] out = new byte[RFC8439_PT.length + 16];
    aead.sealIv(RFC8439_IV, RFC8439_AAD, RFC8439_PT, 0, RFC8439_PT.length, out, 0);
    assertEquals(RFC8439_CT, encode(out));
    byte[] back = new byte[RFC8439_PT.length];
    aead.openIv(RFC8439_IV, RFC8439_AAD, out, 0, out.length, back, 0);
    assertArrayEquals(RFC8439_PT, back);
    out[3] ^= 1;
    NoiseException e =
        assertThrows(
            NoiseException.class,
            () -> aead.openIv(RFC8439_IV, RFC8439_AAD, out, 0, out.length, back, 0));
    assertEquals(NoiseException.Reason.DECRYPT_FAILED, e.reason());
  }

  @Test
  void noiseNonceIsLittleEndianAfterFourZeroBytes() {
    assertEquals("000000000100000000000000", encode(Aead.nonceBytes(1)));
    assertEquals("000000000807060504030201", encode(Aead.nonceBytes(0x0102030405060708L)));
  }

  @Test
  void bothProvidersAgreeAndRejectTamperedData() {
    byte[] key = new byte[32];
    new Random(1).nextBytes(key);
    byte[] pt = new byte[1000];
    new Random(2).nextBytes(pt);
    CipherState jdk = CipherState.withKey(Aead.JDK, key);
    CipherState bc = CipherState.withKey(Aead.BOUNCY_CASTLE, key);
    for (int i = 0; i < 3; i++) {
      byte[] c = jdk.encrypt(new byte[0], pt);
      assertArrayEquals(c, bc.encrypt(new byte[0], pt), "nonce " + i);
    }
    CipherState dec = CipherState.withKey(Aead.JDK, key);
    byte[] c = CipherState.withKey(Aead.BOUNCY_CASTLE, key).encrypt(new byte[0], pt);
    c[c.length - 1] ^= 1;
    assertEquals(
        NoiseException.Reason.DECRYPT_FAILED,
        assertThrows(NoiseException.class, () -> dec.decrypt(new byte[0], c)).reason());
  }

  @Test
  void hkdfMatchesRfc5869TestCase3() {
    // Noise HKDF(ck, ikm) is RFC 5869 HKDF with salt = ck and empty info; an all-zero ck is
    // RFC 5869's "salt not provided".
    byte[][] out = SymmetricState.hkdf(new byte[32], decode("0b".repeat(22)));
    byte[] okm = new byte[64];
    System.arraycopy(out[0], 0, okm, 0, 32);
    System.arraycopy(out[1], 0, okm, 32, 32);
    assertEquals(
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        encode(Arrays.copyOf(okm, 42)));
  }

  @Test
  void hkdfMatchesBouncyCastleHkdf() {
    Random r = new Random(3);
    for (int i = 0; i < 10; i++) {
      byte[] ck = new byte[32];
      byte[] ikm = new byte[i * 7];
      r.nextBytes(ck);
      r.nextBytes(ikm);
      HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
      g.init(new HKDFParameters(ikm, ck, new byte[0]));
      byte[] expected = new byte[64];
      g.generateBytes(expected, 0, 64);
      byte[][] out = SymmetricState.hkdf(ck, ikm);
      assertArrayEquals(Arrays.copyOf(expected, 32), out[0]);
      assertArrayEquals(Arrays.copyOfRange(expected, 32, 64), out[1]);
    }
  }

  @Test
  void initialHandshakeHashIsTheRawProtocolNameThenTheEmptyPrologue() {
    SymmetricState ss = new SymmetricState(SymmetricState.PROTOCOL_NAME, Aead.DEFAULT);
    assertArrayEquals(
        SymmetricState.PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII), ss.handshakeHash());
  }

  @Test
  void cipherStateRefusesTheReservedNonce() {
    CipherState cs = CipherState.withKey(Aead.DEFAULT, new byte[32]);
    cs.setNonce(-3L); // 2^64 - 3
    cs.encrypt(new byte[0], new byte[1]);
    cs.encrypt(new byte[0], new byte[1]);
    assertEquals(-1L, cs.nonce());
    NoiseException e =
        assertThrows(NoiseException.class, () -> cs.encrypt(new byte[0], new byte[1]));
    assertEquals(NoiseException.Reason.NONCE_EXHAUSTED, e.reason());
  }
}
