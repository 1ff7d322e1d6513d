package io.headersync.libp2p.pubsub.internal;

import io.headersync.libp2p.PeerId;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The part of routing that differs between FloodSub and gossipsub: which protocols to speak and to
 * whom a message goes. Called on the router thread only. Gossipsub will add heartbeat and control
 * handling here.
 */
public interface RouterStrategy {
  /** Protocols offered on our outbound stream and served inbound, preferred first. */
  List<String> protocols();

  /**
   * The peers a message of {@code topic} goes to.
   *
   * @param peers every peer with an outbound pubsub stream
   * @param topicsOf the topics a peer announced
   * @param exclude the peers that must not get it (the source and the author)
   */
  Set<PeerId> targets(
      String topic, Collection<PeerId> peers, Function<PeerId, Set<String>> topicsOf, Set<PeerId> exclude);
}
