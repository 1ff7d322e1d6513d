package io.headersync.libp2p;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ECDSA (verification only), parsed as go-libp2p does (Go's {@code x509.ParsePKIXPublicKey}, then
 * it must be an ECDSA key): a DER PKIX {@code SubjectPublicKeyInfo} with algorithm {@code
 * id-ecPublicKey}, a named curve among P-224, P-256, P-384 and P-521, and an uncompressed point on
 * it. Signatures are DER ECDSA over SHA-256(message).
 *
 * <p>Pitfall: Go's DER parser is stricter than Bouncy Castle's in corner cases (e.g. BER length
 * forms); such inputs may be accepted here and refused by Go.
 */
final class EcdsaPublicKey extends PublicKey {
  private final ECPublicKeyParameters params;

  EcdsaPublicKey(byte[] data) {
    super(KeyType.ECDSA, data);
    this.params = parse(data);
  }

  private static ECPublicKeyParameters parse(byte[] data) {
    SubjectPublicKeyInfo spki;
    try {
      spki = SubjectPublicKeyInfo.getInstance(data);
    } catch (RuntimeException e) {
      throw new KeyFormatException(
          "ECDSA public key is not a valid PKIX structure: " + e.getMessage(), e);
    }
    AlgorithmIdentifier alg = spki.getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
      throw new KeyFormatException("not an ECDSA public key");
    }
    ASN1Encodable curveParams = alg.getParameters();
    if (!(curveParams instanceof ASN1ObjectIdentifier)) {
      throw new KeyFormatException("ECDSA key without a named curve");
    }
    ASN1ObjectIdentifier oid = (ASN1ObjectIdentifier) curveParams;
    if (!oid.equals(SECObjectIdentifiers.secp224r1)
        && !oid.equals(X9ObjectIdentifiers.prime256v1)
        && !oid.equals(SECObjectIdentifiers.secp384r1)
        && !oid.equals(SECObjectIdentifiers.secp521r1)) {
      throw new KeyFormatException("ECDSA key on unsupported curve " + oid);
    }
    X9ECParameters curve = CustomNamedCurves.getByOID(oid);
    if (curve == null) {
      curve = ECNamedCurveTable.getByOID(oid);
    }
    byte[] point;
    try {
      point = spki.getPublicKeyData().getOctets();
    } catch (RuntimeException e) {
      throw new KeyFormatException("ECDSA public key bit string is malformed", e);
    }
    int fieldBytes = (curve.getCurve().getFieldSize() + 7) / 8;
    if (point.length != 1 + 2 * fieldBytes || point[0] != 4) {
      throw new KeyFormatException("ECDSA key is not an uncompressed point");
    }
    ECPoint q = Secp256k1PublicKey.decodePoint(curve.getCurve(), point, "ECDSA");
    ECDomainParameters domain =
        new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
    return new ECPublicKeyParameters(q, domain);
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    return Secp256k1PublicKey.verifyEcdsaSha256(params, data, signature);
  }
}
