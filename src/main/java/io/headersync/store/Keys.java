package io.headersync.store;

import io.headersync.Hash;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary key layout of {@link RocksDbStore} under one prefix.
 *
 * <pre>
 *   namespace = len(prefix) (1 byte, 1..255) | prefix (UTF-8)
 *   namespace | 0x01 | height (8 bytes, big-endian)   -> encoded header   (HEADER)
 *   namespace | 0x02 | hash bytes                      -> height (8 bytes BE) (HASH index)
 *   namespace | 0x03 | "head" / "tail"                 -> height (8 bytes BE) (META)
 * </pre>
 *
 * <p>The length byte makes namespaces prefix-free: the namespace of {@code headerEx} ({@code 08
 * 'headerEx'}) is not a prefix of that of {@code headerExtra} ({@code 0B 'headerExtra'}), and no
 * key of one store can fall inside another store's key range. Big-endian heights sort numerically,
 * so a range of headers is one forward iterator scan, bounded above by the HEADER key of the end
 * height.
 */
final class Keys {
  static final byte HEADER = 0x01;
  static final byte HASH = 0x02;
  static final byte META = 0x03;
  static final byte[] HEAD = "head".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TAIL = "tail".getBytes(StandardCharsets.US_ASCII);

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  final String prefix;
  private final byte[] namespace;

  Keys(String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    if (p.length < 1 || p.length > 255) {
      throw new IllegalArgumentException(
          "prefix must be 1 to 255 UTF-8 bytes, got " + p.length + ": \"" + prefix + "\"");
    }
    this.prefix = prefix;
    this.namespace = new byte[p.length + 1];
    namespace[0] = (byte) p.length;
    System.arraycopy(p, 0, namespace, 1, p.length);
  }

  /** The length of a HEADER key; offset of its height is {@link #heightOffset()}. */
  int headerKeyLength() {
    return namespace.length + 1 + 8;
  }

  int heightOffset() {
    return namespace.length + 1;
  }

  byte[] header(long height) {
    byte[] k = Arrays.copyOf(namespace, headerKeyLength());
    k[namespace.length] = HEADER;
    putLong(k, heightOffset(), height);
    return k;
  }

  /** The first key after every HEADER key: the start of the HASH section. */
  byte[] headerSectionEnd() {
    return section(HASH);
  }

  byte[] headerSectionStart() {
    return section(HEADER);
  }

  byte[] hashSectionStart() {
    return section(HASH);
  }

  byte[] hashSectionEnd() {
    return section(META);
  }

  private byte[] section(byte type) {
    byte[] k = Arrays.copyOf(namespace, namespace.length + 1);
    k[namespace.length] = type;
    return k;
  }

  byte[] hash(Hash hash) {
    byte[] k = Arrays.copyOf(namespace, namespace.length + 1 + hash.size());
    k[namespace.length] = HASH;
    for (int i = 0; i < hash.size(); i++) {
      k[namespace.length + 1 + i] = hash.byteAt(i);
    }
    return k;
  }

  byte[] head() {
    return meta(HEAD);
  }

  byte[] tail() {
    return meta(TAIL);
  }

  private byte[] meta(byte[] name) {
    byte[] k = Arrays.copyOf(namespace, namespace.length + 1 + name.length);
    k[namespace.length] = META;
    System.arraycopy(name, 0, k, namespace.length + 1, name.length);
    return k;
  }

  /** Whether {@code key} is a HEADER key of this namespace. */
  boolean isHeaderKey(byte[] key) {
    return key.length == headerKeyLength() && startsWithSection(key, HEADER);
  }

  boolean isHashKey(byte[] key) {
    return key.length > namespace.length + 1 && startsWithSection(key, HASH);
  }

  private boolean startsWithSection(byte[] key, byte type) {
    return Arrays.equals(key, 0, namespace.length, namespace, 0, namespace.length)
        && key[namespace.length] == type;
  }

  /** The height of a HEADER key. */
  long heightOf(byte[] headerKey) {
    return getLong(headerKey, heightOffset());
  }

  /** The hash of a HASH key. */
  Hash hashOf(byte[] hashKey) {
    return Hash.wrap(Arrays.copyOfRange(hashKey, namespace.length + 1, hashKey.length));
  }

  /**
   * The key for messages: readable, then hex, e.g. {@code headerEx/header/42 (hex 08686561...)}.
   */
  String describe(byte[] key) {
    String readable;
    if (key.length > namespace.length
        && Arrays.equals(key, 0, namespace.length, namespace, 0, namespace.length)) {
      byte type = key[namespace.length];
      int rest = namespace.length + 1;
      if (type == HEADER && key.length == rest + 8) {
        readable = prefix + "/header/" + getLong(key, rest);
      } else if (type == HASH) {
        readable =
            prefix + "/hash/" + hex(key, rest, key.length).toUpperCase(java.util.Locale.ROOT);
      } else if (type == META) {
        readable =
            prefix + "/meta/" + new String(key, rest, key.length - rest, StandardCharsets.US_ASCII);
      } else {
        readable = prefix + "/?";
      }
    } else {
      readable = "(not under prefix " + prefix + ")";
    }
    return readable + " (hex " + hex(key, 0, key.length) + ")";
  }

  static byte[] encodeHeight(long height) {
    byte[] v = new byte[8];
    putLong(v, 0, height);
    return v;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  static String hex(byte[] b, int from, int to) {
    char[] out = new char[(to - from) * 2];
    for (int i = from; i < to; i++) {
      out[2 * (i - from)] = HEX[(b[i] >> 4) & 0xF];
      out[2 * (i - from) + 1] = HEX[b[i] & 0xF];
    }
    return new String(out);
  }
}
