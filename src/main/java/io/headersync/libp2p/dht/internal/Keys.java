package io.headersync.libp2p.dht.internal;

import io.headersync.libp2p.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;

/**
 * The Kademlia keyspace of go-libp2p-kbucket: an id is SHA-256 of the key bytes (for a peer, of its
 * peer-id multihash; for content, of the 34-byte multihash {@code 12 20 ‖ digest}); distance is XOR
 * compared as an unsigned big-endian integer; a peer's bucket is its common prefix length (CPL)
 * with the local id.
 */
public final class Keys {
  /** The Kademlia id length in bytes. */
  public static final int ID_LENGTH = 32;

  private Keys() {}

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is part of every JDK", e);
    }
  }

  /** The Kademlia id of a key (a peer-id multihash or a content multihash). */
  public static byte[] kadId(byte[] key) {
    return sha256(key);
  }

  public static byte[] kadId(PeerId peer) {
    return sha256(peer.bytes());
  }

  /**
   * The provider key go-libp2p's routing discovery uses for {@code namespace}: the sha2-256
   * multihash ({@code 0x12 0x20 ‖ SHA-256(utf8(namespace))}) of the raw CIDv1 {@code nsToCid}
   * builds; the DHT uses only {@code cid.Hash()}.
   */
  public static byte[] namespaceKey(String namespace) {
    byte[] digest = sha256(namespace.getBytes(StandardCharsets.UTF_8));
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 32;
    System.arraycopy(digest, 0, mh, 2, 32);
    return mh;
  }

  /** XOR of two ids of equal length. */
  public static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }

  /**
   * Compares the distances of {@code a} and {@code b} to {@code target}: negative if a is closer.
   */
  public static int compareDistance(byte[] target, byte[] a, byte[] b) {
    for (int i = 0; i < target.length; i++) {
      int da = (a[i] ^ target[i]) & 0xFF;
      int db = (b[i] ^ target[i]) & 0xFF;
      if (da != db) {
        return Integer.compare(da, db);
      }
    }
    return 0;
  }

  /** The number of leading bits {@code a} and {@code b} share (256 when equal). */
  public static int commonPrefixLength(byte[] a, byte[] b) {
    for (int i = 0; i < a.length; i++) {
      int x = (a[i] ^ b[i]) & 0xFF;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return a.length * 8;
  }

  /**
   * A key shaped like kbucket's {@code GenRandPeerIDWithCPL}: {@code 12 20 ‖ 4-byte value ‖ 28 zero
   * bytes}, whose Kademlia id has exactly {@code cpl} leading bits in common with {@code local}. Go
   * takes the value from a precomputed table; we search for it (about 2^(cpl+1) SHA-256s, so {@code
   * cpl} is at most 15 as in Go's refresh).
   *
   * @throws IllegalArgumentException if {@code cpl} is not in 0..15
   */
  public static byte[] randomKeyWithCpl(byte[] local, int cpl, Random random) {
    if (cpl < 0 || cpl > 15) {
      throw new IllegalArgumentException("cpl must be in 0..15, got " + cpl);
    }
    byte[] key = new byte[34];
    key[0] = 0x12;
    key[1] = 32;
    int start = random.nextInt();
    for (long i = 0; i < (1L << 24); i++) {
      int v = (int) (start + i);
      key[2] = (byte) (v >>> 24);
      key[3] = (byte) (v >>> 16);
      key[4] = (byte) (v >>> 8);
      key[5] = (byte) v;
      if (commonPrefixLength(kadId(key), local) == cpl) {
        return key;
      }
    }
    throw new AssertionError("no key with cpl " + cpl + " among 2^24 candidates");
  }

  /** Hex for logs. */
  public static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  /** Equality of byte keys. */
  public static boolean same(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
