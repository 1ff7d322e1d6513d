package io.headersync.libp2p.internal.noise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * ChaCha20-Poly1305 (RFC 8439) in plain Java: ChaCha20 on local {@code int}s, Poly1305 with five
 * 26-bit limbs in {@code long}s (the "donna-32" layout). Written for JDK 17, whose SunJCE
 * implementation manages about 120 MiB/s here; from JDK 21 on the JDK's intrinsics are faster and
 * {@link Aead#DEFAULT} uses them instead. Proven equal to the JDK provider and to the RFC 8439
 * vectors by {@code JavaAeadTest}.
 *
 * <p>{@code in} and {@code out} may be the same array only at the same offset.
 */
final class JavaAead implements Aead {
  private static final VarHandle LE_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int k0, k1, k2, k3, k4, k5, k6, k7;
  private final byte[] polyKey = new byte[32];
  private final byte[] tag = new byte[TAG_LENGTH];

  JavaAead(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
    }
    k0 = (int) LE_INT.get(key, 0);
    k1 = (int) LE_INT.get(key, 4);
    k2 = (int) LE_INT.get(key, 8);
    k3 = (int) LE_INT.get(key, 12);
    k4 = (int) LE_INT.get(key, 16);
    k5 = (int) LE_INT.get(key, 20);
    k6 = (int) LE_INT.get(key, 24);
    k7 = (int) LE_INT.get(key, 28);
  }

  @Override
  public void seal(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    seal(0, (int) nonce, (int) (nonce >>> 32), ad, in, inOff, len, out, outOff);
  }

  @Override
  public void open(long nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    open(0, (int) nonce, (int) (nonce >>> 32), ad, in, inOff, len, out, outOff);
  }

  /** {@link #seal} with any 12-byte nonce (RFC 8439's vectors do not use Noise's layout). */
  void sealIv(byte[] iv, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    seal((int) LE_INT.get(iv, 0), (int) LE_INT.get(iv, 4), (int) LE_INT.get(iv, 8), ad, in, inOff, len, out, outOff);
  }

  /** {@link #open} with any 12-byte nonce. */
  void openIv(byte[] iv, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    open((int) LE_INT.get(iv, 0), (int) LE_INT.get(iv, 4), (int) LE_INT.get(iv, 8), ad, in, inOff, len, out, outOff);
  }

  private void seal(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    polyKey(n0, n1, n2);
    xor(1, n0, n1, n2, in, inOff, len, out, outOff);
    mac(ad, out, outOff, len, tag);
    System.arraycopy(tag, 0, out, outOff + len, TAG_LENGTH);
  }

  private void open(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    if (len < TAG_LENGTH) {
      throw new NoiseException(NoiseException.Reason.MALFORMED, "ciphertext shorter than a tag");
    }
    int n = len - TAG_LENGTH;
    polyKey(n0, n1, n2);
    mac(ad, in, inOff, n, tag);
    byte[] received = new byte[TAG_LENGTH];
    System.arraycopy(in, inOff + n, received, 0, TAG_LENGTH);
    if (!MessageDigest.isEqual(tag, received)) {
      throw new NoiseException(NoiseException.Reason.DECRYPT_FAILED, "authentication failed");
    }
    xor(1, n0, n1, n2, in, inOff, n, out, outOff);
  }

  /** The one-time Poly1305 key: the first 32 bytes of block 0. */
  private void polyKey(int n0, int n1, int n2) {
    byte[] zeros = new byte[32];
    xor(0, n0, n1, n2, zeros, 0, 32, polyKey, 0);
  }

  /** XORs the ChaCha20 key stream from block {@code counter} (nonce words {@code n0..n2}) over the input. */
  private void xor(int counter, int n0, int n1, int n2, byte[] in, int inOff, int len, byte[] out, int outOff) {
    final int c0 = 0x61707865, c1 = 0x3320646e, c2 = 0x79622d32, c3 = 0x6b206574;
    int pos = 0;
    while (pos < len) {
      int x0 = c0, x1 = c1, x2 = c2, x3 = c3;
      int x4 = k0, x5 = k1, x6 = k2, x7 = k3;
      int x8 = k4, x9 = k5, x10 = k6, x11 = k7;
      int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
      for (int i = 0; i < 10; i++) {
        // column rounds
        x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16);
        x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
        x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8);
        x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
        x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16);
        x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
        x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8);
        x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
        x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16);
        x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
        x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8);
        x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
        x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16);
        x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
        x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8);
        x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
        // diagonal rounds
        x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16);
        x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
        x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8);
        x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
        x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16);
        x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
        x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8);
        x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
        x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16);
        x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
        x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8);
        x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
        x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16);
        x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
        x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8);
        x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
      }
      x0 += c0; x1 += c1; x2 += c2; x3 += c3;
      x4 += k0; x5 += k1; x6 += k2; x7 += k3;
      x8 += k4; x9 += k5; x10 += k6; x11 += k7;
      x12 += counter; x13 += n0; x14 += n1; x15 += n2;
      int i = inOff + pos;
      int o = outOff + pos;
      if (len - pos >= 64) {
        LE_INT.set(out, o, x0 ^ (int) LE_INT.get(in, i));
        LE_INT.set(out, o + 4, x1 ^ (int) LE_INT.get(in, i + 4));
        LE_INT.set(out, o + 8, x2 ^ (int) LE_INT.get(in, i + 8));
        LE_INT.set(out, o + 12, x3 ^ (int) LE_INT.get(in, i + 12));
        LE_INT.set(out, o + 16, x4 ^ (int) LE_INT.get(in, i + 16));
        LE_INT.set(out, o + 20, x5 ^ (int) LE_INT.get(in, i + 20));
        LE_INT.set(out, o + 24, x6 ^ (int) LE_INT.get(in, i + 24));
        LE_INT.set(out, o + 28, x7 ^ (int) LE_INT.get(in, i + 28));
        LE_INT.set(out, o + 32, x8 ^ (int) LE_INT.get(in, i + 32));
        LE_INT.set(out, o + 36, x9 ^ (int) LE_INT.get(in, i + 36));
        LE_INT.set(out, o + 40, x10 ^ (int) LE_INT.get(in, i + 40));
        LE_INT.set(out, o + 44, x11 ^ (int) LE_INT.get(in, i + 44));
        LE_INT.set(out, o + 48, x12 ^ (int) LE_INT.get(in, i + 48));
        LE_INT.set(out, o + 52, x13 ^ (int) LE_INT.get(in, i + 52));
        LE_INT.set(out, o + 56, x14 ^ (int) LE_INT.get(in, i + 56));
        LE_INT.set(out, o + 60, x15 ^ (int) LE_INT.get(in, i + 60));
        pos += 64;
      } else {
        int[] ks = {x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15};
        for (int j = 0; pos < len; j++, pos++) {
          out[outOff + pos] = (byte) (in[inOff + pos] ^ (ks[j >>> 2] >>> ((j & 3) << 3)));
        }
      }
      counter++;
    }
  }

  /** Poly1305 over {@code ad ‖ pad ‖ data ‖ pad ‖ le64(|ad|) ‖ le64(|data|)} with {@link #polyKey}. */
  private void mac(byte[] ad, byte[] data, int off, int len, byte[] outTag) {
    long r0 = (int) LE_INT.get(polyKey, 0) & 0x3ffffffL;
    long r1 = ((int) LE_INT.get(polyKey, 3) >>> 2) & 0x3ffff03L;
    long r2 = ((int) LE_INT.get(polyKey, 6) >>> 4) & 0x3ffc0ffL;
    long r3 = ((int) LE_INT.get(polyKey, 9) >>> 6) & 0x3f03fffL;
    long r4 = ((int) LE_INT.get(polyKey, 12) >>> 8) & 0x00fffffL;
    Poly p = new Poly(r0, r1, r2, r3, r4);
    p.update(ad, 0, ad.length);
    p.update(data, off, len);
    byte[] lengths = new byte[16];
    LE_LONG.set(lengths, 0, (long) ad.length);
    LE_LONG.set(lengths, 8, (long) len);
    p.blocks(lengths, 0, 16);
    p.finish(polyKey, outTag);
  }

  /** Poly1305 state; {@link #update} pads a partial last block with zeros (the AEAD's padding). */
  private static final class Poly {
    private final long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;

    Poly(long r0, long r1, long r2, long r3, long r4) {
      this.r0 = r0;
      this.r1 = r1;
      this.r2 = r2;
      this.r3 = r3;
      this.r4 = r4;
      s1 = r1 * 5;
      s2 = r2 * 5;
      s3 = r3 * 5;
      s4 = r4 * 5;
    }

    void update(byte[] b, int off, int len) {
      int full = len & ~15;
      blocks(b, off, full);
      if (full < len) {
        byte[] last = new byte[16];
        System.arraycopy(b, off + full, last, 0, len - full);
        blocks(last, 0, 16);
      }
    }

    /** Full 16-byte blocks only ({@code len} a multiple of 16). */
    void blocks(byte[] b, int off, int len) {
      long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
      for (int end = off + len; off < end; off += 16) {
        long t0 = (int) LE_INT.get(b, off) & 0xffffffffL;
        long t1 = (int) LE_INT.get(b, off + 4) & 0xffffffffL;
        long t2 = (int) LE_INT.get(b, off + 8) & 0xffffffffL;
        long t3 = (int) LE_INT.get(b, off + 12) & 0xffffffffL;
        h0 += t0 & 0x3ffffff;
        h1 += ((t0 >>> 26) | (t1 << 6)) & 0x3ffffff;
        h2 += ((t1 >>> 20) | (t2 << 12)) & 0x3ffffff;
        h3 += ((t2 >>> 14) | (t3 << 18)) & 0x3ffffff;
        h4 += (t3 >>> 8) | (1L << 24);

        long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
        long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
        long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
        long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
        long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

        long c = d0 >>> 26;
        h0 = d0 & 0x3ffffff;
        d1 += c;
        c = d1 >>> 26;
        h1 = d1 & 0x3ffffff;
        d2 += c;
        c = d2 >>> 26;
        h2 = d2 & 0x3ffffff;
        d3 += c;
        c = d3 >>> 26;
        h3 = d3 & 0x3ffffff;
        d4 += c;
        c = d4 >>> 26;
        h4 = d4 & 0x3ffffff;
        h0 += c * 5;
        c = h0 >>> 26;
        h0 &= 0x3ffffff;
        h1 += c;
      }
      this.h0 = h0;
      this.h1 = h1;
      this.h2 = h2;
      this.h3 = h3;
      this.h4 = h4;
    }

    /** h mod 2^130-5, plus the second half of the key, mod 2^128, little-endian into {@code out}. */
    void finish(byte[] key, byte[] out) {
      long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
      long c = h1 >>> 26;
      h1 &= 0x3ffffff;
      h2 += c;
      c = h2 >>> 26;
      h2 &= 0x3ffffff;
      h3 += c;
      c = h3 >>> 26;
      h3 &= 0x3ffffff;
      h4 += c;
      c = h4 >>> 26;
      h4 &= 0x3ffffff;
      h0 += c * 5;
      c = h0 >>> 26;
      h0 &= 0x3ffffff;
      h1 += c;

      // g = h + 5 - 2^130; take g when it is not negative (h >= p)
      long g0 = h0 + 5;
      c = g0 >>> 26;
      g0 &= 0x3ffffff;
      long g1 = h1 + c;
      c = g1 >>> 26;
      g1 &= 0x3ffffff;
      long g2 = h2 + c;
      c = g2 >>> 26;
      g2 &= 0x3ffffff;
      long g3 = h3 + c;
      c = g3 >>> 26;
      g3 &= 0x3ffffff;
      long g4 = h4 + c - (1L << 26);
      long useH = g4 >> 63; // all ones when g4 < 0
      long useG = ~useH;
      h0 = (h0 & useH) | (g0 & useG);
      h1 = (h1 & useH) | (g1 & useG);
      h2 = (h2 & useH) | (g2 & useG);
      h3 = (h3 & useH) | (g3 & useG);
      h4 = (h4 & useH) | (g4 & useG & 0x3ffffff);

      // h mod 2^128 as four 32-bit words, plus s
      long w0 = (h0 | (h1 << 26)) & 0xffffffffL;
      long w1 = ((h1 >>> 6) | (h2 << 20)) & 0xffffffffL;
      long w2 = ((h2 >>> 12) | (h3 << 14)) & 0xffffffffL;
      long w3 = ((h3 >>> 18) | (h4 << 8)) & 0xffffffffL;
      long f = w0 + ((int) LE_INT.get(key, 16) & 0xffffffffL);
      LE_INT.set(out, 0, (int) f);
      f = w1 + ((int) LE_INT.get(key, 20) & 0xffffffffL) + (f >>> 32);
      LE_INT.set(out, 4, (int) f);
      f = w2 + ((int) LE_INT.get(key, 24) & 0xffffffffL) + (f >>> 32);
      LE_INT.set(out, 8, (int) f);
      f = w3 + ((int) LE_INT.get(key, 28) & 0xffffffffL) + (f >>> 32);
      LE_INT.set(out, 12, (int) f);
    }
  }
}
