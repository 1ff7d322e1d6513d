package io.headersync.libp2p.internal.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Ed25519 verification with exactly the acceptance rules of Go's {@code crypto/ed25519.Verify}, for
 * the public keys Bouncy Castle refuses to work with.
 *
 * <p>Go decodes the public key leniently (non-canonical y encodings and points of small or mixed
 * order are accepted, as filippo.io/edwards25519 {@code SetBytes} does), requires a canonical
 * {@code S < L} and the top three bits of the last signature byte clear, computes {@code R' = [S]B
 * - [k]A} with {@code k = SHA-512(R || A || M) mod L}, and accepts when the canonical encoding of
 * {@code R'} equals the signature's R bytes (the cofactorless equation). Bouncy Castle rejects
 * small-order and non-canonical public keys outright, so a key only an attacker would make (for
 * instance the identity point, for which {@code [S]B} "signs" anything) verifies in Go but not in
 * Bouncy Castle.
 *
 * <p>Test oracle: slow, straightforward BigInteger arithmetic (about a millisecond) that the fast
 * {@link GoEd25519} is checked against. It was production code before the fast verifier existed and
 * agrees with the Go-generated vectors.
 */
final class GoEd25519Reference {
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger D2 = D.shiftLeft(1).mod(P);
  private static final BigInteger SQRT_M1 =
      BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
  static final Point B;

  static {
    BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
    B = decode(encodeY(y, false));
  }

  private GoEd25519Reference() {}

  /** An extended-coordinates point (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
  static final class Point {
    final BigInteger x;
    final BigInteger y;
    final BigInteger z;
    final BigInteger t;

    Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {
      this.x = x;
      this.y = y;
      this.z = z;
      this.t = t;
    }
  }

  static final Point IDENTITY =
      new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);

  static Point add(Point p, Point q) {
    // add-2008-hwcd-3, complete for Ed25519.
    BigInteger a = p.y.subtract(p.x).multiply(q.y.subtract(q.x)).mod(P);
    BigInteger b = p.y.add(p.x).multiply(q.y.add(q.x)).mod(P);
    BigInteger c = p.t.multiply(D2).multiply(q.t).mod(P);
    BigInteger d = p.z.shiftLeft(1).multiply(q.z).mod(P);
    BigInteger e = b.subtract(a);
    BigInteger f = d.subtract(c);
    BigInteger g = d.add(c);
    BigInteger h = b.add(a);
    return new Point(
        e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P));
  }

  static Point negate(Point p) {
    return new Point(p.x.negate().mod(P), p.y, p.z, p.t.negate().mod(P));
  }

  static Point multiply(BigInteger k, Point p) {
    Point r = IDENTITY;
    for (int i = k.bitLength() - 1; i >= 0; i--) {
      r = add(r, r);
      if (k.testBit(i)) {
        r = add(r, p);
      }
    }
    return r;
  }

  /**
   * Decodes as filippo.io/edwards25519 {@code SetBytes}: y is reduced mod p; null if not a point.
   */
  static Point decode(byte[] enc) {
    byte[] le = enc.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7F;
    BigInteger y = littleEndian(le).mod(P);
    BigInteger yy = y.multiply(y).mod(P);
    BigInteger u = yy.subtract(BigInteger.ONE).mod(P);
    BigInteger v = D.multiply(yy).add(BigInteger.ONE).mod(P);
    // x = u v^3 (u v^7)^((p-5)/8)
    BigInteger v3 = v.modPow(BigInteger.valueOf(3), P);
    BigInteger v7 = v3.multiply(v3).multiply(v).mod(P);
    BigInteger x =
        u.multiply(v3)
            .multiply(u.multiply(v7).modPow(P.subtract(BigInteger.valueOf(5)).shiftRight(3), P))
            .mod(P);
    BigInteger vxx = v.multiply(x).multiply(x).mod(P);
    if (!vxx.equals(u)) {
      if (vxx.equals(u.negate().mod(P))) {
        x = x.multiply(SQRT_M1).mod(P);
      } else {
        return null;
      }
    }
    if (x.testBit(0) != xOdd) {
      x = x.negate().mod(P);
    }
    return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
  }

  static byte[] encode(Point p) {
    BigInteger zi = p.z.modInverse(P);
    BigInteger x = p.x.multiply(zi).mod(P);
    BigInteger y = p.y.multiply(zi).mod(P);
    return encodeY(y, x.testBit(0));
  }

  static byte[] encodeY(BigInteger y, boolean xOdd) {
    byte[] be = y.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < be.length && i < 32; i++) {
      le[i] = be[be.length - 1 - i];
    }
    if (xOdd) {
      le[31] |= (byte) 0x80;
    }
    return le;
  }

  static BigInteger littleEndian(byte[] le) {
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) {
      be[i] = le[le.length - 1 - i];
    }
    return new BigInteger(1, be);
  }

  /** Go's {@code ed25519.Verify(publicKey, message, sig)} for a 32-byte public key. */
  static boolean verify(byte[] publicKey, byte[] message, byte[] sig) {
    if (publicKey.length != 32 || sig.length != 64 || (sig[63] & 0xE0) != 0) {
      return false;
    }
    Point a = decode(publicKey);
    if (a == null) {
      return false;
    }
    BigInteger s = littleEndian(Arrays.copyOfRange(sig, 32, 64));
    if (s.compareTo(L) >= 0) {
      return false;
    }
    MessageDigest sha512;
    try {
      sha512 = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-512 is always available", e);
    }
    sha512.update(sig, 0, 32);
    sha512.update(publicKey);
    sha512.update(message);
    BigInteger k = littleEndian(sha512.digest()).mod(L);
    Point r = add(multiply(s, B), multiply(k, negate(a)));
    return Arrays.equals(encode(r), Arrays.copyOf(sig, 32));
  }
}
