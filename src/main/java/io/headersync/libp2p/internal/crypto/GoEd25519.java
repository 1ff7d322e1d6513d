package io.headersync.libp2p.internal.crypto;

import io.headersync.annotation.Nullable;
import java.math.BigInteger;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * Ed25519 verification with exactly the acceptance rules of Go's {@code crypto/ed25519.Verify}.
 *
 * <p>Go's rules: the public key A is decoded leniently as filippo.io/edwards25519 {@code SetBytes}
 * does (the y coordinate is reduced mod p, so non-canonical encodings are accepted; x = 0 with the
 * sign bit set is accepted; points of small or mixed order are accepted); the signature's S must be
 * canonical ({@code S < L}) and the top three bits of its last byte clear; with {@code k =
 * SHA-512(R || A || M) mod L} the signature is valid when the canonical encoding of {@code [S]B -
 * [k]A} equals the signature's first 32 bytes byte for byte (the cofactorless equation; R itself is
 * never decoded, so a non-canonical or off-curve R simply never matches).
 *
 * <p>Bouncy Castle's {@code Ed25519.verify} differs: it refuses small-order and non-canonical
 * public keys, refuses some R encodings Go would compare, and its equation is cofactored (it
 * accepts an R carrying a small-order component that Go rejects). So this class computes Go's
 * equation itself.
 *
 * <p>How: field arithmetic is Bouncy Castle's {@link X25519Field} (10 limbs of 25.5 bits); point
 * arithmetic (written here) is in extended twisted-Edwards coordinates (X:Y:Z:T) with the complete
 * {@code hwcd} formulas for a = -1, T computed only when an addition follows. Both scalars are
 * recoded into signed sliding windows (wNAF) and split into eight parts of 32 bits, so {@code [S]B
 * + [k](-A)} is one interleaved loop of 32 doublings: S's part p adds from a fixed table of the 64
 * odd multiples 1..127 of [2^(32p)]B (affine), k's part p from the key's table of the 16 odd
 * multiples 1..31 of -[2^(32p)]A (projective, built once per {@link PreparedKey}: a node verifies
 * thousands of headers of one proposer's key). A one-shot {@link #verify(byte[], byte[], byte[])}
 * prepares two parts of 128 bits with 8 multiples each instead, which costs fewer doublings for a
 * single signature. The result is normalised with one inversion and its encoding compared to R. The
 * equation is evaluated exactly (no cofactor, no lattice reduction), so small-order and mixed-order
 * keys get Go's answer. Variable time: only public data (keys, signatures, messages) is processed.
 *
 * <p>Cost, measured against Go's {@code ed25519.Verify} in one run ({@code Ed25519VsGoBenchmark},
 * docs/benchmarks.md): with a prepared key 0.7-0.9x Go's time; a one-shot {@link #verify(byte[],
 * byte[], byte[])}, which decodes the key (a square root) and builds its tables, about 2.3x.
 *
 * <p>Thread-safe; a {@link PreparedKey} is immutable and can be shared.
 */
public final class GoEd25519 {
  /** The group order L = 2^252 + 27742317777372353535851937790883648493. */
  static final BigInteger L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

