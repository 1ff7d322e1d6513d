package io.headersync.libp2p.dht;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.MultiaddrProtocol;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerStore;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.libp2p.dht.internal.ProviderStore;
import io.headersync.libp2p.dht.internal.RoutingTable;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of a {@link Dht} share: its collaborators and the state they all read and write,
 * which is guarded by this object's lock (the table, the provider records, our own provides, the
 * closed flag, the refresh count). No user code and no network call runs under the lock.
 */
final class DhtState {
  private static final Logger log = LoggerFactory.getLogger(Dht.class);

  final Host host;
  final PeerStore peerStore;
  final DhtOptions options;
  final Clock clock;
  final PeerId self;
  final byte[] localId;

  /** Guarded by this. */
  final RoutingTable table;

  /** Records of other peers; guarded by this. */
  final ProviderStore providers;

  /** Keys we provide, to when; guarded by this. */
  final Map<ByteBuffer, Instant> localProvides = new HashMap<>();

  /** Guarded by this. */
  boolean closed;

  /** Refreshes that ended; the first two may replace table peers. Guarded by this. */
  int refreshesCompleted;

  DhtState(Host host, PeerStore peerStore, DhtOptions options, Clock clock) {
    this.host = host;
    this.peerStore = peerStore;
    this.options = options;
    this.clock = clock;
    this.self = host.peerId();
    this.localId = Keys.kadId(self);
    this.table = new RoutingTable(localId, options.bucketSize());
    this.providers =
        new ProviderStore(
            options.maxProviderKeys(),
            options.maxProvidersPerKey(),
            options.maxKeysPerPeer(),
            options.providerValidity());
  }

  synchronized boolean isClosed() {
    return closed;
  }

  synchronized int tableSize() {
    return table.size();
  }

  /** Adds {@code peer}, which just answered, to the table (replacing others only early on). */
  synchronized boolean admit(PeerId peer) {
    return table.tryAdd(peer, clock.instant(), refreshesCompleted < 2);
  }

  synchronized void evict(PeerId peer) {
    table.remove(peer);
  }

  /** The recorded addresses of a provider, or those the peer store knows if none were recorded. */
  List<Multiaddr> addressesOf(PeerId peer, List<Multiaddr> recorded) {
    return recorded.isEmpty() ? peerStore.addresses(peer) : recorded;
  }

  /**
   * Our listen addresses as we announce them: an unspecified IPv4 address ({@code 0.0.0.0}) becomes
   * every IPv4 address of the machine's interfaces (loopback included, as Go's address expansion).
   */
  List<Multiaddr> advertisedAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : host.listenAddresses()) {
      Multiaddr t = a.withoutPeerId();
      if (t.components().size() == 2
          && t.components().get(0).protocol() == MultiaddrProtocol.IP4
          && t.host().orElse("").equals("0.0.0.0")) {
        int port = t.tcpPort().orElse(0);
        for (InetAddress ip : interfaceAddresses()) {
          out.add(Multiaddr.tcp(ip.getHostAddress(), port));
        }
      } else {
        out.add(t);
      }
    }
    return out;
  }

  private static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp()) {
          continue;
        }
        for (InetAddress ip : Collections.list(ni.getInetAddresses())) {
          if (ip instanceof Inet4Address) {
            out.add(ip);
          }
        }
      }
    } catch (SocketException e) {
      log.debug("cannot list network interfaces: {}", e.toString());
    }
    return out;
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
