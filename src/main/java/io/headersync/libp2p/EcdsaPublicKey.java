package io.headersync.libp2p;

import java.io.IOException;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * ECDSA (verification only): DER PKIX SubjectPublicKeyInfo (P-256 and the other named curves BC
 * knows); signatures are DER ECDSA over SHA-256(message).
 */
final class EcdsaPublicKey extends PublicKey {
  private final ECPublicKeyParameters params;

  EcdsaPublicKey(byte[] data) {
    super(KeyType.ECDSA, data);
    AsymmetricKeyParameter k;
    try {
      k = PublicKeyFactory.createKey(data);
    } catch (IOException | RuntimeException e) {
      throw new KeyFormatException("ECDSA public key is not a valid PKIX structure", e);
    }
    if (!(k instanceof ECPublicKeyParameters)) {
      throw new KeyFormatException("ECDSA public key holds a " + k.getClass().getSimpleName());
    }
    this.params = (ECPublicKeyParameters) k;
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    return Secp256k1PublicKey.verifyEcdsaSha256(params, data, signature);
  }
}
