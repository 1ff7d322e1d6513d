package io.headersync.libp2p;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.internal.host.HostConfig;
import io.headersync.libp2p.internal.host.HostCore;
import io.headersync.lifecycle.AbstractService;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A libp2p host: listens, dials, upgrades connections (multistream-select, Noise, Yamux — what a
 * default go-libp2p v0.48 node speaks), serves and opens protocol streams, and runs identify
 * ({@value #IDENTIFY}, {@value #IDENTIFY_PUSH}) and ping ({@value #PING}) itself.
 *
 * <pre>{@code
 * Host host = Host.builder(PrivateKey.generateEd25519(new SecureRandom()))
 *     .listen(Multiaddr.parse("/ip4/0.0.0.0/tcp/7676"))
 *     .build();
 * host.setStreamHandler("/my/proto/1.0.0", stream -> ...);
 * host.start().join();
 * PeerId peer = host.connect(Multiaddr.parse("/ip4/1.2.3.4/tcp/7676/p2p/12D3KooW...")).join();
 * Stream s = host.newStream(peer, "/my/proto/1.0.0").join();
 * }</pre>
 *
 * <h2>Threads</h2>
 *
 * Network I/O runs on the host's event loops ({@link Builder#eventLoopThreads}), which never run
 * user code. Stream handlers, connection listeners and the completion of every future this API
 * returns ({@link #connect}, {@link #newStream}, {@link #ping}, {@link #disconnect}, {@link
 * #start()}, {@link #stop()}) run on the user executor ({@link Builder#executor}; by default a
 * small pool the host owns and shuts down when it stops). Components built on the host (pubsub, the
 * DHT) use the same executor by default ({@link #executor()}). A task the user executor refuses (it
 * was shut down) is never run on an event loop instead: the future fails (a {@link
 * ConnectionException} or {@link StreamException} saying the executor refused it) and the stream
 * concerned is reset; an inbound stream whose handler it refuses is reset. Only a stop, which must
 * be delivered, then completes on the thread that finished it.
 *
 * <h2>Lifecycle</h2>
 *
 * A {@link io.headersync.lifecycle.Service}: NEW → {@link #start()} (binds the listen addresses) →
 * RUNNING → {@link #stop()} → STOPPED; a bind that fails ends it FAILED. {@code start()} and {@code
 * stop()} are idempotent and asynchronous; {@code stop()} closes listeners and connections (Yamux
 * GoAway), stops the event loops, lets queued connection events reach the listeners and shuts down
 * the owned executor (waiting at most a few seconds for its running tasks); a host never started
 * releases its executor. {@link #close()} is {@code stop()} and a wait. Do not call {@code close()}
 * from the user executor when the host owns that executor: it would wait for itself.
 */
public final class Host extends AbstractService {
  /** Identify's protocol id. */
  public static final String IDENTIFY = HostCore.IDENTIFY;

  /** Identify push's protocol id (served, and sent to peers that list it when handlers change). */
  public static final String IDENTIFY_PUSH = HostCore.IDENTIFY_PUSH;

  /** Ping's protocol id. */
  public static final String PING = HostCore.PING;

  /** The default agent version sent in identify. */
  public static final String DEFAULT_USER_AGENT = "headersync/0.1";

  private final HostCore core;
  private final ConnectionGater gater;
  private final Consumer<PeerId> onBlock;

  private Host(HostCore core, ConnectionGater gater) {
    super("host " + core.peerId(), core.userExecutor());
    this.core = core;
    this.gater = gater;
    this.onBlock = p -> core.disconnect(p);
    gater.addBlockListener(onBlock);
  }

  /**
   * A builder for a host with this identity.
   *
   * @param identity the host's key; its peer id is the host's
   * @return a builder with the defaults of {@link Builder}
   */
  public static Builder builder(PrivateKey identity) {
    return new Builder(identity);
  }

  /** Binds the listen addresses; the future of {@link #start()} completes once listening. */
  @Override
  protected CompletableFuture<Void> doStart() {
    return core.start();
  }

  /**
   * Closes every connection and listener and stops the host's threads (the owned executor last).
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    gater.removeBlockListener(onBlock);
    return core.stop();
  }

  /**
   * This host's peer id.
   *
   * @return the peer id of the host's identity
   */
  public PeerId peerId() {
    return core.peerId();
  }

  /**
   * The user executor: where stream handlers, connection listeners and the completion of the host's
   * futures run, and what components built on the host (pubsub, the DHT) use by default.
   *
   * @return the {@link Builder#executor} given, or the pool the host owns (shut down when it stops)
   */
  public Executor executor() {
    return core.userExecutor();
  }

  /**
   * The addresses actually bound (port 0 resolved).
   *
   * @return each ending in {@code /p2p/<our id>}; empty before the host started
   */
  public List<Multiaddr> listenAddresses() {
    return core.listenAddresses();
  }

  /**
   * Connects to {@code address}, or reuses a connection if it names an already connected peer. With
   * a {@code /p2p/<id>} suffix the remote must prove that identity in the handshake.
   *
   * @param address a transport address, optionally with {@code /p2p/<id>}
   * @return the remote peer, on the user executor; fails with {@link ConnectionException}
   */
  public CompletableFuture<PeerId> connect(Multiaddr address) {
    Objects.requireNonNull(address, "address == null");
    return core.connect(address);
  }

  /**
   * Opens a stream to {@code peer} on an existing connection, or dials the addresses we know for it
   * (from earlier connects and identify), negotiating the first of {@code protocols} the peer
   * supports.
   *
   * @param peer the peer
   * @param protocols the protocols to propose, preferred first; at least one
   * @return the stream, on the user executor; fails with {@link StreamException} ({@code
   *     PROTOCOL_NOT_SUPPORTED} when the peer serves none) or {@link ConnectionException}
   */
  public CompletableFuture<Stream> newStream(PeerId peer, String... protocols) {
    Objects.requireNonNull(peer, "peer == null");
    if (protocols.length == 0) {
      throw new IllegalArgumentException("no protocols");
    }
    return core.newStream(peer, List.of(protocols));
  }

  /**
   * Serves {@code protocol} on inbound streams with {@code handler}, replacing any previous one. A
   * new protocol is announced to connected peers that accept {@value #IDENTIFY_PUSH} (go-libp2p
   * does), so register handlers before connecting when you can.
   *
   * @param protocol the protocol id
   * @param handler runs on the user executor with each inbound stream of the protocol
   * @throws IllegalArgumentException for identify, identify push and ping, which the host serves
   */
  public void setStreamHandler(String protocol, StreamHandler handler) {
    Objects.requireNonNull(protocol, "protocol == null");
    Objects.requireNonNull(handler, "handler == null");
    core.setStreamHandler(protocol, handler);
  }

  /**
   * Stops serving {@code protocol}; peers that accept {@value #IDENTIFY_PUSH} are told.
   *
   * @param protocol the protocol id
   * @throws IllegalArgumentException for identify, identify push and ping, which the host serves
   */
  public void removeStreamHandler(String protocol) {
    core.removeStreamHandler(Objects.requireNonNull(protocol, "protocol == null"));
  }

  /**
   * The protocols this host serves (what identify tells peers).
   *
   * @return the protocol ids, sorted, including identify and ping
   */
  public List<String> protocols() {
    return core.protocols();
  }

  /**
   * The peers we have at least one connection with.
   *
   * @return a snapshot
   */
  public Set<PeerId> connectedPeers() {
    return core.connectedPeers();
  }

  /**
   * Adds a listener of connections and identify results; its methods run on the user executor, in
   * order.
   *
   * @param listener the listener
   */
  public void addConnectionListener(ConnectionListener listener) {
    core.addConnectionListener(Objects.requireNonNull(listener, "listener == null"));
  }

  /**
   * Removes a listener added with {@link #addConnectionListener}.
   *
   * @param listener the listener
   */
  public void removeConnectionListener(ConnectionListener listener) {
    core.removeConnectionListener(Objects.requireNonNull(listener, "listener == null"));
  }

  /**
   * What the peer's last identify (or push) said.
   *
   * @param peer the peer
   * @return empty until an identify with it finished
   */
  public Optional<PeerInfo> peerInfo(PeerId peer) {
    return core.peerInfo(Objects.requireNonNull(peer, "peer == null"));
  }

  /**
   * The protocols the peer's identify listed.
   *
   * @param peer the peer
   * @return empty if unknown
   */
  public List<String> peerProtocols(PeerId peer) {
    return peerInfo(peer).map(PeerInfo::protocols).orElse(List.of());
  }

  /**
   * Closes every connection with {@code peer}.
   *
   * @param peer the peer
   * @return completes on the user executor once they are closed
   */
  public CompletableFuture<Void> disconnect(PeerId peer) {
    return core.disconnect(Objects.requireNonNull(peer, "peer == null"));
  }

  /**
   * One {@value #PING} round trip; the peer must be connected or dialable.
   *
   * @param peer the peer
   * @return the round-trip time (by the builder's clock), on the user executor
   */
  public CompletableFuture<Duration> ping(PeerId peer) {
    return core.ping(Objects.requireNonNull(peer, "peer == null"));
  }

  @Override
  public String toString() {
    return "Host{" + peerId() + "}";
  }

  /**
   * Builds a {@link Host}. Defaults: listen on nothing (dial only); TCP transport; a fresh {@link
   * ConnectionGater}; {@link HostLimits#defaults()}; an owned user executor; the system UTC clock;
   * 2 event loop threads; agent {@value #DEFAULT_USER_AGENT}; a new {@link SecureRandom}.
   */
  public static final class Builder {
    private final PrivateKey identity;
    private final List<Multiaddr> listen = new ArrayList<>();
    private @Nullable InMemoryNetwork memory;
    private ConnectionGater gater = new ConnectionGater();
    private HostLimits limits = HostLimits.defaults();
    private @Nullable Executor executor;
    private Clock clock = Clock.systemUTC();
    private int eventLoopThreads = 2;
    private String userAgent = DEFAULT_USER_AGENT;
    private @Nullable SecureRandom random;

    private Builder(PrivateKey identity) {
      this.identity = Objects.requireNonNull(identity, "identity == null");
    }

    /**
     * Adds a listen address: {@code /ip4|ip6/<ip>/tcp/<port>} (port 0: any), or {@code
     * /memory/<n>}.
     *
     * @param address the address to bind on start
     * @return this builder
     */
    public Builder listen(Multiaddr address) {
      listen.add(Objects.requireNonNull(address, "address == null"));
      return this;
    }

    /**
     * Uses the in-memory transport of {@code network} instead of TCP: listen on {@code /memory/0}
     * (the next free number) or {@code /memory/<n>}; dial {@code /memory/<n>} addresses.
     *
     * @param network the in-memory network (not owned)
     * @return this builder
     */
    public Builder inMemory(InMemoryNetwork network) {
      this.memory = Objects.requireNonNull(network, "network == null");
      return this;
    }

    /**
     * The connection gater consulted on dial, accept and after the Noise handshake; peers it blocks
     * are disconnected.
     *
     * @param gater the gater (shared with whoever blocks peers)
     * @return this builder
     */
    public Builder gater(ConnectionGater gater) {
      this.gater = Objects.requireNonNull(gater, "gater == null");
      return this;
    }

    /**
     * Limits on connections, streams and buffered bytes.
     *
     * @param limits the limits; default {@link HostLimits#defaults()}
     * @return this builder
     */
    public Builder limits(HostLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits == null");
      return this;
    }

    /**
     * The executor that runs stream handlers, listeners and future completions (not owned: the
     * caller shuts it down after {@link Host#close()}). It must hand tasks to other threads: a
     * direct executor ({@code Runnable::run}) would run user code on the event loops.
     *
     * @param executor the user executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * The clock ping measures round trips with.
     *
     * @param clock the clock; default the system UTC clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Event loop threads of the TCP transport (the in-memory transport uses the network's).
     *
     * @param threads at least 1; default 2
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder eventLoopThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("eventLoopThreads must be positive: " + threads);
      }
      this.eventLoopThreads = threads;
      return this;
    }

    /**
     * The agent version identify sends.
     *
     * @param userAgent default {@value Host#DEFAULT_USER_AGENT}
     * @return this builder
     */
    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent == null");
      return this;
    }

    /**
     * Randomness for Noise keys and ping payloads.
     *
     * @param random default a new {@link SecureRandom}
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random == null");
      return this;
    }

    /**
     * Builds the host (NEW: nothing is bound until {@link Host#start()}). Makes the user executor
     * unless one was given; {@link Host#stop()} releases it even if the host never starts.
     *
     * @return the host
     * @throws IllegalStateException if a listen address does not fit the transport
     */
    public Host build() {
      InMemoryNetwork m = memory;
      for (Multiaddr a : listen) {
        boolean isMemory =
            a.components().size() == 1
                && a.components().get(0).protocol() == MultiaddrProtocol.MEMORY;
        if (m != null && !isMemory) {
          throw new IllegalStateException(
              "an in-memory host listens on /memory/<n> only, not " + a);
        }
        if (m == null && !a.withoutPeerId().isTcpDialable()) {
          throw new IllegalStateException(
              "a TCP host listens on /ip4|ip6/<ip>/tcp/<port> only, not "
                  + a
                  + (isMemory ? " (call inMemory(network) for /memory addresses)" : ""));
        }
      }
      HostConfig config =
          new HostConfig(
              identity,
              listen,
              m == null ? null : m::allocate,
              m == null ? null : m::endpointName,
              m == null ? null : m::eventLoopGroup,
              gater,
              limits,
              executor,
              clock,
              eventLoopThreads,
              userAgent,
              random != null ? random : new SecureRandom());
      return new Host(new HostCore(config), gater);
    }
  }
}
