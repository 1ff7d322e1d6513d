package io.headersync.libp2p;

import java.io.IOException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * RSA (verification only): DER PKIX SubjectPublicKeyInfo, 2048 to 8192 bits as Go requires;
 * RSASSA-PKCS1-v1_5 over SHA-256.
 */
final class RsaPublicKey extends PublicKey {
  private final RSAKeyParameters params;

  RsaPublicKey(byte[] data) {
    super(KeyType.RSA, data);
    AsymmetricKeyParameter k;
    try {
      k = PublicKeyFactory.createKey(data);
    } catch (IOException | RuntimeException e) {
      throw new KeyFormatException("RSA public key is not a valid PKIX structure", e);
    }
    if (!(k instanceof RSAKeyParameters)) {
      throw new KeyFormatException("RSA public key holds a " + k.getClass().getSimpleName());
    }
    RSAKeyParameters rsa = (RSAKeyParameters) k;
    int bits = rsa.getModulus().bitLength();
    if (bits < 2048 || bits > 8192) {
      throw new KeyFormatException("RSA key of " + bits + " bits, outside 2048..8192");
    }
    this.params = rsa;
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    RSADigestSigner signer = new RSADigestSigner(new SHA256Digest());
    signer.init(false, params);
    signer.update(data, 0, data.length);
    try {
      return signer.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
