package io.headersync.libp2p.pubsub.internal;

import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What {@code PubSub} offers its {@link RouterStrategy}; every method runs on the router thread.
 */
public interface RouterContext {
  /** Peers with an open outbound pubsub stream. */
  Collection<PeerId> readyPeers();

  /** The topics {@code peer} announced. */
  Set<String> topicsOf(PeerId peer);

  /** Whether we are subscribed to {@code topic}. */
  boolean subscribed(String topic);

  /** Whether we dialed {@code peer} (for gossipsub's Dout). */
  boolean outbound(PeerId peer);

  /** The IP of {@code peer}'s connection, or null (for the score's IP colocation factor). */
  String ip(PeerId peer);

  /** Queues an RPC on the peer's outbound stream; dropped and counted when its queue is full. */
  void send(PeerId peer, PubsubProto.RPC rpc);

  /**
   * Peers another peer offered in a PRUNE (peer exchange) while our mesh of the topic is below
   * {@code Dlo}: the host may dial them. Only ids: addresses come from what the host knows.
   */
  void peerExchange(List<PeerId> peers);

  /** Runs {@code task} on the router thread (for timers). */
  void execute(Runnable task);
}
