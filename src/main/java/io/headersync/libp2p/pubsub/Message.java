package io.headersync.libp2p.pubsub;

import io.headersync.libp2p.PeerId;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A pubsub message as received or published. Byte arrays are shared, not copied: do not change
 * them.
 *
 * @param from the author under {@link SignaturePolicy#STRICT_SIGN}; empty under STRICT_NO_SIGN
 * @param seqno the author's sequence number (8 bytes big-endian under StrictSign; empty otherwise)
 * @param data the payload
 * @param topic the topic
 * @param signature the author's signature (empty under StrictNoSign)
 * @param key the author's public key protobuf, set only when {@code from} does not embed it
 * @param id the message id from the topic's {@link MessageIdFunction} (empty before it is computed)
 * @param receivedFrom the peer that sent it to us (our own id for our publishes)
 */
public record Message(
    Optional<PeerId> from,
    byte[] seqno,
    byte[] data,
    String topic,
    byte[] signature,
    byte[] key,
    byte[] id,
    PeerId receivedFrom) {
  /**
   * Checks that no part is null; the arrays are kept as given, not copied.
   *
   * @param from the author, or empty
   * @param seqno the author's sequence number, or empty
   * @param data the payload
   * @param topic the topic
   * @param signature the author's signature, or empty
   * @param key the author's public key protobuf, or empty
   * @param id the message id, or empty before it is computed
   * @param receivedFrom the peer that sent it to us
   */
  public Message {
    Objects.requireNonNull(from, "from == null");
    Objects.requireNonNull(seqno, "seqno == null");
    Objects.requireNonNull(data, "data == null");
    Objects.requireNonNull(topic, "topic == null");
    Objects.requireNonNull(signature, "signature == null");
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(receivedFrom, "receivedFrom == null");
  }

  /** {@return the raw bytes of {@code from} (empty if absent)} */
  public byte[] fromBytes() {
    return from.map(PeerId::bytes).orElse(new byte[0]);
  }

  /** {@return the seqno as an unsigned big-endian number (0 if absent or longer than 8 bytes)} */
  public long seqnoAsLong() {
    if (seqno.length == 0 || seqno.length > 8) {
      return 0;
    }
    long v = 0;
    for (byte b : seqno) {
      v = (v << 8) | (b & 0xff);
    }
    return v;
  }

  /**
   * {@return this message with {@code id} set}
   *
   * @param newId the message id; not copied
   */
  public Message withId(byte[] newId) {
    return new Message(from, seqno, data, topic, signature, key, newId, receivedFrom);
  }

  @Override
  public String toString() {
    return "Message{topic="
        + topic
        + ", from="
        + from.map(PeerId::toString).orElse("-")
        + ", seqno="
        + HexFormat.of().formatHex(seqno)
        + ", "
        + data.length
        + " bytes}";
  }
}
