package io.headersync.libp2p;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * secp256k1 (verification only), parsed as go-libp2p does (decred's {@code secp256k1.ParsePubKey}):
 * a 33-byte compressed point (02/03), a 65-byte uncompressed point (04) or a 65-byte hybrid point
 * (06/07, whose format byte must match y's parity), with coordinates below p and on the curve.
 * {@link #raw()} is the 33-byte compressed form whatever form was parsed, as Go's {@code Raw()}
 * returns, so {@link #bytes()} and the peer id are what Go derives. Signatures are DER-encoded
 * ECDSA over SHA-256(message), parsed strictly (BC's {@link StandardDSAEncoding} rejects
 * non-canonical DER).
 */
final class Secp256k1PublicKey extends PublicKey {
  private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
  private static final ECDomainParameters DOMAIN =
      new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());

  private final ECPublicKeyParameters params;

  Secp256k1PublicKey(byte[] data) {
    this(parse(data));
  }

  private Secp256k1PublicKey(ECPoint point) {
    super(KeyType.SECP256K1, point.getEncoded(true));
    this.params = new ECPublicKeyParameters(point, DOMAIN);
  }

  private static ECPoint parse(byte[] data) {
    byte[] encoded = data;
    if (data.length == 33) {
      if (data[0] != 2 && data[0] != 3) {
        throw new KeyFormatException("secp256k1 key has unsupported format " + (data[0] & 0xFF));
      }
    } else if (data.length == 65) {
      int format = data[0];
      if (format != 4 && format != 6 && format != 7) {
        throw new KeyFormatException("secp256k1 key has unsupported format " + (format & 0xFF));
      }
      if (format != 4) {
        if ((data[64] & 1) != (format & 1)) {
          throw new KeyFormatException("secp256k1 hybrid key has the wrong y parity");
        }
        encoded = data.clone();
        encoded[0] = 4;
      }
    } else {
      throw new KeyFormatException("secp256k1 key has invalid length " + data.length);
    }
    return decodePoint(DOMAIN.getCurve(), encoded, "secp256k1");
  }

  /** Decodes a SEC1 point, refusing coordinates >= p, points off the curve and infinity. */
  static ECPoint decodePoint(ECCurve curve, byte[] encoded, String what) {
    ECPoint p;
    try {
      p = curve.decodePoint(encoded);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new KeyFormatException(what + " key is not a point on the curve: " + e.getMessage(), e);
    }
    if (p.isInfinity()) {
      throw new KeyFormatException(what + " key is the point at infinity");
    }
    return p.normalize();
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
