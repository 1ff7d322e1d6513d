package io.headersync.libp2p;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.internal.crypto.GoEd25519;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ed25519: 32-byte RFC 8032 key, pure Ed25519 signatures (no prehash, no context), verified with
 * exactly the acceptance rules of Go's {@code crypto/ed25519.Verify} ({@link GoEd25519}): like
 * go-libp2p, any 32 bytes are accepted as a key (Go does not decode the key before verifying), and
 * a key that is not a curve point verifies nothing.
 *
 * <p>The decoded point and its precomputed multiples ({@link GoEd25519.PreparedKey}) are kept by
 * the instance and in a process-wide cache of up to {@value #MAX_CACHED_KEYS} keys, because ev-node
 * decodes a new key object with every header while a chain has few proposer keys. A key seen for
 * the first time gets the small tables ({@link GoEd25519#prepareForOne}: a peer's identity key in a
 * handshake is used once); its second use builds the large ones ({@link GoEd25519#prepare}, about
 * three verifications once, then each verification takes about half the time of a one-shot one).
 * The cache is emptied when full, so churning it costs only the small preparation per signature.
 */
final class Ed25519PublicKey extends PublicKey {
  static final int KEY_SIZE = 32;
  static final int SIGNATURE_SIZE = 64;

  private final byte[] key;

  /** Decoded on first use; {@link #NOT_A_POINT} when Go cannot decode the key. */
  private volatile @Nullable Object prepared;

  private static final Object NOT_A_POINT = new Object();
  static final int MAX_CACHED_KEYS = 256;
  private static final ConcurrentHashMap<ByteBuffer, Object> PREPARED = new ConcurrentHashMap<>();

  Ed25519PublicKey(byte[] data) {
    super(KeyType.ED25519, check(data));
    this.key = data.clone();
  }

  private static byte[] check(byte[] data) {
    if (data.length != KEY_SIZE) {
      throw new KeyFormatException("Ed25519 public key must be 32 bytes, got " + data.length);
    }
    return data;
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length != SIGNATURE_SIZE) {
      return false;
    }
    Object p = prepared();
    return p != NOT_A_POINT && GoEd25519.verify((GoEd25519.PreparedKey) p, data, signature);
  }

  private Object prepared() {
    Object p = prepared;
    if (p instanceof GoEd25519.PreparedKey && ((GoEd25519.PreparedKey) p).forMany()) {
      return p;
    }
    if (p == NOT_A_POINT) {
      return p;
    }
    ByteBuffer k = ByteBuffer.wrap(key); // key is never modified: a stable map key
    Object cached = PREPARED.get(k);
    if (cached == null) {
      GoEd25519.PreparedKey pk = GoEd25519.prepareForOne(key); // first use: the small tables
      cached = pk == null ? NOT_A_POINT : pk;
    } else if (!((cached == NOT_A_POINT) || ((GoEd25519.PreparedKey) cached).forMany())) {
      cached = GoEd25519.prepare(key); // a key used again: the tables for many signatures
    } else {
      this.prepared = cached;
      return cached;
    }
    if (PREPARED.size() >= MAX_CACHED_KEYS) {
      PREPARED.clear();
    }
    PREPARED.put(k, cached);
    this.prepared = cached;
    return cached;
  }
}
