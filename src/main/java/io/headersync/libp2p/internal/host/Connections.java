package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The host's connections and what it knows of peers: open connections per peer (at most {@code
 * maxConnectionsPerPeer}), the addresses we dialled them at, what their identify said, and the
 * connection listeners, told of every change in order on the user executor.
 */
final class Connections {
  private final HostRuntime rt;
  private final Consumer<Connection> onRegistered;
  private final Object lock = new Object();
  private final Map<PeerId, List<Connection>> byPeer = new HashMap<>();
  private final Map<PeerId, PeerInfo> peerInfos = new ConcurrentHashMap<>();
  private final Map<PeerId, Set<Multiaddr>> addressBook = new ConcurrentHashMap<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param onRegistered runs (on the event loop) once a connection is registered: identify
   */
  Connections(HostRuntime rt, Consumer<Connection> onRegistered) {
    this.rt = rt;
    this.onRegistered = onRegistered;
  }

  // ------------------------------------------------------------------ the table

  /** Event loop: the connection is secured and multiplexed; completes {@code result}. */
  void register(Connection conn, CompletableFuture<Connection> result) {
    if (!rt.running()) {
      result.completeExceptionally(
          new ConnectionException(ConnectionException.Reason.HOST_CLOSED, "host is closing"));
      conn.channel().close();
      return;
    }
    PeerId peer = conn.remotePeer();
    synchronized (lock) {
      List<Connection> list = byPeer.computeIfAbsent(peer, k -> new ArrayList<>());
      if (list.size() >= rt.config.limits().maxConnectionsPerPeer()) {
        if (list.isEmpty()) {
          byPeer.remove(peer);
        }
        result.completeExceptionally(
            new ConnectionException(
                ConnectionException.Reason.LIMIT,
                "already " + list.size() + " connections with " + peer));
        conn.channel().close();
        return;
      }
      list.add(conn);
    }
    conn.channel().closeFuture().addListener(f -> unregister(conn));
    rt.event(
        () -> {
          for (ConnectionListener l : listeners) {
            l.connected(peer, conn.remoteAddress(), conn.isOutbound());
          }
        });
    result.complete(conn);
    onRegistered.accept(conn);
  }

  private void unregister(Connection conn) {
    PeerId peer = conn.remotePeer();
    synchronized (lock) {
      List<Connection> list = byPeer.get(peer);
      if (list == null || !list.remove(conn)) {
        return;
      }
      if (!list.isEmpty()) {
        return;
      }
      byPeer.remove(peer);
    }
    rt.event(
        () -> {
          for (ConnectionListener l : listeners) {
            l.disconnected(peer);
          }
        });
  }

  /** An open connection with {@code peer}, or null. */
  @Nullable
  Connection best(PeerId peer) {
    synchronized (lock) {
      List<Connection> list = byPeer.get(peer);
      if (list == null) {
        return null;
      }
      for (Connection c : list) {
        if (c.isOpen()) {
          return c;
        }
      }
      return null;
    }
  }

  /** One open connection per peer for which {@code take} holds. */
  List<Connection> onePerPeer(java.util.function.Predicate<Connection> take) {
    List<Connection> out = new ArrayList<>();
    synchronized (lock) {
      for (List<Connection> list : byPeer.values()) {
        for (Connection c : list) {
          if (c.isOpen() && take.test(c)) {
            out.add(c);
            break;
          }
        }
      }
    }
    return out;
  }

  Set<PeerId> connectedPeers() {
    synchronized (lock) {
      return Set.copyOf(byPeer.keySet());
    }
  }

  int count(PeerId peer) {
    synchronized (lock) {
      List<Connection> l = byPeer.get(peer);
      return l == null ? 0 : l.size();
    }
  }

  /**
   * Closes every connection with {@code peer}; completes (on the user executor) when they are
   * closed.
   */
  CompletableFuture<Void> disconnect(PeerId peer) {
    List<Connection> conns;
    synchronized (lock) {
      conns = new ArrayList<>(byPeer.getOrDefault(peer, List.of()));
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Connection c : conns) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      c.channel().close().addListener(x -> f.complete(null));
      all.add(f);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete((v, t) -> rt.completeOnUser(result, null, null));
    return result;
  }

  // ------------------------------------------------------------------ what we know of peers

  Optional<PeerInfo> peerInfo(PeerId peer) {
    return Optional.ofNullable(peerInfos.get(peer));
  }

  /** True if identify (or a push) said {@code peer} serves {@code protocol}. */
  boolean supports(PeerId peer, String protocol) {
    PeerInfo info = peerInfos.get(peer);
    return info != null && info.protocols().contains(protocol);
  }

  /** Records what identify said and tells the listeners. */
  void identified(PeerInfo info) {
    peerInfos.put(info.peer(), info);
    announceIdentified(info);
  }

  /**
   * Merges a push into what we know ({@code merge} gets null for a peer not identified yet) and
   * tells the listeners.
   */
  void pushed(PeerId peer, UnaryOperator<@Nullable PeerInfo> merge) {
    PeerInfo info = peerInfos.compute(peer, (k, old) -> merge.apply(old));
    if (info != null) {
      announceIdentified(info);
    }
  }

  private void announceIdentified(PeerInfo info) {
    rt.event(
        () -> {
          for (ConnectionListener l : listeners) {
            l.identified(info);
          }
        });
  }

  /** A transport address {@code peer} answered at. */
  void recordAddress(PeerId peer, Multiaddr transport) {
    addressBook.computeIfAbsent(peer, k -> ConcurrentHashMap.newKeySet()).add(transport);
  }

  /** Addresses we dialled {@code peer} at, then those its identify listed. */
  Set<Multiaddr> knownAddresses(PeerId peer) {
    Set<Multiaddr> known = new LinkedHashSet<>(addressBook.getOrDefault(peer, Set.of()));
    PeerInfo info = peerInfos.get(peer);
    if (info != null) {
      known.addAll(info.listenAddresses());
    }
    return known;
  }

  // ------------------------------------------------------------------ listeners

  void addListener(ConnectionListener l) {
    listeners.add(l);
  }

  void removeListener(ConnectionListener l) {
    listeners.remove(l);
  }
}
