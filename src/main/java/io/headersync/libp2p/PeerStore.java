package io.headersync.libp2p;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a node knows about other peers: their addresses, each with an expiry (go-libp2p's peerstore
 * TTLs), and the protocols their last identify listed. Fed by {@link #attach(Host)} (identify's
 * listen addresses and protocols, kept while connected and for {@link #CONNECTED_TTL} after) and by
 * the DHT (addresses from responses for {@link #TEMP_TTL}, from provider records for {@link
 * #PROVIDER_TTL}).
 *
 * <p>Bounded: at most {@code maxPeers} peers (a new peer evicts the disconnected peer whose
 * addresses expire first; when every peer is connected it is not recorded) and {@code
 * maxAddressesPerPeer} addresses each (the ones that expire first go). Thread-safe.
 */
public final class PeerStore {
  /** Addresses learned in passing (DHT responses): go-libp2p's {@code TempAddrTTL}, 2 min. */
  public static final Duration TEMP_TTL = Duration.ofMinutes(2);

  /** Addresses from a provider record: kad-dht's {@code ProviderAddrTTL}, 24 h. */
  public static final Duration PROVIDER_TTL = Duration.ofHours(24);

  /**
   * Addresses of a peer after it disconnects (go-libp2p's {@code RecentlyConnectedAddrTTL} is 15
   * min).
   */
  public static final Duration CONNECTED_TTL = Duration.ofMinutes(15);

  /** Default bound on peers. */
  public static final int DEFAULT_MAX_PEERS = 2048;

  /** Default bound on addresses per peer. */
  public static final int DEFAULT_MAX_ADDRESSES_PER_PEER = 16;

  private final Clock clock;
  private final int maxPeers;
  private final int maxAddressesPerPeer;
  private final Map<PeerId, Record> peers = new HashMap<>();

  private static final class Record {
    final LinkedHashMap<Multiaddr, Instant> addresses = new LinkedHashMap<>();
    List<String> protocols = List.of();
    boolean connected;

    Instant latestExpiry() {
      Instant max = Instant.MIN;
      for (Instant i : addresses.values()) {
        if (i.isAfter(max)) {
          max = i;
        }
      }
      return max;
    }
  }

  /**
   * A store with explicit bounds.
   *
   * @param clock the clock address lifetimes are measured on
   * @param maxPeers the most peers recorded; positive
   * @param maxAddressesPerPeer the most addresses kept per peer; positive
   * @throws IllegalArgumentException if a bound is not positive
   */
  public PeerStore(Clock clock, int maxPeers, int maxAddressesPerPeer) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
    if (maxPeers <= 0 || maxAddressesPerPeer <= 0) {
      throw new IllegalArgumentException(
          "peer store bounds must be positive: " + maxPeers + ", " + maxAddressesPerPeer);
    }
    this.maxPeers = maxPeers;
    this.maxAddressesPerPeer = maxAddressesPerPeer;
  }

  /**
   * A store with the default bounds, {@link #DEFAULT_MAX_PEERS} peers and {@link
   * #DEFAULT_MAX_ADDRESSES_PER_PEER} addresses each.
   *
   * @param clock the clock address lifetimes are measured on
   */
  public PeerStore(Clock clock) {
    this(clock, DEFAULT_MAX_PEERS, DEFAULT_MAX_ADDRESSES_PER_PEER);
  }

  /**
   * Records what {@code host} learns: on connect, the remote address; on identify, the listen
   * addresses and protocols; on disconnect, the addresses are kept for {@link #CONNECTED_TTL}.
   *
   * @param host the host to listen to; call once per host
   */
  public void attach(Host host) {
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
            setConnected(peer, true);
            if (outbound) {
              addAddresses(peer, List.of(remoteAddress), CONNECTED_TTL);
            }
          }

          @Override
          public void disconnected(PeerId peer) {
            setConnected(peer, false);
          }

          @Override
          public void identified(PeerInfo info) {
            addAddresses(info.peer(), info.listenAddresses(), CONNECTED_TTL);
            setProtocols(info.peer(), info.protocols());
          }
        });
  }

  /**
   * Adds or extends addresses of {@code peer} (an address never loses time it already has).
   *
   * @param peer the peer the addresses reach
   * @param addresses the addresses; empty does nothing
   * @param ttl how long from now they are kept, e.g. {@link #TEMP_TTL} A {@code /p2p} suffix is
   *     dropped; past the per-peer bound the addresses that expire first go. Nothing is recorded
   *     when the store is full of connected peers.
   */
  public synchronized void addAddresses(PeerId peer, List<Multiaddr> addresses, Duration ttl) {
    Objects.requireNonNull(peer, "peer == null");
    if (addresses.isEmpty()) {
      return;
    }
    Record r = recordFor(peer);
    if (r == null) {
      return;
    }
    Instant expires = clock.instant().plus(ttl);
    for (Multiaddr a : addresses) {
      Multiaddr t = a.withoutPeerId();
      Instant old = r.addresses.get(t);
      if (old == null || old.isBefore(expires)) {
        r.addresses.put(t, expires);
      }
    }
    while (r.addresses.size() > maxAddressesPerPeer) {
      Multiaddr first = null;
      for (Map.Entry<Multiaddr, Instant> e : r.addresses.entrySet()) {
        if (first == null || e.getValue().isBefore(r.addresses.get(first))) {
          first = e.getKey();
        }
      }
      r.addresses.remove(first);
    }
  }

  /**
   * Records the protocols {@code peer} serves (its last identify).
   *
   * @param peer the peer
   * @param protocols the protocol ids it listed; replaces what was recorded
   */
  public synchronized void setProtocols(PeerId peer, List<String> protocols) {
    Record r = recordFor(Objects.requireNonNull(peer, "peer == null"));
    if (r != null) {
      r.protocols = List.copyOf(protocols);
    }
  }

  /**
   * {@return the unexpired addresses of {@code peer} (without {@code /p2p}); all of them while
   * connected}
   *
   * @param peer the peer
   */
  public synchronized List<Multiaddr> addresses(PeerId peer) {
    Record r = peers.get(peer);
    if (r == null) {
      return List.of();
    }
    Instant now = clock.instant();
    List<Multiaddr> out = new ArrayList<>();
    r.addresses.entrySet().removeIf(e -> !r.connected && !e.getValue().isAfter(now));
    out.addAll(r.addresses.keySet());
    return out;
  }

  /**
   * {@return the protocols {@code peer}'s last identify listed (empty if unknown)}
   *
   * @param peer the peer
   */
  public synchronized List<String> protocols(PeerId peer) {
    Record r = peers.get(peer);
    return r == null ? List.of() : r.protocols;
  }

  /**
   * {@return whether {@code peer}'s last identify listed {@code protocol}}
   *
   * @param peer the peer
   * @param protocol a protocol id, e.g. {@code /ipfs/kad/1.0.0}
   */
  public boolean supports(PeerId peer, String protocol) {
    return protocols(peer).contains(protocol);
  }

  /** {@return how many peers are recorded now, connected or not} */
  public synchronized int size() {
    return peers.size();
  }

  private synchronized void setConnected(PeerId peer, boolean connected) {
    Record r = recordFor(peer);
    if (r == null) {
      return;
    }
    r.connected = connected;
    if (!connected) {
      Instant until = clock.instant().plus(CONNECTED_TTL);
      r.addresses.replaceAll((a, i) -> i.isBefore(until) ? until : i);
    }
  }

  private @io.headersync.annotation.Nullable Record recordFor(PeerId peer) {
    Record r = peers.get(peer);
    if (r != null) {
      return r;
    }
    if (peers.size() >= maxPeers && !evictOne()) {
      return null;
    }
    r = new Record();
    peers.put(peer, r);
    return r;
  }

  private boolean evictOne() {
    Instant now = clock.instant();
    PeerId victim = null;
    Instant victimExpiry = null;
    for (Map.Entry<PeerId, Record> e : peers.entrySet()) {
      if (e.getValue().connected) {
        continue;
      }
      Instant x = e.getValue().latestExpiry();
      if (!x.isAfter(now)) {
        victim = e.getKey();
        break;
      }
      if (victim == null || x.isBefore(victimExpiry)) {
        victim = e.getKey();
        victimExpiry = x;
      }
    }
    if (victim == null) {
      return false;
    }
    peers.remove(victim);
    return true;
  }
}
