package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Finds or makes a connection: reuses an open one, shares one dial among concurrent callers for the
 * same peer, checks the gater before dialing, and for a peer id alone tries the addresses we know
 * (dialled before, then from identify) in turn. Futures complete on an event loop; the host moves
 * public ones to the user executor.
 */
final class Dialer {
  private final HostRuntime rt;
  private final Transports transports;
  private final Connections connections;

  /** Dials in flight to a known peer id: concurrent connects and newStreams share one dial. */
  private final Map<PeerId, CompletableFuture<Connection>> dialing = new ConcurrentHashMap<>();

  Dialer(HostRuntime rt, Transports transports, Connections connections) {
    this.rt = rt;
    this.transports = transports;
    this.connections = connections;
  }

  /** A connection at {@code address} (its {@code /p2p/<id>}, if any, must match the remote). */
  CompletableFuture<Connection> connection(Multiaddr address) {
    if (!rt.running()) {
      return CompletableFuture.failedFuture(HostRuntime.notRunning());
    }
    Optional<PeerId> expected = address.peerId();
    if (expected.isEmpty()) {
      return dialAndRecord(address, null);
    }
    PeerId p = expected.get();
    if (p.equals(rt.self)) {
      return CompletableFuture.failedFuture(
          new ConnectionException(ConnectionException.Reason.FAILED, "cannot dial ourselves"));
    }
    if (!rt.config.gater().isPeerAllowed(p)) {
      return CompletableFuture.failedFuture(gated(p));
    }
    Connection c = connections.best(p);
    if (c != null) {
      return CompletableFuture.completedFuture(c);
    }
    CompletableFuture<Connection> mine = new CompletableFuture<>();
    CompletableFuture<Connection> inFlight = dialing.putIfAbsent(p, mine);
    if (inFlight != null) {
      return inFlight;
    }
    dialAndRecord(address.withoutPeerId(), p)
        .whenComplete(
            (conn, t) -> {
              // Forget the dial before completing it: a caller woken by the failure may dial again
              // at
              // once and must start a new dial, not join this finished one.
              dialing.remove(p, mine);
              if (t != null) {
                mine.completeExceptionally(HostRuntime.unwrap(t));
              } else {
                mine.complete(conn);
              }
            });
    return mine;
  }

  private CompletableFuture<Connection> dialAndRecord(
      Multiaddr transport, @Nullable PeerId expected) {
    return transports
        .dial(transport, expected)
        .thenApply(
            c -> {
              connections.recordAddress(c.remotePeer(), transport);
              return c;
            });
  }

  /** A connection with {@code peer}: an open one, or a dial of the addresses we know for it. */
  CompletableFuture<Connection> connectionTo(PeerId peer) {
    Connection c = connections.best(peer);
    if (c != null) {
      return CompletableFuture.completedFuture(c);
    }
    if (!rt.config.gater().isPeerAllowed(peer)) {
      return CompletableFuture.failedFuture(gated(peer));
    }
    List<Multiaddr> dialable = new ArrayList<>();
    for (Multiaddr a : connections.knownAddresses(peer)) {
      if (transports.canDial(a)) {
        dialable.add(a.withoutPeerId());
      }
    }
    if (dialable.isEmpty()) {
      return CompletableFuture.failedFuture(
          new ConnectionException(
              ConnectionException.Reason.NO_ADDRESSES, "no dialable address known for " + peer));
    }
    return dialInTurn(dialable, 0, peer, null);
  }

  private CompletableFuture<Connection> dialInTurn(
      List<Multiaddr> addrs, int i, PeerId peer, @Nullable Throwable last) {
    if (i >= addrs.size()) {
      return CompletableFuture.failedFuture(
          last != null
              ? last
              : new ConnectionException(
                  ConnectionException.Reason.NO_ADDRESSES, "no address of " + peer + " answered"));
    }
    return connection(addrs.get(i).withPeerId(peer))
        .handle(
            (c, t) ->
                c != null
                    ? CompletableFuture.completedFuture(c)
                    : dialInTurn(addrs, i + 1, peer, HostRuntime.unwrap(t)))
        .thenCompose(Function.identity());
  }

  private static ConnectionException gated(PeerId p) {
    return new ConnectionException(
        ConnectionException.Reason.GATED, "peer " + p + " is refused by the connection gater");
  }
}
