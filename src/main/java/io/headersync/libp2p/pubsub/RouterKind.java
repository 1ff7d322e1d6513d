package io.headersync.libp2p.pubsub;

/** The routing algorithm of a {@link PubSub}. */
public enum RouterKind {
  /** {@code /floodsub/1.0.0} only: every message goes to every peer subscribed to its topic. */
  FLOODSUB,
  /**
   * Gossipsub ({@code /meshsub/1.2.0}, {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0}, and {@code
   * /floodsub/1.0.0} for floodsub peers), configured by {@link GossipSubParams}.
   */
  GOSSIPSUB
}
