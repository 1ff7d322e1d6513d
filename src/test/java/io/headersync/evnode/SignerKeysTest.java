package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.InvalidHeaderException;
import io.headersync.libp2p.KeyType;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** Signer keys are decoded by libp2p's PublicKey, with Go's Raw() semantics for the address. */
class SignerKeysTest {

  private static byte[] libp2pKey(int type, byte[] data) {
    byte[] out = new byte[4 + data.length];
    out[0] = 0x08;
    out[1] = (byte) type;
    out[2] = 0x12;
    out[3] = (byte) data.length;
    System.arraycopy(data, 0, out, 4, data.length);
    return out;
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  @Test
  void secp256k1UncompressedSignerAddressIsTheHashOfTheCompressedKeyAsInGo() throws Exception {
    X9ECParameters c = CustomNamedCurves.getByName("secp256k1");
    ECPoint q = c.getG().multiply(BigInteger.valueOf(123456789)).normalize();
    byte[] compressed = q.getEncoded(true);
    byte[] uncompressed = q.getEncoded(false);
    byte[] pb = libp2pKey(Signer.KEY_TYPE_SECP256K1, uncompressed);

    // Go: KeyAddress(pubKey) = sha256(pubKey.Raw()), and Raw() is the compressed point.
    Signer goAddress = Signer.of(sha256(compressed), pb);
    assertTrue(goAddress.addressMatchesKey());
    assertFalse(Signer.of(sha256(uncompressed), pb).addressMatchesKey());
    // The libp2p bytes are kept as received; the decoded key is Go's.
    assertArrayEquals(pb, goAddress.pubKey());
    assertArrayEquals(uncompressed, goAddress.rawPublicKey());
    assertEquals(KeyType.SECP256K1, goAddress.publicKey().type());
    assertArrayEquals(compressed, goAddress.publicKey().raw());

    byte[] offCurve = uncompressed.clone();
    offCurve[64] ^= 1;
    assertThrows(
        InvalidHeaderException.class,
        () -> Signer.of(new byte[32], libp2pKey(Signer.KEY_TYPE_SECP256K1, offCurve)));
  }

  @Test
  void ed25519SignerVerifiesThroughTheSharedGoExactVerifier() {
    SignerKey key = SignerKey.fromSeed(new byte[32]);
    byte[] msg = "header".getBytes();
    byte[] sig = key.sign(msg);
    Signer decoded = Signer.of(key.signer().address(), key.signer().pubKey());
    assertTrue(decoded.verify(msg, sig));
    assertTrue(decoded.publicKey().verify(msg, sig));
    assertFalse(decoded.verify(Arrays.copyOf(msg, 7), sig));
    assertFalse(decoded.verify(msg, Arrays.copyOf(sig, 63)));
    assertTrue(decoded.addressMatchesKey());
  }
}