  private static final BigInteger P =
      BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
  private static final int[] D =
      fieldOf(
          BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P));
  private static final int[] D2 =
      fieldOf(
          BigInteger.valueOf(-121665)
              .multiply(BigInteger.valueOf(121666).modInverse(P))
              .shiftLeft(1)
              .mod(P));

  /** Window widths: the base table holds odd multiples up to 127, a key's table up to 15. */
  private static final int BASE_MAX = 127;

  private static final int KEY_MAX = 15;

  /** A key prepared for many signatures has wider windows: odd multiples up to 31. */
  private static final int PREPARED_KEY_MAX = 31;

  /**
   * The scalars are split into {@value #MAX_PARTS} parts of 32 bits: part p of a scalar is
   * multiplied with [2^(32p)] times its point, so one loop of 32 doublings serves all parts. Eight
   * parts measured faster than four (0.7-0.9x against 1.0-1.2x Go's time in the same runs), for 86
   * KB of fixed tables.
   */
  private static final int MAX_PARTS = 8;

  /** Odd multiples (2i+1)[2^(32p)]B in affine Niels form (y+x, y-x, 2dxy), for p = 0..7. */
  private static final int[][][][] BASE;

  static {
    byte[] b = new byte[32];
    // B = (x, 4/5) with x even; its encoding is 0x58 followed by 31 bytes 0x66.
    b[0] = 0x58;
    for (int i = 1; i < 32; i++) {
      b[i] = 0x66;
    }
    Ext base = decode(b);
    Tmp tmp = new Tmp();
    BASE = new int[MAX_PARTS][][][];
    for (int p = 0; p < MAX_PARTS; p++) {
      if (p > 0) {
        for (int i = 0; i < 256 / MAX_PARTS; i++) {
          dbl(base, i == 256 / MAX_PARTS - 1, tmp);
        }
      }
      BASE[p] = affineTable(base, tmp);
    }
  }

  /** {y+x, y-x, 2dxy} of the odd multiples 1p, 3p, ..., BASE_MAX p, normalised. */
  private static int[][][] affineTable(Ext p, Tmp tmp) {
    Cached[] projective = cachedTable(p, (BASE_MAX + 1) / 2, tmp);
    int[][][] out = new int[3][projective.length][];
    int[] zi = X25519Field.create();
    int[] x = X25519Field.create();
    int[] y = X25519Field.create();
    for (int i = 0; i < projective.length; i++) {
      Cached c = projective[i];
      // c holds Y+X, Y-X, 2dT, 2Z: recover x, y from the sums with 1/(2Z).
      X25519Field.invVar(c.z2, zi);
      X25519Field.add(c.ypx, c.ymx, y); // 2Y
      X25519Field.sub(c.ypx, c.ymx, x); // 2X
      X25519Field.carry(y);
      X25519Field.carry(x);
      X25519Field.mul(y, zi, y);
      X25519Field.mul(x, zi, x);
      X25519Field.normalize(x);
      X25519Field.normalize(y);
      int[] ypx = X25519Field.create();
      int[] ymx = X25519Field.create();
      int[] xy2d = X25519Field.create();
      X25519Field.add(y, x, ypx);
      X25519Field.sub(y, x, ymx);
      X25519Field.mul(x, y, xy2d);
      X25519Field.mul(xy2d, D2, xy2d);
      X25519Field.carry(ypx);
      X25519Field.carry(ymx);
      out[0][i] = ypx;
      out[1][i] = ymx;
      out[2][i] = xy2d;
    }
    return out;
  }

  /** The odd multiples 1p, 3p, ..., (2n-1)p in cached form. */
  private static Cached[] cachedTable(Ext p, int n, Tmp tmp) {
    Cached[] table = new Cached[n];
    Ext twice = new Ext();
    p.copyTo(twice);
    dbl(twice, true, tmp);
    Cached twiceC = new Cached();
    toCached(twice, twiceC);
    Ext cur = new Ext();
    p.copyTo(cur);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        addCached(cur, twiceC, false, tmp);
      }
      table[i] = new Cached();
      toCached(cur, table[i]);
    }
    return table;
  }

  private GoEd25519() {}

  /**
   * A public key decoded as Go decodes it, with precomputed multiples of -[2^(64p)]A: verifying
   * many signatures of one key skips the decoding (a square root) and the tables, and the split of
   * the scalars into parts divides the doublings of each verification by the number of parts.
   */
  public static final class PreparedKey {
    private final byte[] encoded;

    /** Odd multiples (2i+1)(-[2^(256/parts * p)]A) in cached form, per part p. */
    private final Cached[][] parts;

    PreparedKey(byte[] encoded, Cached[][] parts) {
      this.encoded = encoded;
      this.parts = parts;
    }

    /**
     * Whether this key has the tables for many signatures ({@link #prepare}), not one ({@link
     * #prepareForOne}).
     */
    public boolean forMany() {
      return parts.length == MAX_PARTS;
    }
  }

  /**
   * Decodes a 32-byte public key as Go's {@code edwards25519.Point.SetBytes} does and precomputes
   * the tables for verifying many signatures of it: eight parts (32 doublings per verification). It
   * costs about three verifications, once per key.
   *
   * @return null when Go refuses the key (not 32 bytes, or no curve point has that y)
   */
  public static @Nullable PreparedKey prepare(byte[] publicKey) {
    return prepare(publicKey, MAX_PARTS);
  }

  /**
   * Decodes a key as {@link #prepare} does, with the smaller tables that suit a key used for one or
   * two signatures (a peer's identity key in a handshake): about a third of {@link #prepare}'s
   * cost.
   *
   * @return null when Go refuses the key
   */
  public static @Nullable PreparedKey prepareForOne(byte[] publicKey) {
    return prepare(publicKey, 2);
  }

  /** The key's tables for {@code parts} (2 or 8) parts of 256 / parts bits each. */
  static @Nullable PreparedKey prepare(byte[] publicKey, int parts) {
    if (publicKey.length != 32) {
      return null;
    }
    Ext a = decode(publicKey);
    if (a == null) {
      return null;
    }
    // -A: negate x and t.
    X25519Field.negate(a.x, a.x);
    X25519Field.negate(a.t, a.t);
    X25519Field.carry(a.x);
    X25519Field.carry(a.t);
    Tmp tmp = new Tmp();
    int span = 256 / parts;
    Cached[][] tables = new Cached[parts][];
    for (int p = 0; p < parts; p++) {
      if (p > 0) {
        for (int i = 0; i < span; i++) {
          dbl(a, i == span - 1, tmp);
        }
      }
      tables[p] = cachedTable(a, (keyMax(parts) + 1) / 2, tmp);
    }
    return new PreparedKey(publicKey.clone(), tables);
  }

  /**
   * Go's {@code ed25519.Verify(publicKey, message, sig)}; false for a key or signature of the wrong
   * size.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] sig) {
    if (publicKey.length != 32 || sig.length != 64 || (sig[63] & 0xE0) != 0) {
      return false;
    }
    // One signature: two parts, as preparing eight costs more doublings than they save.
    PreparedKey key = prepareForOne(publicKey);
    return key != null && verify(key, message, sig);
  }

  /** Go's {@code ed25519.Verify} for a prepared key. */
  public static boolean verify(PreparedKey key, byte[] message, byte[] sig) {
    if (sig.length != 64 || (sig[63] & 0xE0) != 0) {
      return false;
    }
    byte[] sLe = new byte[32];
    System.arraycopy(sig, 32, sLe, 0, 32);
    if (!lessThanL(sLe)) {
      return false;
    }
    SHA512Digest sha = new SHA512Digest();
    sha.update(sig, 0, 32);
    sha.update(key.encoded, 0, 32);
    sha.update(message, 0, message.length);
    byte[] h = new byte[64];
    sha.doFinal(h, 0);
    byte[] kLe = reduce512(h);

    int[] sNaf = slide(sLe, BASE_MAX);
    int[] kNaf = slide(kLe, keyMax(key.parts.length));
    // [S]B + [k](-A) with S = sum S_p 2^(span p) and k likewise: span doublings, two tables per
    // part.
    Cached[][] keyTables = key.parts;
    int parts = keyTables.length;
    int span = 256 / parts;
    int baseStep = MAX_PARTS / parts;
    int top = span - 1;
    while (top >= 0 && !anyDigit(sNaf, kNaf, top, span, parts)) {
      top--;
    }
    Tmp tmp = new Tmp();
    Ext acc = new Ext();
    acc.setIdentity();
    for (int i = top; i >= 0; i--) {
      if (i != top) {
        dbl(acc, anyDigit(sNaf, kNaf, i, span, parts), tmp);
      }
      for (int p = 0; p < parts; p++) {
        int s = sNaf[i + p * span];
        if (s != 0) {
          addAffine(acc, BASE[p * baseStep], s, tmp);
        }
        int k = kNaf[i + p * span];
        if (k != 0) {
          addCached(acc, keyTables[p][(k < 0 ? -k : k) >> 1], k < 0, tmp);
        }
      }
    }
    return encodeEquals(acc, sig);
  }

  private static int keyMax(int parts) {
    return parts == MAX_PARTS ? PREPARED_KEY_MAX : KEY_MAX;
  }

  /** Whether any part of either scalar has a digit at position i. */
  private static boolean anyDigit(int[] sNaf, int[] kNaf, int i, int span, int parts) {
    for (int p = 0; p < parts; p++) {
      if ((sNaf[i + p * span] | kNaf[i + p * span]) != 0) {
        return true;
      }
    }
    return false;
  }

  // ---- scalars ----

  private static boolean lessThanL(byte[] le) {
    // L's little-endian bytes, compared from the most significant end.
    for (int i = 31; i >= 0; i--) {
      int a = le[i] & 0xFF;
      int b = L_BYTES[i] & 0xFF;
      if (a != b) {
        return a < b;
      }
    }
    return false;
  }

  private static final byte[] L_BYTES = littleEndian(L);

  private static byte[] littleEndian(BigInteger v) {
    byte[] be = v.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < be.length && i < 32; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  private static byte[] reduce512(byte[] le64) {
    byte[] be = new byte[64];
    for (int i = 0; i < 64; i++) {
      be[i] = le64[63 - i];
    }
    return littleEndian(new BigInteger(1, be).mod(L));
  }

  /**
   * Signed window recoding (wNAF): digits are 0 or odd in [-max, max] with max = 2^(w-1) - 1,
   * nonzero digits at least w positions apart, and sum digit[i] 2^i equals the scalar (which must
   * be below 2^253, so no digit goes past index 255). Reads the scalar a window at a time from four
   * 64-bit words: the bit-by-bit recoding it replaced took an eighth of a verification.
   */
  static int[] slide(byte[] le, int max) {
    int w = 32 - Integer.numberOfLeadingZeros(max) + 1; // max = 2^(w-1) - 1
    long[] k = new long[5];
    for (int i = 0; i < 32; i++) {
      k[i >> 3] |= (le[i] & 0xFFL) << ((i & 7) << 3);
    }
    int[] r = new int[256];
    int carry = 0;
    int bit = 0;
    while (bit < 256) {
      if ((int) ((k[bit >> 6] >>> (bit & 63)) & 1) == carry) {
        bit++;
        continue;
      }
      int now = Math.min(w, 256 - bit);
      int word = bits(k, bit, now) + carry;
      carry = (word >> (w - 1)) & 1;
      word -= carry << w;
      r[bit] = word;
      bit += now;
    }
    return r;
  }

  /** {@code n} (at most 31) bits of the little-endian words {@code k} from bit {@code at}. */
  private static int bits(long[] k, int at, int n) {
    int shift = at & 63;
    long v = k[at >> 6] >>> shift;
    if (shift != 0) {
      v |= k[(at >> 6) + 1] << (64 - shift);
    }
    return (int) (v & ((1L << n) - 1));
  }

  // ---- points ----

  /** Extended coordinates: x = X/Z, y = Y/Z, xy = T/Z. */
  static final class Ext {
    final int[] x = X25519Field.create();
    final int[] y = X25519Field.create();
    final int[] z = X25519Field.create();
    final int[] t = X25519Field.create();

    void setIdentity() {
      X25519Field.zero(x);
      X25519Field.one(y);
      X25519Field.one(z);
      X25519Field.zero(t);
    }

    void copyTo(Ext o) {
      X25519Field.copy(x, 0, o.x, 0);
      X25519Field.copy(y, 0, o.y, 0);
      X25519Field.copy(z, 0, o.z, 0);
      X25519Field.copy(t, 0, o.t, 0);
    }
  }

  /** Scratch field elements for one computation (not shared between threads). */
  static final class Tmp {
    final int[] a = X25519Field.create();
    final int[] b = X25519Field.create();
    final int[] c = X25519Field.create();
    final int[] d = X25519Field.create();
    final int[] e = X25519Field.create();
    final int[] f = X25519Field.create();
    final int[] g = X25519Field.create();
    final int[] h = X25519Field.create();
  }

  /** Cached form of a point: Y+X, Y-X, 2dT, 2Z. */
  static final class Cached {
    final int[] ypx = X25519Field.create();
    final int[] ymx = X25519Field.create();
    final int[] t2d = X25519Field.create();
    final int[] z2 = X25519Field.create();
  }

  private static void toCached(Ext p, Cached c) {
    X25519Field.add(p.y, p.x, c.ypx);
    X25519Field.sub(p.y, p.x, c.ymx);
    X25519Field.carry(c.ypx);
    X25519Field.carry(c.ymx);
    X25519Field.mul(p.t, D2, c.t2d);
    X25519Field.add(p.z, p.z, c.z2);
    X25519Field.carry(c.z2);
  }

  /** Decodes as filippo.io/edwards25519 {@code SetBytes}; null when y has no x. */
  static @Nullable Ext decode(byte[] enc) {
    Ext p = new Ext();
    X25519Field.decode(enc, 0, p.y); // drops the sign bit; y may be >= p, which the field reduces
    X25519Field.normalize(p.y);
    int[] u = X25519Field.create();
    int[] v = X25519Field.create();
    X25519Field.sqr(p.y, u);
    X25519Field.mul(u, D, v);
    X25519Field.subOne(u);
    X25519Field.addOne(v);
    if (!X25519Field.sqrtRatioVar(u, v, p.x)) {
      return null;
    }
    X25519Field.normalize(p.x);
    int sign = (enc[31] >> 7) & 1;
    if ((p.x[0] & 1) != sign) {
      X25519Field.negate(p.x, p.x);
      X25519Field.normalize(p.x);
    }
    X25519Field.one(p.z);
    X25519Field.mul(p.x, p.y, p.t);
    return p;
  }

  /**
   * p = 2p (dbl-2008-hwcd with a = -1, signs rearranged); T is computed only when {@code needT},
   * i.e. when an addition follows.
   */
  static void dbl(Ext p, boolean needT, Tmp tmp) {
    int[] a = tmp.a;
    int[] b = tmp.b;
    int[] c = tmp.c;
    int[] e = tmp.e;
    int[] f = tmp.f;
    int[] g = tmp.g;
    int[] h = tmp.h;
    X25519Field.sqr(p.x, a);
    X25519Field.sqr(p.y, b);
    X25519Field.sqr(p.z, c);
    X25519Field.add(c, c, c);
    X25519Field.add(a, b, h);
    X25519Field.add(p.x, p.y, e);
    X25519Field.sqr(e, e);
    X25519Field.sub(h, e, e);
    X25519Field.sub(a, b, g);
    X25519Field.add(c, g, f);
    X25519Field.carry(e);
    X25519Field.carry(f);
    X25519Field.mul(e, f, p.x);
    X25519Field.mul(g, h, p.y);
    X25519Field.mul(f, g, p.z);
    if (needT) {
      X25519Field.mul(e, h, p.t);
    }
  }

  /** p = p + q (or p - q), q in cached form (add-2008-hwcd-3). */
  static void addCached(Ext p, Cached q, boolean negate, Tmp tmp) {
    int[] a = tmp.a;
    int[] b = tmp.b;
    int[] c = tmp.c;
    int[] d = tmp.d;
    int[] e = tmp.e;
    int[] f = tmp.f;
    int[] g = tmp.g;
    int[] h = tmp.h;
    X25519Field.sub(p.y, p.x, a);
    X25519Field.add(p.y, p.x, b);
    X25519Field.mul(a, negate ? q.ypx : q.ymx, a);
    X25519Field.mul(b, negate ? q.ymx : q.ypx, b);
    X25519Field.mul(p.t, q.t2d, c);
    X25519Field.mul(p.z, q.z2, d);
    if (negate) {
      X25519Field.negate(c, c);
    }
    X25519Field.sub(b, a, e);
    X25519Field.sub(d, c, f);
    X25519Field.add(d, c, g);
    X25519Field.add(b, a, h);
    X25519Field.mul(e, f, p.x);
    X25519Field.mul(g, h, p.y);
    X25519Field.mul(f, g, p.z);
    X25519Field.mul(e, h, p.t);
  }

  /**
   * p = p + digit * q for an odd digit, from a table of affine points in Niels form (y+x, y-x,
   * 2dxy).
   */
  private static void addAffine(Ext p, int[][][] table, int digit, Tmp tmp) {
    boolean negate = digit < 0;
    int idx = (negate ? -digit : digit) >> 1;
    int[] ypx = table[0][idx];
    int[] ymx = table[1][idx];
    int[] xy2d = table[2][idx];
    int[] a = tmp.a;
    int[] b = tmp.b;
    int[] c = tmp.c;
    int[] d = tmp.d;
    int[] e = tmp.e;
    int[] f = tmp.f;
    int[] g = tmp.g;
    int[] h = tmp.h;
    X25519Field.sub(p.y, p.x, a);
    X25519Field.add(p.y, p.x, b);
    X25519Field.mul(a, negate ? ypx : ymx, a);
    X25519Field.mul(b, negate ? ymx : ypx, b);
    X25519Field.mul(p.t, xy2d, c);
    if (negate) {
      X25519Field.negate(c, c);
    }
    X25519Field.add(p.z, p.z, d);
    X25519Field.sub(b, a, e);
    X25519Field.sub(d, c, f);
    X25519Field.add(d, c, g);
    X25519Field.add(b, a, h);
    X25519Field.carry(f);
    X25519Field.carry(g);
    X25519Field.mul(e, f, p.x);
    X25519Field.mul(g, h, p.y);
    X25519Field.mul(f, g, p.z);
    X25519Field.mul(e, h, p.t);
  }

  /** Whether the canonical encoding of p equals sig[0..32). */
  private static boolean encodeEquals(Ext p, byte[] sig) {
    int[] zi = X25519Field.create();
    int[] x = X25519Field.create();
    int[] y = X25519Field.create();
    X25519Field.invVar(p.z, zi);
    X25519Field.mul(p.x, zi, x);
    X25519Field.mul(p.y, zi, y);
    X25519Field.normalize(x);
    X25519Field.normalize(y);
    byte[] enc = new byte[32];
    X25519Field.encode(y, enc, 0);
    enc[31] |= (byte) ((x[0] & 1) << 7);
    int diff = 0;
    for (int i = 0; i < 32; i++) {
      diff |= enc[i] ^ sig[i];
    }
    return diff == 0;
  }

  private static int[] fieldOf(BigInteger v) {
    int[] f = X25519Field.create();
    X25519Field.decode(littleEndian(v), 0, f);
    return f;
  }
}
