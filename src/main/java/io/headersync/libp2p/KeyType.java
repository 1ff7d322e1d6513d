package io.headersync.libp2p;

/** libp2p key types, with their numbers in the {@code KeyType} protobuf enum. */
public enum KeyType {
  RSA(0),
  ED25519(1),
  SECP256K1(2),
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
