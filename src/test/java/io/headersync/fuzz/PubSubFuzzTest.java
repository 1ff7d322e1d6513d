package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerIdFormatException;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.MessageIdFunction;
import io.headersync.libp2p.pubsub.SignaturePolicy;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;

/**
 * A pubsub RPC as {@code PubSub} reads one from a peer: the protobuf, then for every published
 * message the signing policy, the API view and its ids, and the signature check (which must answer
 * false for anything malformed, never throw).
 */
class PubSubFuzzTest {
  private static final PeerId PEER =
      PeerId.fromBytes(
          new byte[] {
            0x12, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
            22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
          });

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void rpc(byte[] input) {
    PubsubProto.RPC rpc;
    try {
      rpc = PubsubProto.RPC.parseFrom(input);
    } catch (InvalidProtocolBufferException e) {
      return; // PubSub resets the stream
    }
    for (PubsubProto.RPC.SubOpts sub : rpc.getSubscriptionsList()) {
      sub.getTopicid();
    }
    for (PubsubProto.Message wire : rpc.getPublishList()) {
      for (SignaturePolicy policy : SignaturePolicy.values()) {
        MessageSigning.policyAllows(policy, wire);
      }
      Message m;
      try {
        m = MessageSigning.toMessage(wire, PEER);
      } catch (RuntimeException e) {
        Fuzz.expect(e, PeerIdFormatException.class);
        continue;
      }
      m.seqnoAsLong();
      m.toString();
      m.withId(MessageIdFunction.DEFAULT.apply(m));
      MessageIdFunction.BLAKE2B_256.apply(m);
      MessageSigning.signedPayload(wire);
      if (wire.hasFrom()) {
        MessageSigning.verify(wire);
      }
    }
    rpc.getControl().toString();
  }
}
