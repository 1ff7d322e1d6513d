package io.headersync.libp2p.pubsub;

/** The routing algorithm. */
public enum RouterKind {
  /** {@code /floodsub/1.0.0}: every message goes to every peer subscribed to its topic. */
  FLOODSUB
}
