package io.headersync.libp2p.pubsub.internal;

import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.List;
import java.util.Set;

/**
 * The part of routing that differs between FloodSub and gossipsub: which protocols to speak, to
 * whom a message goes, what to do with control messages and when. {@code PubSub} owns the peers'
 * streams, their subscriptions, the seen cache and validation, and tells the strategy what happens.
 * Every method is called on the router thread only. The defaults are FloodSub's (which has no state
 * and no control messages).
 */
public interface RouterStrategy {
  /** Protocols offered on our outbound stream and served inbound, preferred first. */
  List<String> protocols();

  /**
   * Called once when the router is built, before any router task runs: what the strategy may use of
   * the router. Every later call is on the router thread.
   */
  default void attach(RouterContext context) {}

  /**
   * The router started: start timers. Called at most once, on the router thread, after {@link
   * #attach}.
   */
  default void start() {}

  /** The router is closing; cancel timers. Also called when it never started. */
  default void stop() {}

  /** Our outbound stream to {@code peer} is open, speaking {@code protocol}. */
  default void addPeer(PeerId peer, String protocol) {}

  /** The peer is gone (disconnected, or its streams failed for good). */
  default void removePeer(PeerId peer) {}

  /** We subscribed to {@code topic} (first subscription). */
  default void join(String topic) {}

  /** We unsubscribed from {@code topic} (last subscription cancelled). */
  default void leave(String topic) {}

  /** {@code peer} announced it left {@code topic}. */
  default void peerLeft(PeerId peer, String topic) {}

  /** False: drop the whole RPC from {@code peer} (gossipsub's graylist). */
  default boolean acceptFrom(PeerId peer) {
    return true;
  }

  /** The control part of an RPC from {@code peer}. */
  default void handleControl(PeerId peer, PubsubProto.ControlMessage control) {}

  /** The first copy of a message not seen before arrived from {@code source}; validation starts. */
  default void validating(PeerId source, Message message) {}

  /** Another copy of a message already seen or being validated arrived from {@code source}. */
  default void duplicate(PeerId source, Message message) {}

  /** A message from {@code source} was rejected (bad signature or the validator said Reject). */
  default void rejected(PeerId source, Message message) {}

  /** The validator ignored a message from {@code source} (or timed out). */
  default void ignored(PeerId source, Message message) {}

  /**
   * The peers an accepted message goes to, and the moment to remember it (gossipsub's message
   * cache). Called once per message id.
   *
   * @param source the peer it came from (ourselves for our own publishes)
   * @param own whether we published it
   * @param exclude the peers that must not get it (the source and the author)
   */
  Set<PeerId> route(
      PeerId source, PubsubProto.Message wire, Message message, boolean own, Set<PeerId> exclude);
}
