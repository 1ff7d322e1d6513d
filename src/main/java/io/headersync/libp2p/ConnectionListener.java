package io.headersync.libp2p;

/**
 * Hears about connections of a {@link Host}. Every method runs on the host's user executor, in the
 * order the events happened for one peer.
 */
public interface ConnectionListener {
  /**
   * A connection to {@code peer} is up (secured and multiplexed). Called for every connection, also
   * a second one to an already connected peer.
   *
   * @param remoteAddress the remote end of the connection
   * @param outbound true if we dialed it
   * @param peer the authenticated remote peer
   */
  default void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {}

  /**
   * The last connection to {@code peer} closed.
   *
   * @param peer the peer no longer connected
   */
  default void disconnected(PeerId peer) {}

  /**
   * Identify on a connection to the peer finished; {@code info} says what the peer serves.
   *
   * @param info the peer's identify answer
   */
  default void identified(PeerInfo info) {}
}
