package io.headersync.libp2p;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Decides which peers and addresses a {@link Host} may talk to, like go-libp2p's {@code
 * BasicConnectionGater} plus an allowlist: the mechanism ev-node's {@code P2PConfig.BlockedPeers} /
 * {@code AllowedPeers} map onto.
 *
 * <ul>
 *   <li>Blocked peers are refused on dial (before any packet) and after the security handshake
 *       (inbound and outbound), so a blocked peer never gets a working connection. {@link
 *       #blockPeer} also closes the peer's existing connections on every host using this gater.
 *   <li>Allowlist mode: once any peer is {@linkplain #allowPeer allowed}, only allowed peers pass
 *       (blocking still wins).
 *   <li>Blocked IP addresses and subnets are refused on dial and right after an inbound TCP accept,
 *       before any handshake. (In-memory connections have no IP.)
 * </ul>
 *
 * <p>Thread-safe; changes apply to the next check. One gater may be shared by several hosts.
 */
public final class ConnectionGater {
  private final Set<PeerId> blockedPeers = ConcurrentHashMap.newKeySet();
  private final Set<PeerId> allowedPeers = ConcurrentHashMap.newKeySet();
  private final Set<InetAddress> blockedAddresses = ConcurrentHashMap.newKeySet();
  private final List<Subnet> blockedSubnets = new CopyOnWriteArrayList<>();
  private final List<Consumer<PeerId>> blockListeners = new CopyOnWriteArrayList<>();

  /**
   * Blocks a peer and closes its existing connections.
   *
   * @param peer the peer to refuse from now on
   */
  public void blockPeer(PeerId peer) {
    Objects.requireNonNull(peer, "peer == null");
    blockedPeers.add(peer);
    for (Consumer<PeerId> l : blockListeners) {
      l.accept(peer);
    }
  }

  /**
   * Unblocks a peer; it may connect again (subject to the allowlist). Connections closed by {@link
   * #blockPeer} are not re-opened.
   *
   * @param peer the peer; unknown peers are ignored
   */
  public void unblockPeer(PeerId peer) {
    blockedPeers.remove(Objects.requireNonNull(peer, "peer == null"));
  }

  /**
   * Adds a peer to the allowlist, which turns allowlist mode on.
   *
   * @param peer the peer to allow
   */
  public void allowPeer(PeerId peer) {
    allowedPeers.add(Objects.requireNonNull(peer, "peer == null"));
  }

  /**
   * Removes a peer from the allowlist; when it was the last one, allowlist mode ends and every
   * unblocked peer passes again.
   *
   * @param peer the peer; unknown peers are ignored
   */
  public void disallowPeer(PeerId peer) {
    allowedPeers.remove(Objects.requireNonNull(peer, "peer == null"));
  }

  /**
   * Blocks an IP address: dials to it and inbound connections from it are refused before any
   * handshake. Existing connections stay.
   *
   * @param address the IPv4 or IPv6 address
   */
  public void blockAddress(InetAddress address) {
    blockedAddresses.add(Objects.requireNonNull(address, "address == null"));
  }

  /**
   * Unblocks an IP address blocked by {@link #blockAddress}; subnets blocked by {@link
   * #blockSubnet} still apply.
   *
   * @param address the address; unknown addresses are ignored
   */
  public void unblockAddress(InetAddress address) {
    blockedAddresses.remove(Objects.requireNonNull(address, "address == null"));
  }

  /**
   * Blocks a subnet in CIDR notation, e.g. {@code 10.0.0.0/8} or {@code fd00::/8}.
   *
   * @param cidr the subnet, address and prefix length
   * @throws IllegalArgumentException if {@code cidr} is malformed
   */
  public void blockSubnet(String cidr) {
    blockedSubnets.add(Subnet.parse(Objects.requireNonNull(cidr, "cidr == null")));
  }

  /** {@return the blocked peers now, as an unmodifiable copy} */
  public Set<PeerId> blockedPeers() {
    return Set.copyOf(blockedPeers);
  }

  /** {@return the allowlist now, as an unmodifiable copy; empty when allowlist mode is off} */
  public Set<PeerId> allowedPeers() {
    return Set.copyOf(allowedPeers);
  }

  /**
   * {@return whether connections with {@code peer} are allowed}
   *
   * @param peer the peer
   */
  public boolean isPeerAllowed(PeerId peer) {
    if (blockedPeers.contains(peer)) {
      return false;
    }
    return allowedPeers.isEmpty() || allowedPeers.contains(peer);
  }

  /**
   * {@return whether connections with {@code address} are allowed}
   *
   * @param address the remote IP address
   */
  public boolean isAddressAllowed(InetAddress address) {
    if (blockedAddresses.contains(address)) {
      return false;
    }
    for (Subnet s : blockedSubnets) {
      if (s.contains(address)) {
        return false;
      }
    }
    return true;
  }

  /** Hosts register here to close connections of peers that get blocked. */
  void addBlockListener(Consumer<PeerId> listener) {
    blockListeners.add(listener);
  }

  void removeBlockListener(Consumer<PeerId> listener) {
    blockListeners.remove(listener);
  }

  private record Subnet(byte[] network, int prefix) {
    static Subnet parse(String cidr) {
      int slash = cidr.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException("not a CIDR subnet: " + cidr);
      }
      String host = cidr.substring(0, slash);
      if (!host.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("not an IP address: " + host);
      }
      byte[] net;
      try {
        net = InetAddress.getByName(host).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address: " + host, e);
      }
      int prefix;
      try {
        prefix = Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in " + cidr, e);
      }
      if (prefix < 0 || prefix > net.length * 8) {
        throw new IllegalArgumentException("bad prefix length in " + cidr);
      }
      return new Subnet(net, prefix);
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (a[full] & mask) == (network[full] & mask);
    }
  }
}
