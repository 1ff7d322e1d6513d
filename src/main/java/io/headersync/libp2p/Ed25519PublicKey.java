package io.headersync.libp2p;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Ed25519: 32-byte RFC 8032 key, pure Ed25519 signatures (no prehash, no context). */
final class Ed25519PublicKey extends PublicKey {
  private final byte[] key;

  Ed25519PublicKey(byte[] data) {
    super(KeyType.ED25519, check(data));
    this.key = data.clone();
  }

  private static byte[] check(byte[] data) {
    if (data.length != Ed25519.PUBLIC_KEY_SIZE) {
      throw new KeyFormatException(
          "Ed25519 public key must be 32 bytes, got " + data.length);
    }
    return data;
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    return Ed25519.verify(signature, 0, key, 0, data, 0, data.length);
  }
}
