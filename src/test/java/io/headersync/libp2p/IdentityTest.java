package io.headersync.libp2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.test.FixedSecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
  // Spec vectors, libp2p/specs peer-ids/peer-ids.md.
  static final String ED_PUB =
      "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
  static final String ED_PRIV =
      "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
          + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
  static final String SECP_PUB =
      "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";
  static final String ED_PEER = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
  static final String ED_CID = "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6";
  static final String SECP_PEER = "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";

  @Test
  void ed25519SpecVectorsRoundTrip() {
    PrivateKey priv = PrivateKey.unmarshal(Hex.decode(ED_PRIV));
    assertEquals(ED_PRIV, Hex.encode(priv.bytes()));
    assertEquals(ED_PUB, Hex.encode(priv.publicKey().bytes()));
    PublicKey pub = PublicKey.unmarshal(Hex.decode(ED_PUB));
    assertEquals(pub, priv.publicKey());
    assertEquals(KeyType.ED25519, pub.type());
    assertEquals(ED_PEER, pub.peerId().toString());
    assertEquals(ED_CID, pub.peerId().toCid());
    assertEquals("0024" + ED_PUB, Hex.encode(pub.peerId().bytes()));
  }

  @Test
  void secp256k1SpecVectorGivesItsPeerId() {
    PublicKey pub = PublicKey.unmarshal(Hex.decode(SECP_PUB));
    assertEquals(KeyType.SECP256K1, pub.type());
    assertEquals(SECP_PUB, Hex.encode(pub.bytes()));
    assertEquals(SECP_PEER, pub.peerId().toString());
    assertTrue(pub.peerId().isInline());
  }

  @Test
  void parsesBothTextFormsOfAPeerId() {
    PeerId a = PeerId.parse(ED_PEER);
    PeerId b = PeerId.parse(ED_CID);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(0, a.compareTo(b));
    assertEquals(
        Hex.encode(PublicKey.unmarshal(Hex.decode(ED_PUB)).bytes()),
        Hex.encode(a.publicKey().orElseThrow().bytes()));
    assertTrue(a.matches(PublicKey.unmarshal(Hex.decode(ED_PUB))));
    assertEquals(PeerId.parse(SECP_PEER), PeerId.parse(PeerId.parse(SECP_PEER).toCid()));
  }

  @Test
  void signsAndVerifiesDeterministically() {
    PrivateKey k = PrivateKey.unmarshal(Hex.decode(ED_PRIV));
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = k.sign(msg);
    assertEquals(64, sig.length);
    assertArrayEquals(sig, k.sign(msg));
    assertTrue(k.publicKey().verify(msg, sig));
    sig[5] ^= 1;
    assertFalse(k.publicKey().verify(msg, sig));
    assertFalse(k.publicKey().verify(msg, new byte[3]));
  }

  @Test
  void rfc8032Test1() {
    PrivateKey k =
        PrivateKey.ed25519FromSeed(
            Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    assertEquals(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        Hex.encode(k.publicKey().raw()));
    assertEquals(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        Hex.encode(k.sign(new byte[0])));
  }

  @Test
  void generatesFromInjectedRandom() {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) 7);
    PrivateKey a = PrivateKey.generateEd25519(new FixedSecureRandom(seed));
    PrivateKey b = PrivateKey.generateEd25519(new FixedSecureRandom(seed));
    assertEquals(a, b);
    assertEquals(a.peerId(), b.peerId());
    assertTrue(a.peerId().toString().startsWith("12D3KooW"));
    assertFalse(a.toString().contains(Hex.encode(seed)));
  }

  @Test
  void acceptsLegacy96ByteEd25519PrivateKey() {
    byte[] std = Hex.decode(ED_PRIV);
    byte[] data = Arrays.copyOfRange(std, 4, 68);
    byte[] legacy = new byte[4 + 96];
    legacy[0] = 0x08;
    legacy[1] = 0x01;
    legacy[2] = 0x12;
    legacy[3] = 96;
    System.arraycopy(data, 0, legacy, 4, 64);
    System.arraycopy(data, 32, legacy, 68, 32);
    assertEquals(PrivateKey.unmarshal(std), PrivateKey.unmarshal(legacy));
    legacy[99] ^= 1;
    assertThrows(KeyFormatException.class, () -> PrivateKey.unmarshal(legacy));
  }

  @Test
  void rejectsMismatchedPublicHalfAndBadKeys() {
    byte[] bad = Hex.decode(ED_PRIV);
    bad[bad.length - 1] ^= 1;
    KeyFormatException e = assertThrows(KeyFormatException.class, () -> PrivateKey.unmarshal(bad));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    assertThrows(KeyFormatException.class, () -> PublicKey.unmarshal(Hex.decode("08011203010203")));
    assertThrows(KeyFormatException.class, () -> PublicKey.unmarshal(Hex.decode("0801")));
    assertThrows(KeyFormatException.class, () -> PublicKey.unmarshal(Hex.decode("ff")));
    assertThrows(KeyFormatException.class, () -> PublicKey.unmarshal(new byte[5000]));
    assertThrows(KeyFormatException.class, () -> PublicKey.unmarshal(Hex.decode("080912020102")));
    assertThrows(
        KeyFormatException.class,
        () -> PrivateKey.unmarshal(Hex.decode("0802122001" + "00".repeat(31))));
  }

  @Test
  void verifiesSecp256k1Signatures() {
    X9ECParameters c = CustomNamedCurves.getByName("secp256k1");
    ECDomainParameters dom = new ECDomainParameters(c.getCurve(), c.getG(), c.getN(), c.getH());
    AsymmetricCipherKeyPair kp = generate(dom, 1);
    ECPublicKeyParameters pubParams = (ECPublicKeyParameters) kp.getPublic();
    PublicKey pub = PublicKey.fromRaw(KeyType.SECP256K1, pubParams.getQ().getEncoded(true));
    byte[] msg = "libp2p".getBytes(StandardCharsets.UTF_8);
    byte[] sig = ecdsaSign((ECPrivateKeyParameters) kp.getPrivate(), msg);
    assertTrue(pub.verify(msg, sig));
    assertFalse(pub.verify("other".getBytes(StandardCharsets.UTF_8), sig));
    assertFalse(pub.verify(msg, Arrays.copyOf(sig, sig.length - 1)));
    assertEquals(pub, PublicKey.unmarshal(pub.bytes()));
  }

  @Test
  void acceptsSecp256k1KeysInEveryFormGoAccepts() {
    X9ECParameters c = CustomNamedCurves.getByName("secp256k1");
    ECDomainParameters dom = new ECDomainParameters(c.getCurve(), c.getG(), c.getN(), c.getH());
    AsymmetricCipherKeyPair kp = generate(dom, 3);
    ECPublicKeyParameters pubParams = (ECPublicKeyParameters) kp.getPublic();
    byte[] compressed = pubParams.getQ().getEncoded(true);
    byte[] uncompressed = pubParams.getQ().getEncoded(false);
    byte[] hybrid = uncompressed.clone();
    hybrid[0] = (byte) (6 | (uncompressed[64] & 1));
    byte[] msg = "libp2p".getBytes(StandardCharsets.UTF_8);
    byte[] sig = ecdsaSign((ECPrivateKeyParameters) kp.getPrivate(), msg);
    PublicKey expected = PublicKey.fromRaw(KeyType.SECP256K1, compressed);
    for (byte[] form : new byte[][] {compressed, uncompressed, hybrid}) {
      PublicKey pub = PublicKey.fromRaw(KeyType.SECP256K1, form);
      // Go's Raw() is the compressed form, so the protobuf and the peer id are too.
      assertArrayEquals(compressed, pub.raw());
      assertEquals(expected, pub);
      assertEquals(expected.peerId(), pub.peerId());
      assertTrue(pub.verify(msg, sig));
    }
    byte[] wrongParity = hybrid.clone();
    wrongParity[0] ^= 1;
    assertThrows(KeyFormatException.class, () -> PublicKey.fromRaw(KeyType.SECP256K1, wrongParity));
    byte[] offCurve = uncompressed.clone();
    offCurve[64] ^= 1;
    assertThrows(KeyFormatException.class, () -> PublicKey.fromRaw(KeyType.SECP256K1, offCurve));
    byte[] format5 = uncompressed.clone();
    format5[0] = 5;
    assertThrows(KeyFormatException.class, () -> PublicKey.fromRaw(KeyType.SECP256K1, format5));
    assertThrows(
        KeyFormatException.class,
        () -> PublicKey.fromRaw(KeyType.SECP256K1, Arrays.copyOf(uncompressed, 64)));
  }

  @Test
  void verifiesEcdsaP256SignaturesAndHashesTheKeyIntoAQmPeerId() throws Exception {
    X9ECParameters c = CustomNamedCurves.getByName("P-256");
    // A named curve, as Go's x509.MarshalPKIXPublicKey writes it (Go refuses explicit parameters).
    ECDomainParameters dom =
        new org.bouncycastle.crypto.params.ECNamedDomainParameters(
            org.bouncycastle.asn1.x9.X9ObjectIdentifiers.prime256v1, c);
    AsymmetricCipherKeyPair kp = generate(dom, 2);
    byte[] pkix =
        SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(kp.getPublic()).getEncoded("DER");
    PublicKey pub = PublicKey.fromRaw(KeyType.ECDSA, pkix);
    ECDomainParameters explicit =
        new ECDomainParameters(c.getCurve(), c.getG(), c.getN(), c.getH());
    byte[] explicitPkix =
        SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                new ECPublicKeyParameters(
                    ((ECPublicKeyParameters) kp.getPublic()).getQ(), explicit))
            .getEncoded("DER");
    assertThrows(KeyFormatException.class, () -> PublicKey.fromRaw(KeyType.ECDSA, explicitPkix));
    byte[] msg = "libp2p".getBytes(StandardCharsets.UTF_8);
    assertTrue(pub.verify(msg, ecdsaSign((ECPrivateKeyParameters) kp.getPrivate(), msg)));
    PeerId id = pub.peerId();
    assertFalse(id.isInline());
    assertTrue(id.toString().startsWith("Qm"), id.toString());
    assertEquals(34, id.bytes().length);
    assertEquals(id, PeerId.parse(id.toString()));
    assertEquals(id, PeerId.parse(id.toCid()));
    assertTrue(id.publicKey().isEmpty());
    assertThrows(KeyFormatException.class, () -> PublicKey.fromRaw(KeyType.ECDSA, new byte[10]));
  }

  @Test
  void rejectsMalformedPeerIdText() {
    assertThrows(PeerIdFormatException.class, () -> PeerId.parse(""));
    assertThrows(PeerIdFormatException.class, () -> PeerId.parse("12D3KooW0"));
    assertThrows(PeerIdFormatException.class, () -> PeerId.parse(ED_PEER.substring(0, 40)));
    assertThrows(PeerIdFormatException.class, () -> PeerId.parse("Qm" + "a".repeat(300)));
    assertThrows(PeerIdFormatException.class, () -> PeerId.parse("x123"));
    // a CID with the dag-pb codec instead of libp2p-key
    PeerIdFormatException e =
        assertThrows(
            PeerIdFormatException.class,
            () -> PeerId.parse("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"));
    assertTrue(e.getMessage().contains("codec"), e.getMessage());
    assertThrows(PeerIdFormatException.class, () -> PeerId.fromBytes(Hex.decode("1220aa")));
    assertThrows(PeerIdFormatException.class, () -> PeerId.fromBytes(Hex.decode("1300")));
    assertThrows(PeerIdFormatException.class, () -> PeerId.fromBytes(new byte[0]));
  }

  @Test
  void ordersPeerIdsByUnsignedBytes() {
    PeerId a = PeerId.fromBytes(Hex.decode("0001" + "01"));
    PeerId b = PeerId.fromBytes(Hex.decode("0001" + "ff"));
    assertTrue(a.compareTo(b) < 0);
    assertNotEquals(a, b);
  }

  @Test
  void savesAndLoadsNodeKeyFileOwnerOnly(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("node.key");
    PrivateKey k = PrivateKey.unmarshal(Hex.decode(ED_PRIV));
    NodeKeyFile.save(f, k);
    assertArrayEquals(Hex.decode(ED_PRIV), Files.readAllBytes(f));
    assertEquals(k, NodeKeyFile.load(f));
    if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
    Path g = dir.resolve("new.key");
    byte[] seed = new byte[32];
    PrivateKey created = NodeKeyFile.loadOrCreate(g, new FixedSecureRandom(seed));
    assertEquals(created, NodeKeyFile.loadOrCreate(g, new SecureRandom()));
    Files.write(f, new byte[] {1, 2, 3});
    KeyFormatException e = assertThrows(KeyFormatException.class, () -> NodeKeyFile.load(f));
    assertTrue(e.getMessage().contains("node.key"), e.getMessage());
  }

  // Written by go-libp2p crypto + encoding/json the way ev-node v1.2.x's pkg/p2p/key does, for
  // the seed 0x40..0x5f.
  static final String EVNODE_JSON =
      "{\"priv_key\":\"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8lQ7kv8QlVEUdq3INp223ckzZloRl43aFATuEGbKlVnQ==\","
          + "\"pub_key\":\"JUO5L/EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0=\"}";

  @Test
  void readsAndWritesEvNodeNodeKeyJson(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("node_key.json");
    Files.writeString(f, EVNODE_JSON);
    PrivateKey k = NodeKeyFile.loadEvNodeJson(f);
    assertEquals("12D3KooWCKq9ZvccjmCqhBbPsrgpAKBHWQpgB61ruM19CyAvH1Cp", k.peerId().toString());
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) (0x40 + i);
    }
    assertEquals(PrivateKey.ed25519FromSeed(seed), k);
    Path g = dir.resolve("out.json");
    NodeKeyFile.saveEvNodeJson(g, k);
    assertEquals(EVNODE_JSON, Files.readString(g));
    Files.writeString(f, EVNODE_JSON.replace("JUO5", "JUO6"));
    assertThrows(KeyFormatException.class, () -> NodeKeyFile.loadEvNodeJson(f));
    Files.writeString(f, "{}");
    assertThrows(KeyFormatException.class, () -> NodeKeyFile.loadEvNodeJson(f));
    // A real JSON parser, as Go's encoding/json reads it: whitespace, escapes, key case, other
    // members.
    Files.writeString(
        f,
        "{\n  \"Pub_Key\" : \"JUO5L\\/EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0=\",\n  \"note\": [1, {\"priv_key\": 0}],"
            + EVNODE_JSON.substring(1, EVNODE_JSON.indexOf(",\"pub_key\""))
            + "}");
    assertEquals(k, NodeKeyFile.loadEvNodeJson(f));
    // A field hidden in a string is not a field; broken JSON says so.
    Files.writeString(
        f,
        "{\"x\": \"\\\"priv_key\\\":\\\"AAAA\\\"\", \"pub_key\": \"JUO5L/EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0=\"}");
    KeyFormatException noPriv =
        assertThrows(KeyFormatException.class, () -> NodeKeyFile.loadEvNodeJson(f));
    assertTrue(noPriv.getMessage().contains("no \"priv_key\" field"), noPriv.getMessage());
    Files.writeString(f, EVNODE_JSON.substring(0, 40));
    KeyFormatException broken =
        assertThrows(KeyFormatException.class, () -> NodeKeyFile.loadEvNodeJson(f));
    assertTrue(broken.getMessage().contains("not valid JSON"), broken.getMessage());
  }

  @Test
  void verifiesRsaSignaturesAndRejectsSmallRsaKeys() throws Exception {
    java.security.SecureRandom r = java.security.SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(42);
    org.bouncycastle.crypto.generators.RSAKeyPairGenerator g =
        new org.bouncycastle.crypto.generators.RSAKeyPairGenerator();
    g.init(
        new org.bouncycastle.crypto.params.RSAKeyGenerationParameters(
            BigInteger.valueOf(65537), r, 2048, 80));
    AsymmetricCipherKeyPair kp = g.generateKeyPair();
    byte[] pkix =
        SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(kp.getPublic()).getEncoded("DER");
    PublicKey pub = PublicKey.fromRaw(KeyType.RSA, pkix);
    byte[] msg = "libp2p".getBytes(StandardCharsets.UTF_8);
    org.bouncycastle.crypto.signers.RSADigestSigner signer =
        new org.bouncycastle.crypto.signers.RSADigestSigner(new SHA256Digest());
    signer.init(true, kp.getPrivate());
    signer.update(msg, 0, msg.length);
    byte[] sig = signer.generateSignature();
    assertTrue(pub.verify(msg, sig));
    sig[0] ^= 1;
    assertFalse(pub.verify(msg, sig));
    assertTrue(pub.peerId().toString().startsWith("Qm"));
    assertEquals(pub, PublicKey.unmarshal(pub.bytes()));

    g.init(
        new org.bouncycastle.crypto.params.RSAKeyGenerationParameters(
            BigInteger.valueOf(65537), r, 1024, 80));
    byte[] small =
        SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(g.generateKeyPair().getPublic())
            .getEncoded("DER");
    KeyFormatException e =
        assertThrows(KeyFormatException.class, () -> PublicKey.fromRaw(KeyType.RSA, small));
    assertTrue(e.getMessage().contains("1024"), e.getMessage());
  }

  @Test
  void reencodesAKeyWithUnknownFieldsCanonicallyLikeGo() {
    // Go's proto.Unmarshal skips unknown fields; the peer id comes from the re-marshalled key.
    byte[] withExtra = Hex.decode(ED_PUB + "1801");
    PublicKey k = PublicKey.unmarshal(withExtra);
    assertEquals(ED_PUB, Hex.encode(k.bytes()));
    assertEquals(ED_PEER, k.peerId().toString());
  }

  @Test
  void verifiesSignaturesMadeByGoLibp2p() {
    // Produced by go-libp2p v0.48 core/crypto (secp256k1 via decred, ECDSA P-256 via crypto/ecdsa)
    // for the message below; peer ids from peer.IDFromPublicKey.
    byte[] msg = "libp2p signature vector".getBytes(StandardCharsets.UTF_8);
    PublicKey secp =
        PublicKey.unmarshal(
            Hex.decode(
                "080212210284bf7562262bbd6940085748f3be6afa52ae317155181ece31b66351ccffa4b0"));
    assertTrue(
        secp.verify(
            msg,
            Hex.decode(
                "30440220728c9396cde2e5f250ccf0cf539081986707154a7da1ac6396ac8d1509a8daf802202a39"
                    + "898552bd31754f3ff8e45a4f75c678aaa81029fb3b56be5e6d6775e3e6db")));
    assertEquals("16Uiu2HAm4Ms862Gnqafssgvik4JJ1LuqWMcKNipq4nm2UaoLRbeP", secp.peerId().toString());
    PublicKey ecdsa =
        PublicKey.unmarshal(
            Hex.decode(
                "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004515c3d6eb9e396b904d3"
                    + "feca7f54fdcd0cc1e997bf375dca515ad0a6c3b4035f4536be3a50f318fbf9a5475902a221502b"
                    + "ef0d57e08c53b2cc0a56f17d9f9354"));
    assertTrue(
        ecdsa.verify(
            msg,
            Hex.decode(
                "304402204606e537db44ec269ea2be2d6a57cbce192984c857fada9a26fd0791a9a354fe02201dd3"
                    + "775bb8c73850f3dfc166b8d5443c3761c5253545a4ee37bb577258d2607f")));
    assertEquals("QmZoiMqf1VcrzjDSGE4o34K13XMZfBm6WeKr1pWixbFr5Z", ecdsa.peerId().toString());
    assertFalse(ecdsa.verify("other".getBytes(StandardCharsets.UTF_8), new byte[70]));
  }

  private static AsymmetricCipherKeyPair generate(ECDomainParameters dom, int seed) {
    BigInteger d = new BigInteger("1234567890abcdef1234567890abcdef" + seed, 16).mod(dom.getN());
    return new AsymmetricCipherKeyPair(
        new ECPublicKeyParameters(dom.getG().multiply(d).normalize(), dom),
        new ECPrivateKeyParameters(d, dom));
  }

  private static byte[] ecdsaSign(ECPrivateKeyParameters key, byte[] msg) {
    SHA256Digest d = new SHA256Digest();
    d.update(msg, 0, msg.length);
    byte[] h = new byte[32];
    d.doFinal(h, 0);
    ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    s.init(true, key);
    BigInteger[] rs = s.generateSignature(h);
    try {
      return StandardDSAEncoding.INSTANCE.encode(key.getParameters().getN(), rs[0], rs[1]);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
