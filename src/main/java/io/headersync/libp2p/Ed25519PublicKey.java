package io.headersync.libp2p;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.internal.crypto.GoEd25519;

/**
 * Ed25519: 32-byte RFC 8032 key, pure Ed25519 signatures (no prehash, no context), verified with
 * exactly the acceptance rules of Go's {@code crypto/ed25519.Verify} ({@link GoEd25519}): like
 * go-libp2p, any 32 bytes are accepted as a key (Go does not decode the key before verifying), and
 * a key that is not a curve point verifies nothing. The decoded point and its precomputed
 * multiples are kept after the first verification.
 */
final class Ed25519PublicKey extends PublicKey {
  static final int KEY_SIZE = 32;
  static final int SIGNATURE_SIZE = 64;

  private final byte[] key;
  /** Decoded on first use; {@link #NOT_A_POINT} when Go cannot decode the key. */
  private volatile @Nullable Object prepared;

  private static final Object NOT_A_POINT = new Object();

  Ed25519PublicKey(byte[] data) {
    super(KeyType.ED25519, check(data));
    this.key = data.clone();
  }

  private static byte[] check(byte[] data) {
    if (data.length != KEY_SIZE) {
      throw new KeyFormatException(
          "Ed25519 public key must be 32 bytes, got " + data.length);
    }
    return data;
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length != SIGNATURE_SIZE) {
      return false;
    }
    Object p = prepared;
    if (p == null) {
      GoEd25519.PreparedKey k = GoEd25519.prepare(key);
      p = k == null ? NOT_A_POINT : k;
      prepared = p;
    }
    return p != NOT_A_POINT && GoEd25519.verify((GoEd25519.PreparedKey) p, data, signature);
  }
}
