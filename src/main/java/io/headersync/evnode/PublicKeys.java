package io.headersync.evnode;

import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;

/**
 * Checks the key material of non-Ed25519 libp2p public keys the way go-libp2p's unmarshallers do,
 * so that a signer Go refuses to decode is refused here too:
 * <ul>
 *   <li>Secp256k1: 33-byte compressed (02/03) or 65-byte uncompressed (04) / hybrid (06/07, parity
 *       must match) point on the curve (decred's {@code secp256k1.ParsePubKey});
 *   <li>ECDSA: a PKIX {@code SubjectPublicKeyInfo} with a P-224/256/384/521 named curve and an
 *       uncompressed point on it (Go's {@code x509.ParsePKIXPublicKey});
 *   <li>RSA: a PKIX {@code SubjectPublicKeyInfo} ({@code rsaEncryption}, NULL parameters) with a
 *       positive modulus of 2048 to 8192 bits and a positive exponent.
 * </ul>
 * Pitfall: Go's DER parser is stricter than Bouncy Castle's in corner cases (e.g. BER length
 * forms); such inputs may be accepted here and refused by Go. Signatures of these key types are not
 * verified by headersync ({@link Signer#verify}); ev-node signers are Ed25519.
 */
final class PublicKeys {
  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 8192;

  private PublicKeys() {}

  /** Returns null when Go would accept the key, else what is wrong. */
  static String check(int keyType, byte[] data) {
    try {
      switch (keyType) {
        case Signer.KEY_TYPE_SECP256K1:
          return checkSecp256k1(data);
        case Signer.KEY_TYPE_ECDSA:
          return checkEcdsa(data);
        case Signer.KEY_TYPE_RSA:
          return checkRsa(data);
        default:
          return null;
      }
    } catch (RuntimeException | java.io.IOException e) {
      return "malformed key: " + e.getMessage();
    }
  }

  private static String checkSecp256k1(byte[] data) {
    if (data.length == 33) {
      if (data[0] != 2 && data[0] != 3) {
        return "secp256k1 key has unsupported format " + (data[0] & 0xFF);
      }
    } else if (data.length == 65) {
      int format = data[0];
      if (format != 4 && format != 6 && format != 7) {
        return "secp256k1 key has unsupported format " + (format & 0xFF);
      }
      if (format != 4 && (data[64] & 1) != (format & 1)) {
        return "secp256k1 hybrid key has the wrong y parity";
      }
      if (format != 4) {
        data = data.clone();
        data[0] = 4;
      }
    } else {
      return "secp256k1 key has invalid length " + data.length;
    }
    return decodePoint(CustomNamedCurves.getByName("secp256k1").getCurve(), data);
  }

  private static String decodePoint(ECCurve curve, byte[] encoded) {
    try {
      if (curve.decodePoint(encoded).isInfinity()) {
        return "key is the point at infinity";
      }
      return null;
    } catch (IllegalArgumentException e) {
      return "key is not a point on the curve: " + e.getMessage();
    }
  }

  private static String checkEcdsa(byte[] data) {
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(data);
    AlgorithmIdentifier alg = spki.getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
      return "not an ECDSA public key";
    }
    ASN1Encodable params = alg.getParameters();
    if (!(params instanceof ASN1ObjectIdentifier)) {
      return "ECDSA key without a named curve";
    }
    ASN1ObjectIdentifier curveOid = (ASN1ObjectIdentifier) params;
    if (!curveOid.equals(SECObjectIdentifiers.secp224r1) && !curveOid.equals(X9ObjectIdentifiers.prime256v1)
        && !curveOid.equals(SECObjectIdentifiers.secp384r1) && !curveOid.equals(SECObjectIdentifiers.secp521r1)) {
      return "ECDSA key on unsupported curve " + curveOid;
    }
    X9ECParameters curve = CustomNamedCurves.getByOID(curveOid);
    if (curve == null) {
      curve = org.bouncycastle.asn1.x9.ECNamedCurveTable.getByOID(curveOid);
    }
    byte[] point = spki.getPublicKeyData().getOctets();
    int fieldBytes = (curve.getCurve().getFieldSize() + 7) / 8;
    if (point.length != 1 + 2 * fieldBytes || point[0] != 4) {
      return "ECDSA key is not an uncompressed point";
    }
    return decodePoint(curve.getCurve(), point);
  }

  private static String checkRsa(byte[] data) throws java.io.IOException {
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(data);
    AlgorithmIdentifier alg = spki.getAlgorithm();
    if (!PKCSObjectIdentifiers.rsaEncryption.equals(alg.getAlgorithm())) {
      return "not an RSA public key";
    }
    if (!DERNull.INSTANCE.equals(alg.getParameters())) {
      return "RSA key missing NULL parameters";
    }
    RSAPublicKey key = RSAPublicKey.getInstance(spki.parsePublicKey());
    BigInteger n = key.getModulus();
    if (n.signum() <= 0 || key.getPublicExponent().signum() <= 0) {
      return "RSA modulus or exponent is not positive";
    }
    if (n.bitLength() < MIN_RSA_BITS) {
      return "RSA key has " + n.bitLength() + " bits, fewer than " + MIN_RSA_BITS;
    }
    if (n.bitLength() > MAX_RSA_BITS) {
      return "RSA key has " + n.bitLength() + " bits, more than " + MAX_RSA_BITS;
    }
    return null;
  }
}
