package io.headersync.libp2p;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a peer told us about itself through identify ({@code /ipfs/id/1.0.0}).
 *
 * @param peer the peer
 * @param protocols the protocols it serves inbound
 * @param agentVersion its agent version (may be empty)
 * @param protocolVersion its protocol version (Go sends {@code ipfs/0.1.0} or nothing)
 * @param listenAddresses the addresses it listens on (unparsable ones dropped)
 * @param observedAddress our address as the peer sees it, if it said
 */
public record PeerInfo(
    PeerId peer,
    List<String> protocols,
    String agentVersion,
    String protocolVersion,
    List<Multiaddr> listenAddresses,
    Optional<Multiaddr> observedAddress) {
  /**
   * Copies the lists and checks that no part is null.
   *
   * @param peer the peer
   * @param protocols the protocols it serves inbound
   * @param agentVersion its agent version (may be empty)
   * @param protocolVersion its protocol version
   * @param listenAddresses the addresses it listens on
   * @param observedAddress our address as the peer sees it, if it said
   */
  public PeerInfo {
    Objects.requireNonNull(peer, "peer == null");
    protocols = List.copyOf(protocols);
    Objects.requireNonNull(agentVersion, "agentVersion == null");
    Objects.requireNonNull(protocolVersion, "protocolVersion == null");
    listenAddresses = List.copyOf(listenAddresses);
    Objects.requireNonNull(observedAddress, "observedAddress == null");
  }
}
