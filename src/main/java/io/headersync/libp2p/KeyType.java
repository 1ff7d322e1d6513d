package io.headersync.libp2p;

/** libp2p key types, with their numbers in the {@code KeyType} protobuf enum. */
public enum KeyType {
  /**
   * RSA (PKIX-encoded public key); peers' keys of this type are verified, our own keys are Ed25519.
   */
  RSA(0),
  /**
   * Ed25519 (RFC 8032): go-libp2p's default, and the only type headersync generates and signs with.
   */
  ED25519(1),
  /** secp256k1 (the curve of Bitcoin and Ethereum); peers' keys of this type are verified. */
  SECP256K1(2),
  /** ECDSA (PKIX-encoded public key); peers' keys of this type are verified. */
  ECDSA(3);

  private final int number;

  KeyType(int number) {
    this.number = number;
  }

  /** {@return the protobuf enum number} */
  public int number() {
    return number;
  }

  /**
   * {@return the key type with protobuf enum number {@code number}}
   *
   * @param number the protobuf {@code KeyType} enum number, 0 to 3
   * @throws KeyFormatException if no key type has that number
   */
  public static KeyType forNumber(int number) {
    for (KeyType t : values()) {
      if (t.number == number) {
        return t;
      }
    }
    throw new KeyFormatException("unsupported key type " + number);
  }
}
