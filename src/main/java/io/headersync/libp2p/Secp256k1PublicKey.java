package io.headersync.libp2p;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECPoint;

/**
 * secp256k1 (verification only): 33-byte compressed SEC1 point; signatures are DER-encoded ECDSA
 * over SHA-256(message), parsed strictly (BC's {@link StandardDSAEncoding} rejects non-canonical
 * DER).
 */
final class Secp256k1PublicKey extends PublicKey {
  private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
  private static final ECDomainParameters DOMAIN =
      new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());

  private final ECPublicKeyParameters params;

  Secp256k1PublicKey(byte[] data) {
    super(KeyType.SECP256K1, data);
    if (data.length != 33 || (data[0] != 2 && data[0] != 3)) {
      throw new KeyFormatException(
          "secp256k1 public key must be a 33-byte compressed point, got " + data.length + " bytes");
    }
    try {
      ECPoint p = DOMAIN.getCurve().decodePoint(data);
      this.params = new ECPublicKeyParameters(p, DOMAIN);
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("secp256k1 public key is not on the curve", e);
    }
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    return verifyEcdsaSha256(params, data, signature);
  }

  static boolean verifyEcdsaSha256(ECPublicKeyParameters key, byte[] data, byte[] signature) {
    BigInteger[] rs;
    try {
      rs = StandardDSAEncoding.INSTANCE.decode(key.getParameters().getN(), signature);
    } catch (Exception e) {
      return false;
    }
    SHA256Digest d = new SHA256Digest();
    d.update(data, 0, data.length);
    byte[] hash = new byte[32];
    d.doFinal(hash, 0);
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, key);
    return signer.verifySignature(hash, rs[0], rs[1]);
  }
}
