package io.headersync.libp2p.pubsub;

/** Computes a message's id (Go's {@code MsgIdFunction}); must be deterministic and cheap. */
@FunctionalInterface
public interface MessageIdFunction {
  /**
   * Go's {@code DefaultMsgIdFn}: the bytes of {@code from} followed by the bytes of {@code seqno}.
   */
  MessageIdFunction DEFAULT =
      m -> {
        byte[] from = m.fromBytes();
        byte[] seqno = m.seqno();
        byte[] id = new byte[from.length + seqno.length];
        System.arraycopy(from, 0, id, 0, from.length);
        System.arraycopy(seqno, 0, id, from.length, seqno.length);
        return id;
      };

  /**
   * BLAKE2b-256 of the payload: celestia-node's router-wide message id ({@code hashMsgID}), which
   * makes the same payload from different authors one message.
   */
  MessageIdFunction BLAKE2B_256 =
      m -> {
        org.bouncycastle.crypto.digests.Blake2bDigest d =
            new org.bouncycastle.crypto.digests.Blake2bDigest(256);
        byte[] data = m.data();
        d.update(data, 0, data.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
      };

  /**
   * {@return the id of {@code message} (whose {@link Message#id()} is not set yet)}
   *
   * @param message the message
   */
  byte[] apply(Message message);
}
