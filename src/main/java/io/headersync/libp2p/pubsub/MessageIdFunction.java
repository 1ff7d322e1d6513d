package io.headersync.libp2p.pubsub;

/** Computes a message's id (Go's {@code MsgIdFunction}); must be deterministic and cheap. */
@FunctionalInterface
public interface MessageIdFunction {
  /** Go's {@code DefaultMsgIdFn}: the bytes of {@code from} followed by the bytes of {@code seqno}. */
  MessageIdFunction DEFAULT = m -> {
    byte[] from = m.fromBytes();
    byte[] seqno = m.seqno();
    byte[] id = new byte[from.length + seqno.length];
    System.arraycopy(from, 0, id, 0, from.length);
    System.arraycopy(seqno, 0, id, from.length, seqno.length);
    return id;
  };

  /** The id of {@code message} (whose {@link Message#id()} is not set yet). */
  byte[] apply(Message message);
}
