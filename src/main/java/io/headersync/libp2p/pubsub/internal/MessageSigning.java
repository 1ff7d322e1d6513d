package io.headersync.libp2p.pubsub.internal;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.KeyFormatException;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerIdFormatException;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.PublicKey;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.SignaturePolicy;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Message signing and verification as go-libp2p-pubsub {@code sign.go}: the signature covers {@code
 * "libp2p-pubsub:" ‖ Marshal(message without signature and key)}. protobuf-java writes known fields
 * in number order (from, data, seqno, topic) followed by unknown fields, as Go's marshaller does,
 * so re-encoding a parsed message reproduces the signed bytes.
 */
public final class MessageSigning {
  /** Go's {@code SignPrefix}. */
  public static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);

  private MessageSigning() {}

  /** The bytes a signature covers: the prefix and the message without fields 5 and 6. */
  public static byte[] signedPayload(PubsubProto.Message message) {
    byte[] body = message.toBuilder().clearSignature().clearKey().build().toByteArray();
    byte[] out = new byte[SIGN_PREFIX.length + body.length];
    System.arraycopy(SIGN_PREFIX, 0, out, 0, SIGN_PREFIX.length);
    System.arraycopy(body, 0, out, SIGN_PREFIX.length, body.length);
    return out;
  }

  /**
   * Builds and signs a message of ours: {@code from} = our peer id, {@code seqno} = 8-byte
   * big-endian, {@code key} only when the peer id does not embed the key.
   */
  public static PubsubProto.Message sign(
      PrivateKey identity, long seqno, String topic, byte[] data) {
    PeerId self = identity.peerId();
    PubsubProto.Message unsigned =
        PubsubProto.Message.newBuilder()
            .setFrom(ByteString.copyFrom(self.bytes()))
            .setData(ByteString.copyFrom(data))
            .setSeqno(ByteString.copyFrom(seqnoBytes(seqno)))
            .setTopic(topic)
            .build();
    PubsubProto.Message.Builder b =
        unsigned.toBuilder()
            .setSignature(ByteString.copyFrom(identity.sign(signedPayload(unsigned))));
    if (!self.isInline()) {
      b.setKey(ByteString.copyFrom(identity.publicKey().bytes()));
    }
    return b.build();
  }

  /** An unsigned message for {@link SignaturePolicy#STRICT_NO_SIGN}: topic and data only. */
  public static PubsubProto.Message unsigned(String topic, byte[] data) {
    return PubsubProto.Message.newBuilder()
        .setData(ByteString.copyFrom(data))
        .setTopic(topic)
        .build();
  }

  /** {@code value} as 8 bytes big-endian (Go's {@code binary.BigEndian.PutUint64}). */
  public static byte[] seqnoBytes(long value) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) value;
      value >>>= 8;
    }
    return b;
  }

  /**
   * Whether a message passes the signing policy's shape check (Go {@code checkSigningPolicy}, done
   * before deduplication): StrictSign needs a signature (and a {@code from}, without which Go's
   * verification fails anyway; a missing seqno is accepted, as Go does), StrictNoSign forbids from,
   * seqno, signature and key.
   */
  public static boolean policyAllows(SignaturePolicy policy, PubsubProto.Message m) {
    return switch (policy) {
      case STRICT_SIGN -> m.hasSignature() && m.hasFrom();
      case STRICT_NO_SIGN -> !m.hasFrom() && !m.hasSeqno() && !m.hasSignature() && !m.hasKey();
    };
  }

  /**
   * Verifies a StrictSign message (Go {@code verifyMessageSignature}): the key comes from {@code
   * key}, which must match {@code from}, or is extracted from {@code from}.
   */
  public static boolean verify(PubsubProto.Message m) {
    try {
      PeerId from = PeerId.fromBytes(m.getFrom().toByteArray());
      PublicKey key;
      if (m.hasKey()) {
        key = PublicKey.unmarshal(m.getKey().toByteArray());
        if (!from.matches(key)) {
          return false;
        }
      } else {
        Optional<PublicKey> embedded = from.publicKey();
        if (embedded.isEmpty()) {
          return false;
        }
        key = embedded.get();
      }
      return key.verify(signedPayload(m), m.getSignature().toByteArray());
    } catch (PeerIdFormatException | KeyFormatException e) {
      return false;
    }
  }

  /**
   * The API view of a wire message.
   *
   * @throws PeerIdFormatException if {@code from} is present but not a peer id
   */
  public static Message toMessage(PubsubProto.Message m, PeerId receivedFrom) {
    Optional<PeerId> from =
        m.hasFrom() ? Optional.of(PeerId.fromBytes(m.getFrom().toByteArray())) : Optional.empty();
    return new Message(
        from,
        m.getSeqno().toByteArray(),
        m.getData().toByteArray(),
        m.getTopic(),
        m.getSignature().toByteArray(),
        m.getKey().toByteArray(),
        new byte[0],
        receivedFrom);
  }
}
