package io.headersync.libp2p;

import java.io.IOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.RSADigestSigner;

/**
 * RSA (verification only), parsed as go-libp2p does (Go's {@code x509.ParsePKIXPublicKey}, then it
 * must be an RSA key of 2048 to 8192 bits): a DER PKIX {@code SubjectPublicKeyInfo} with algorithm
 * {@code rsaEncryption} and NULL parameters, a positive modulus and a positive exponent that fits
 * Go's {@code int}. Signatures are RSASSA-PKCS1-v1_5 over SHA-256.
 *
 * <p>Pitfall: Go's DER parser is stricter than Bouncy Castle's in corner cases (e.g. BER length
 * forms); such inputs may be accepted here and refused by Go.
 */
final class RsaPublicKey extends PublicKey {
  static final int MIN_BITS = 2048;
  static final int MAX_BITS = 8192;

  private final RSAKeyParameters params;

  RsaPublicKey(byte[] data) {
    super(KeyType.RSA, data);
    this.params = parse(data);
  }

  private static RSAKeyParameters parse(byte[] data) {
    RSAPublicKey key;
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(data);
      AlgorithmIdentifier alg = spki.getAlgorithm();
      if (!PKCSObjectIdentifiers.rsaEncryption.equals(alg.getAlgorithm())) {
        throw new KeyFormatException("not an RSA public key");
      }
      if (!DERNull.INSTANCE.equals(alg.getParameters())) {
        throw new KeyFormatException("RSA key missing NULL parameters");
      }
      key = RSAPublicKey.getInstance(spki.parsePublicKey());
    } catch (IOException | RuntimeException e) {
      if (e instanceof KeyFormatException) {
        throw (KeyFormatException) e;
      }
      throw new KeyFormatException(
          "RSA public key is not a valid PKIX structure: " + e.getMessage(), e);
    }
    BigInteger n = key.getModulus();
    BigInteger e = key.getPublicExponent();
    if (n.signum() <= 0 || e.signum() <= 0) {
      throw new KeyFormatException("RSA modulus or exponent is not a positive number");
    }
    if (e.bitLength() > 63) {
      throw new KeyFormatException("invalid RSA public exponent");
    }
    int bits = n.bitLength();
    if (bits < MIN_BITS) {
      throw new KeyFormatException("RSA key has " + bits + " bits, fewer than " + MIN_BITS);
    }
    if (bits > MAX_BITS) {
      throw new KeyFormatException("RSA key has " + bits + " bits, more than " + MAX_BITS);
    }
    // isInternal: skip Bouncy Castle's modulus sanity checks (small factors), which Go does not
    // make.
    return new RSAKeyParameters(false, n, e, true);
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
