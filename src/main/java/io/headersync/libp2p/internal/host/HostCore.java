package io.headersync.libp2p.internal.host;

import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The engine behind {@code io.headersync.libp2p.Host}, assembled from its parts: {@link Transports}
 * (event loops, listening, accepting, dialing a transport address), {@link ConnectionUpgrader}
 * (multistream → Noise → multistream → Yamux), {@link Connections} (the connection table and what
 * we know of peers), {@link Dialer} (reuse, shared dials, known addresses), {@link Streams} (the
 * handler table, inbound dispatch, outbound negotiation), {@link Identify} and {@link Ping}.
 *
 * <h2>Pipeline of a connection</h2>
 *
 * <pre>
 * inbound:  MultistreamResponder(/noise; na to /tls/1.0.0) → NoiseHandshakeHandler(responder)
 *           → gater check by peer id → MultistreamResponder(/yamux/1.0.0) → YamuxSession(server)
 * outbound: MultistreamInitiator(/noise) → NoiseHandshakeHandler(initiator, expected peer id)
 *           → gater check by peer id → MultistreamInitiator(/yamux/1.0.0) → YamuxSession(client)
 * stream:   inbound  MultistreamResponder(handler table) → StreamBridge
 *           outbound MultistreamInitiator(proposals)     → StreamBridge
 * </pre>
 *
 * <h2>Threads</h2>
 *
 * Netty event loops run the pipelines and the bookkeeping above; user code (stream handlers,
 * connection listeners, future continuations) runs on the user executor ({@link UserExecutor}).
 * Connection events go through a serial executor so a listener sees them in order. A task the user
 * executor refuses fails its future (and resets its stream) instead of running on the event loop.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #start()} and {@link #stop()} are called once each by {@code Host}'s state machine; {@code
 * stop()} may come without a {@code start()} and releases what the constructor made (the owned user
 * executor).
 */
public final class HostCore {
  /** Identify's protocol id. */
  public static final String IDENTIFY = Identify.PROTOCOL;

  /** Ping's protocol id. */
  public static final String PING = Ping.PROTOCOL;

  /** Identify push's protocol id. */
  public static final String IDENTIFY_PUSH = Identify.PUSH;

  private final HostRuntime rt;
  private final Transports transports;
  private final Connections connections;
  private final Dialer dialer;
  private final Streams streams;
  private final Identify identify;
  private final Ping ping;

  /**
   * A host core for {@code config}; makes the user executor unless the config names one.
   *
   * @param config what {@code Host.Builder} validated
   */
  public HostCore(HostConfig config) {
    UserExecutor user = UserExecutor.of(config.userExecutor());
    this.rt = new HostRuntime(config, user);
    this.connections = new Connections(rt, this::registered);
    this.streams = new Streams(rt, connections);
    ConnectionUpgrader upgrader =
        new ConnectionUpgrader(config, streams::inbound, connections::register);
    this.transports = new Transports(rt, upgrader);
    this.dialer = new Dialer(rt, transports, connections);
    this.identify = new Identify(rt, connections, streams, transports::boundAddresses);
    Ping ping = new Ping(config.clock(), config.random(), this::newStream);
    streams.put(IDENTIFY, identify::serve);
    streams.put(PING, ping::serve);
    streams.put(IDENTIFY_PUSH, identify::servePush);
    this.ping = ping;
  }

  /** A connection was registered (event loop): identify its peer. */
  private void registered(Connection c) {
    identify.identify(c);
  }

  /**
   * Our peer id.
   *
   * @return the id of the host's identity
   */
  public PeerId peerId() {
    return rt.self;
  }

