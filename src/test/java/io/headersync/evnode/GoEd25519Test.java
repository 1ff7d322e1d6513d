package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

class GoEd25519Test {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void agreesWithBouncyCastleOnOrdinaryKeys() {
    Random random = new Random(5);
    for (int i = 0; i < 20; i++) {
      SignerKey key = SignerKey.generate(random);
      byte[] msg = new byte[random.nextInt(200)];
      random.nextBytes(msg);
      byte[] sig = key.sign(msg);
      assertTrue(GoEd25519.verify(key.publicKey(), msg, sig));
      assertTrue(Ed25519.verify(sig, 0, key.publicKey(), 0, msg, 0, msg.length));
      sig[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
      assertEquals(Ed25519.verify(sig, 0, key.publicKey(), 0, msg, 0, msg.length),
          GoEd25519.verify(key.publicKey(), msg, sig));
    }
  }

  @Test
  void baseAndEncodingRoundTrip() {
    assertEquals("5866666666666666666666666666666666666666666666666666666666666666",
        HEX.formatHex(GoEd25519.encode(GoEd25519.B)));
    SignerKey key = SignerKey.fromSeed(new byte[32]);
    assertArrayEquals(key.publicKey(), GoEd25519.encode(GoEd25519.multiply(secretScalar(new byte[32]), GoEd25519.B)));
  }

  @Test
  void acceptsForgeryUnderTheIdentityKeyAsGoDoes() {
    byte[] identity = HEX.parseHex("01" + "00".repeat(31));
    byte[] forged = HEX.parseHex("5866666666666666666666666666666666666666666666666666666666666666" + "01" + "00".repeat(31));
    assertTrue(GoEd25519.verify(identity, "anything".getBytes(), forged));
    assertFalse(Ed25519.verify(forged, 0, identity, 0, "anything".getBytes(), 0, 8));
  }

  @Test
  void rejectsSignatureWhoseRHasASmallOrderComponentAsGoDoes() throws Exception {
    byte[] seed = new byte[32];
    seed[0] = 9;
    SignerKey key = SignerKey.fromSeed(seed);
    BigInteger a = secretScalar(seed);
    byte[] msg = "m".getBytes();
    BigInteger r = BigInteger.valueOf(123456789);
    // T = (0, -1), the point of order 2.
    GoEd25519.Point t = GoEd25519.decode(HEX.parseHex("ec" + "ff".repeat(30) + "7f"));
    byte[] rEnc = GoEd25519.encode(GoEd25519.add(GoEd25519.multiply(r, GoEd25519.B), t));
    MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
    sha512.update(rEnc);
    sha512.update(key.publicKey());
    sha512.update(msg);
    BigInteger k = GoEd25519.littleEndian(sha512.digest()).mod(GoEd25519.L);
    BigInteger s = r.add(k.multiply(a)).mod(GoEd25519.L);
    byte[] sig = Arrays.copyOf(rEnc, 64);
    byte[] sBe = s.toByteArray();
    for (int i = 0; i < sBe.length && i < 32; i++) {
      sig[32 + i] = sBe[sBe.length - 1 - i];
    }
    assertFalse(GoEd25519.verify(key.publicKey(), msg, sig));
    // Bouncy Castle's cofactored check accepts it; Signer must not.
    assertTrue(Ed25519.verify(sig, 0, key.publicKey(), 0, msg, 0, msg.length));
    assertFalse(key.signer().verify(msg, sig));
  }

  @Test
  void acceptsIdentityRWhenTheEquationHoldsAsGoDoes() throws Exception {
    byte[] seed = new byte[32];
    seed[0] = 10;
    SignerKey key = SignerKey.fromSeed(seed);
    byte[] msg = "m".getBytes();
    byte[] rEnc = HEX.parseHex("01" + "00".repeat(31));
    MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
    sha512.update(rEnc);
    sha512.update(key.publicKey());
    sha512.update(msg);
    BigInteger k = GoEd25519.littleEndian(sha512.digest()).mod(GoEd25519.L);
    BigInteger s = k.multiply(secretScalar(seed)).mod(GoEd25519.L);
    byte[] sig = Arrays.copyOf(rEnc, 64);
    byte[] sBe = s.toByteArray();
    for (int i = 0; i < sBe.length && i < 32; i++) {
      sig[32 + i] = sBe[sBe.length - 1 - i];
    }
    assertTrue(GoEd25519.verify(key.publicKey(), msg, sig));
    assertTrue(key.signer().verify(msg, sig));
  }

  private static BigInteger secretScalar(byte[] seed) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
      byte[] a = Arrays.copyOf(h, 32);
      a[0] &= (byte) 248;
      a[31] &= 127;
      a[31] |= 64;
      return GoEd25519.littleEndian(a);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
