package io.headersync.libp2p.dht;

import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import java.util.List;
import java.util.Objects;

/**
 * A peer and the addresses we learnt for it (go-libp2p's {@code peer.AddrInfo}).
 *
 * @param peer the peer
 * @param addresses its addresses, without {@code /p2p/<id>}; may be empty
 */
public record PeerAddresses(PeerId peer, List<Multiaddr> addresses) {
  /**
   * Copies the addresses.
   *
   * @param peer the peer
   * @param addresses its addresses, without {@code /p2p/<id>}; may be empty
   */
  public PeerAddresses {
    Objects.requireNonNull(peer, "peer == null");
    addresses = List.copyOf(addresses);
  }
}