  /**
   * The executor stream handlers, listeners and future completions run on.
   *
   * @return the builder's executor or the host's own pool
   */
  public Executor userExecutor() {
    return rt.user.executor();
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Binds the listen addresses; called once.
   *
   * @return completes (on an event loop) once listening and accepting; fails if a bind failed
   */
  public CompletableFuture<Void> start() {
    return transports.listen().thenRun(() -> rt.running(true));
  }

  /**
   * Closes listeners and connections (Yamux GoAway), stops the event loops, lets queued connection
   * events reach the listeners, then shuts down the owned user executor. Called once, started or
   * not.
   *
   * @return completes when everything is released
   */
  public CompletableFuture<Void> stop() {
    rt.running(false);
    return transports
        .close()
        .thenCompose(
            v -> {
              // Let queued events (disconnections) reach the listeners before the executor goes.
              CompletableFuture<Void> drained = new CompletableFuture<>();
              try {
                rt.events.execute(() -> drained.complete(null));
              } catch (RejectedExecutionException e) {
                drained.complete(null); // the executor is gone: nothing is left to wait for
              }
              return drained;
            })
        .thenCompose(v -> rt.user.shutdown());
  }

  /**
   * The addresses actually bound, each ending in our {@code /p2p/} id.
   *
   * @return the listen addresses
   */
  public List<Multiaddr> listenAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : transports.boundAddresses()) {
      out.add(a.withPeerId(rt.self));
    }
    return out;
  }

  // ------------------------------------------------------------------ handlers and listeners

  /**
   * Serves {@code protocol}; a new protocol is pushed to connected peers that accept identify push.
   *
   * @param protocol the protocol id
   * @param handler runs on the user executor for each inbound stream
   */
  public void setStreamHandler(String protocol, StreamHandler handler) {
    checkNotBuiltIn(protocol);
    if (streams.put(protocol, handler)) {
      identify.protocolsChanged();
    }
  }

  /**
   * Stops serving {@code protocol}; peers that accept identify push are told.
   *
   * @param protocol the protocol id
   */
  public void removeStreamHandler(String protocol) {
    checkNotBuiltIn(protocol);
    if (streams.remove(protocol)) {
      identify.protocolsChanged();
    }
  }

  private static void checkNotBuiltIn(String protocol) {
    if (isBuiltIn(protocol)) {
      throw new IllegalArgumentException(protocol + " is served by the host itself");
    }
  }

  /**
   * Whether the host serves {@code protocol} itself.
   *
   * @param protocol a protocol id
   * @return true for identify, identify push and ping
   */
  public static boolean isBuiltIn(String protocol) {
    return protocol.equals(IDENTIFY) || protocol.equals(PING) || protocol.equals(IDENTIFY_PUSH);
  }

  /**
   * The protocols we serve (identify lists these), sorted.
   *
   * @return the protocol ids
   */
  public List<String> protocols() {
    return streams.protocols();
  }

  /**
   * Adds a connection listener; its methods run on the user executor, in order.
   *
   * @param l the listener
   */
  public void addConnectionListener(ConnectionListener l) {
    connections.addListener(l);
  }

  /**
   * Removes a connection listener.
   *
   * @param l the listener
   */
  public void removeConnectionListener(ConnectionListener l) {
    connections.removeListener(l);
  }

  /**
   * The peers we have a connection with.
   *
   * @return a snapshot
   */
  public Set<PeerId> connectedPeers() {
    return connections.connectedPeers();
  }

  /**
   * Open connections with the peer.
   *
   * @param peer the peer
   * @return 0 when none
   */
  public int connectionCount(PeerId peer) {
    return connections.count(peer);
  }

  /**
   * What the peer's last identify (or push) said.
   *
   * @param peer the peer
   * @return empty if no identify finished
   */
  public Optional<PeerInfo> peerInfo(PeerId peer) {
    return connections.peerInfo(peer);
  }

  /**
   * Closes every connection with {@code peer}.
   *
   * @param peer the peer
   * @return completes (on the user executor) when they are closed
   */
  public CompletableFuture<Void> disconnect(PeerId peer) {
    return connections.disconnect(peer);
  }

  // ------------------------------------------------------------------ dialing and streams

  /**
   * Connects (or reuses a connection).
   *
   * @param address where to dial; a {@code /p2p/} suffix must match the remote
   * @return the remote peer, on the user executor
   */
  public CompletableFuture<PeerId> connect(Multiaddr address) {
    CompletableFuture<PeerId> result = new CompletableFuture<>();
    dialer
        .connection(address)
        .whenComplete((c, t) -> rt.completeOnUser(result, c == null ? null : c.remotePeer(), t));
    return result;
  }

  /**
   * Opens a stream to {@code peer}, dialing known addresses if needed.
   *
   * @param peer the peer
   * @param protocols proposals, preferred first
   * @return the stream, on the user executor
   */
  public CompletableFuture<Stream> newStream(PeerId peer, List<String> protocols) {
    CompletableFuture<Stream> result = new CompletableFuture<>();
    dialer
        .connectionTo(peer)
        .whenComplete(
            (c, t) -> {
              if (t != null) {
                rt.completeOnUser(result, null, HostRuntime.unwrap(t));
              } else {
                // already on the user executor
                streams
                    .open(c, protocols)
                    .whenComplete(
                        (s, t2) -> {
                          if (t2 != null) {
                            result.completeExceptionally(HostRuntime.unwrap(t2));
                          } else {
                            result.complete(s);
                          }
                        });
              }
            });
    return result;
  }

  /**
   * One ping round trip on a new stream.
   *
   * @param peer the peer, connected or dialable
   * @return the round-trip time, on the user executor
   */
  public CompletableFuture<Duration> ping(PeerId peer) {
    return ping.ping(peer);
  }
}
