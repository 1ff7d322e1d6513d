package io.headersync.libp2p.dht;

/**
 * Whether the DHT answers requests (go-libp2p-kad-dht's {@code ModeServer} / {@code ModeClient}).
 *
 * <p>Only servers enter other peers' routing tables: Go admits a peer after identify lists {@code
 * /ipfs/kad/1.0.0} and the peer answers a FIND_NODE for its own id. Go's default {@code ModeAuto}
 * starts as a client and becomes a server when AutoNAT reports the node publicly reachable;
 * headersync has no AutoNAT, so the mode is chosen here. ev-node always runs {@link #SERVER}, and
 * so do we by default: a client-mode node that is some ev-node's only seed leaves that node's table
 * empty, so its Provide and FindPeers fail.
 */
public enum DhtMode {
  /** Serves {@code /ipfs/kad/1.0.0} (listed in identify) and queries others. */
  SERVER,
  /** Queries others; serves nothing, so never enters a routing table. */
  CLIENT
}
