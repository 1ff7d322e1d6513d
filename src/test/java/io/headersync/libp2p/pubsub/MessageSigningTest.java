package io.headersync.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.Hex;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Known bytes produced by go-libp2p-pubsub v0.16.0 ({@code signMessage} with an Ed25519 key). */
class MessageSigningTest {
  static final String TOPIC = "/gm-headerSync/header-sub/v0.0.1";
  static final long SEQNO = 0x187a3b4c5d6e7f80L;
  static final String GO_PEER = "12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf";
  static final String GO_PAYLOAD =
      "6c69627032702d7075627375623a0a2600240801122079b5562e8fe654f94078b112e8a98ba7"
          + "901f853ae695bed7e0e3910bad049664120568656c6c6f1a08187a3b4c5d6e7f8022202f676d2d68656164657253796e632f"
          + "6865616465722d7375622f76302e302e31";
  static final String GO_SIG =
      "b59f417173657c9a8dc793182943b03521400329ea1d67a5a8d6975a90681cb75bb3cdc2ac6badc2"
          + "44e220770c1857f460ccf032d21e020234bb44e473a3ef03";
  static final String GO_RPC =
      "129d010a2600240801122079b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910ba"
          + "d049664120568656c6c6f1a08187a3b4c5d6e7f8022202f676d2d68656164657253796e632f6865616465722d7375622f7630"
          + "2e302e312a40"
          + GO_SIG;

  static PrivateKey key() {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) (i + 1);
    }
    return PrivateKey.ed25519FromSeed(seed);
  }

  static PubsubProto.Message signed() {
    return MessageSigning.sign(key(), SEQNO, TOPIC, "hello".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void signsExactlyAsGo() {
    assertEquals(GO_PEER, key().peerId().toBase58());
    PubsubProto.Message m = signed();
    assertEquals(GO_PAYLOAD, Hex.encode(MessageSigning.signedPayload(m)));
    assertEquals(GO_SIG, Hex.encode(m.getSignature().toByteArray()));
    assertFalse(m.hasKey(), "Ed25519 peer ids embed the key, so Go leaves key out");
    assertEquals(
        GO_RPC, Hex.encode(PubsubProto.RPC.newBuilder().addPublish(m).build().toByteArray()));
  }

  @Test
  void verifiesGoMessage() throws Exception {
    PubsubProto.Message m = PubsubProto.RPC.parseFrom(Hex.decode(GO_RPC)).getPublish(0);
    assertTrue(MessageSigning.verify(m));
    assertTrue(MessageSigning.policyAllows(SignaturePolicy.STRICT_SIGN, m));
    assertFalse(MessageSigning.policyAllows(SignaturePolicy.STRICT_NO_SIGN, m));
  }

  @Test
  void seqnoIsEightBytesBigEndian() {
    assertEquals("187a3b4c5d6e7f80", Hex.encode(MessageSigning.seqnoBytes(SEQNO)));
    assertEquals("0000000000000001", Hex.encode(MessageSigning.seqnoBytes(1)));
    assertEquals("ffffffffffffffff", Hex.encode(MessageSigning.seqnoBytes(-1)));
  }

  @Test
  void defaultMessageIdIsFromThenSeqno() {
    Message m = MessageSigning.toMessage(signed(), key().peerId());
    byte[] id = MessageIdFunction.DEFAULT.apply(m);
    assertEquals(Hex.encode(key().peerId().bytes()) + "187a3b4c5d6e7f80", Hex.encode(id));
    assertEquals(SEQNO, m.seqnoAsLong());
  }

  @Test
  void rejectsTamperedData() {
    PubsubProto.Message m = signed().toBuilder().setData(ByteString.copyFromUtf8("hellO")).build();
    assertFalse(MessageSigning.verify(m));
  }

  @Test
  void rejectsTamperedSignatureSeqnoAndTopic() {
    byte[] sig = signed().getSignature().toByteArray();
    sig[0] ^= 1;
    assertFalse(
        MessageSigning.verify(signed().toBuilder().setSignature(ByteString.copyFrom(sig)).build()));
    assertFalse(
        MessageSigning.verify(
            signed().toBuilder().setSeqno(ByteString.copyFrom(new byte[8])).build()));
    assertFalse(MessageSigning.verify(signed().toBuilder().setTopic("other").build()));
  }

  @Test
  void rejectsSignatureOfAnotherAuthor() {
    PrivateKey other = PrivateKey.ed25519FromSeed(new byte[32]);
    PubsubProto.Message m =
        signed().toBuilder().setFrom(ByteString.copyFrom(other.peerId().bytes())).build();
    assertFalse(MessageSigning.verify(m));
  }

  @Test
  void rejectsKeyThatDoesNotMatchFrom() {
    PrivateKey other = PrivateKey.ed25519FromSeed(new byte[32]);
    PubsubProto.Message m =
        signed().toBuilder().setKey(ByteString.copyFrom(other.publicKey().bytes())).build();
    assertFalse(MessageSigning.verify(m));
    PubsubProto.Message ok =
        signed().toBuilder().setKey(ByteString.copyFrom(key().publicKey().bytes())).build();
    assertTrue(MessageSigning.verify(ok));
  }

  @Test
  void rejectsMalformedFrom() {
    PubsubProto.Message m =
        signed().toBuilder().setFrom(ByteString.copyFrom(new byte[] {1, 2, 3})).build();
    assertFalse(MessageSigning.verify(m));
  }

  @Test
  void policyShapes() {
    PubsubProto.Message unsigned = MessageSigning.unsigned(TOPIC, new byte[] {1});
    assertFalse(MessageSigning.policyAllows(SignaturePolicy.STRICT_SIGN, unsigned));
    assertTrue(MessageSigning.policyAllows(SignaturePolicy.STRICT_NO_SIGN, unsigned));
    PubsubProto.Message noSig = signed().toBuilder().clearSignature().build();
    assertFalse(MessageSigning.policyAllows(SignaturePolicy.STRICT_SIGN, noSig));
    // Go only asks for a signature before deduplication; a signed message without seqno verifies.
    assertTrue(
        MessageSigning.policyAllows(
            SignaturePolicy.STRICT_SIGN, signed().toBuilder().clearSeqno().build()));
    PubsubProto.Message seqnoOnly =
        unsigned.toBuilder().setSeqno(ByteString.copyFrom(new byte[8])).build();
    assertFalse(MessageSigning.policyAllows(SignaturePolicy.STRICT_NO_SIGN, seqnoOnly));
  }

  @Test
  void keepsUnknownFieldsInSignedPayload() throws Exception {
    // Go re-marshals unknown fields after the known ones; so does protobuf-java.
    byte[] withUnknown = concat(signed().toByteArray(), Hex.decode("3a0178")); // field 7, "x"
    PubsubProto.Message parsed = PubsubProto.Message.parseFrom(withUnknown);
    assertArrayEquals(
        concat(MessageSigning.signedPayload(signed()), Hex.decode("3a0178")),
        MessageSigning.signedPayload(parsed));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
