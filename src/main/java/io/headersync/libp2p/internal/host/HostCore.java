package io.headersync.libp2p.internal.host;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.HostLimits;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.MultiaddrProtocol;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.StreamHandler;
import io.headersync.libp2p.internal.SerialExecutor;
import io.headersync.libp2p.internal.multistream.MultistreamException;
import io.headersync.libp2p.internal.multistream.MultistreamInitiator;
import io.headersync.libp2p.internal.multistream.MultistreamResponder;
import io.headersync.libp2p.internal.multistream.ProtocolHandlerFactory;
import io.headersync.libp2p.internal.noise.Aead;
import io.headersync.libp2p.internal.noise.NoiseConfig;
import io.headersync.libp2p.internal.noise.NoiseException;
import io.headersync.libp2p.internal.noise.NoiseHandshakeHandler;
import io.headersync.libp2p.internal.noise.NoiseSession;
import io.headersync.libp2p.internal.pb.IdentifyProto;
import io.headersync.libp2p.internal.yamux.InboundBudget;
import io.headersync.libp2p.internal.yamux.YamuxConfig;
import io.headersync.libp2p.internal.yamux.YamuxException;
import io.headersync.libp2p.internal.yamux.YamuxSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The engine behind {@code io.headersync.libp2p.Host}: transports, the connection upgrade
 * (multistream → Noise → multistream → Yamux), stream negotiation, identify and ping.
 *
 * <h2>Pipeline of a connection</h2>
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
 * Netty event loops run the pipelines and the bookkeeping above; user code (stream handlers,
 * connection listeners, future continuations) runs on the user executor. Connection events go
 * through a {@link SerialExecutor} so a listener sees them in order.
 */
public final class HostCore {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(HostCore.class);

  public static final String IDENTIFY = "/ipfs/id/1.0.0";
  public static final String PING = "/ipfs/ping/1.0.0";
  public static final String IDENTIFY_PUSH = "/ipfs/id/push/1.0.0";
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";
  static final String YAMUX = YamuxConfig.PROTOCOL_ID;
  /** The longest identify message read (a longer one fails the identify stream). */
  public static final int IDENTIFY_MAX_MESSAGE = 8192;
  /** At most this many identify messages are read from one stream and merged. */
  public static final int IDENTIFY_MAX_MESSAGES = 10;
  static final int PING_SIZE = 32;

  private enum State { NEW, STARTING, RUNNING, STOPPING, TERMINATED }

  private final HostConfig config;
  private final PeerId self;
  private final Executor userExecutor;
  private final @Nullable ExecutorService ownedExecutor;
  private final SerialExecutor events;
  private final YamuxConfig yamuxConfig;
  private final NoiseConfig noiseConfig;
  private final Duration negotiationTimeout;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private @Nullable EventLoopGroup group;

  private final Map<String, StreamHandler> handlers = new ConcurrentHashMap<>();
  private final Object connLock = new Object();
  private final Map<PeerId, List<Connection>> connections = new HashMap<>();
  private final Set<Channel> allChannels = ConcurrentHashMap.newKeySet();
  private final InboundAdmission<Channel> inbound;
  private final List<Channel> servers = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> boundAddresses = new CopyOnWriteArrayList<>();
  private final Map<PeerId, PeerInfo> peerInfos = new ConcurrentHashMap<>();
  private final Map<PeerId, Set<Multiaddr>> addressBook = new ConcurrentHashMap<>();
  /** Dials in flight to a known peer id: concurrent connects and newStreams share one dial. */
  private final Map<PeerId, CompletableFuture<Connection>> dialing = new ConcurrentHashMap<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  /** Incremented whenever the handler table changes. */
  private final java.util.concurrent.atomic.AtomicLong protocolsVersion = new java.util.concurrent.atomic.AtomicLong();

  public HostCore(HostConfig config) {
    this.config = config;
    HostLimits limits = config.limits();
    this.inbound = new InboundAdmission<>(limits.maxInboundConnections(), limits.maxInboundHandshakes(),
        limits.maxInboundPerIp(), limits.maxInboundPerSubnet());
    this.self = config.identity().peerId();
    if (config.userExecutor() != null) {
      this.userExecutor = config.userExecutor();
      this.ownedExecutor = null;
    } else {
      ExecutorService ex =
          Executors.newFixedThreadPool(
              Math.max(2, Runtime.getRuntime().availableProcessors()),
              new DefaultThreadFactory("headersync-host-user", true));
      this.userExecutor = ex;
      this.ownedExecutor = ex;
    }
    this.events = new SerialExecutor(userExecutor);
    this.yamuxConfig =
        YamuxConfig.builder()
            .maxInboundStreams(config.limits().maxStreamsPerConnection())
            .maxOutboundStreams(config.limits().maxStreamsPerConnection())
            .maxQueuedBytesPerStream(config.limits().maxBufferedBytesPerStream())
            .inboundBudget(new InboundBudget(config.limits().maxInboundBufferedBytes()))
            .build();
    this.noiseConfig =
        new NoiseConfig(
            config.identity(), config.random(), config.limits().handshakeTimeout(), List.of(),
            Aead.DEFAULT);
    this.negotiationTimeout = config.limits().negotiationTimeout();
    handlers.put(IDENTIFY, this::serveIdentify);
    handlers.put(PING, this::servePing);
    handlers.put(IDENTIFY_PUSH, this::serveIdentifyPush);
  }

  public PeerId peerId() {
    return self;
  }

  // ------------------------------------------------------------------ lifecycle

  public CompletableFuture<Void> start() {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      return failedOnUser(new IllegalStateException("host already started (" + state.get() + ")"));
    }
    EventLoopGroup g =
        config.inMemory()
            ? config.memoryGroup().get()
            : new MultiThreadIoEventLoopGroup(
                config.eventLoopThreads(),
                new DefaultThreadFactory("headersync-host-io", true),
                NioIoHandler.newFactory());
    group = g;
    List<CompletableFuture<Void>> binds = new ArrayList<>();
    for (Multiaddr a : config.listenAddresses()) {
      binds.add(bind(g, a));
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new))
        .whenComplete((v, t) -> {
          if (t != null) {
            close();
            completeOnUser(result, null, unwrap(t));
          } else if (state.compareAndSet(State.STARTING, State.RUNNING)) {
            completeOnUser(result, null, null);
          } else {
            completeOnUser(result, null,
                new ConnectionException(ConnectionException.Reason.HOST_CLOSED, "host closed while starting"));
          }
        });
    return result;
  }

  private CompletableFuture<Void> bind(EventLoopGroup g, Multiaddr addr) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ChannelInitializer<Channel> accept = new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        accept(ch);
      }
    };
    ChannelFuture bound;
    long memoryNumber = 0;
    if (config.inMemory()) {
      long n = memoryNumber(addr)
          .orElseThrow(() -> new IllegalArgumentException("not a /memory address: " + addr));
      memoryNumber = n == 0 ? config.memoryAllocate().getAsLong() : n;
      bound = new ServerBootstrap().group(g).channel(LocalServerChannel.class).childHandler(accept)
          .bind(new LocalAddress(config.memoryName().apply(memoryNumber)));
    } else {
      if (!addr.isTcpDialable() || addr.host().isEmpty()) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("not a TCP address: " + addr));
      }
      bound = new ServerBootstrap().group(g).channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(accept)
          .bind(new InetSocketAddress(addr.host().get(), addr.tcpPort().getAsInt()));
    }
    long mem = memoryNumber;
    bound.addListener((ChannelFuture cf) -> {
      if (!cf.isSuccess()) {
        f.completeExceptionally(new ConnectionException(
            ConnectionException.Reason.FAILED, "cannot listen on " + addr + ": " + cf.cause(), cf.cause()));
        return;
      }
      servers.add(cf.channel());
      boundAddresses.add(config.inMemory()
          ? Multiaddr.parse("/memory/" + mem)
          : toMultiaddr(cf.channel().localAddress()));
      f.complete(null);
    });
    return f;
  }

  private static Optional<Long> memoryNumber(Multiaddr addr) {
    Multiaddr t = addr.withoutPeerId();
    if (t.components().size() == 1 && t.components().get(0).protocol() == MultiaddrProtocol.MEMORY) {
      return Optional.of(Long.parseUnsignedLong(t.components().get(0).valueText()));
    }
    return Optional.empty();
  }

  private static Multiaddr toMultiaddr(SocketAddress a) {
    if (a instanceof InetSocketAddress isa) {
      InetAddress ip = isa.getAddress();
      String host = ip instanceof Inet6Address ? NetUtil.toAddressString(ip) : ip.getHostAddress();
      return Multiaddr.tcp(host, isa.getPort());
    }
    return Multiaddr.parse("/memory/0");
  }

  /** Closes everything and waits (bounded) for the event loops and the owned executor to stop. */
  public void close() {
    State s = state.getAndSet(State.STOPPING);
    if (s == State.STOPPING || s == State.TERMINATED) {
      return;
    }
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel ch : servers) {
      closing.add(ch.close());
    }
    for (Channel ch : allChannels) {
      closing.add(ch.close());
    }
    for (ChannelFuture cf : closing) {
      cf.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    EventLoopGroup g = group;
    if (g != null && !config.inMemory()) {
      g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
    // Let queued events (disconnections) reach the listeners before the executor goes.
    CompletableFuture<Void> drained = new CompletableFuture<>();
    events.execute(() -> drained.complete(null));
    try {
      drained.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("connection events not drained on close", e);
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      try {
        if (!ownedExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
          ownedExecutor.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownedExecutor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    state.set(State.TERMINATED);
  }

  public List<Multiaddr> listenAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : boundAddresses) {
      out.add(a.withPeerId(self));
    }
    return out;
  }

  // ------------------------------------------------------------------ handlers and listeners

  /** Serves {@code protocol}; a new protocol is pushed to connected peers that accept identify push. */
  public void setStreamHandler(String protocol, StreamHandler handler) {
    if (isBuiltIn(protocol)) {
      throw new IllegalArgumentException(protocol + " is served by the host itself");
    }
    if (handlers.put(protocol, handler) == null) {
      protocolsVersion.incrementAndGet();
      pushIdentify();
    }
  }

  public void removeStreamHandler(String protocol) {
    if (isBuiltIn(protocol)) {
      throw new IllegalArgumentException(protocol + " is served by the host itself");
    }
    if (handlers.remove(protocol) != null) {
      protocolsVersion.incrementAndGet();
      pushIdentify();
    }
  }

  public static boolean isBuiltIn(String protocol) {
    return protocol.equals(IDENTIFY) || protocol.equals(PING) || protocol.equals(IDENTIFY_PUSH);
  }

  /** The protocols we serve (identify lists these), sorted. */
  public List<String> protocols() {
    return new ArrayList<>(new TreeSet<>(handlers.keySet()));
  }

  public void addConnectionListener(ConnectionListener l) {
    listeners.add(l);
  }

  public void removeConnectionListener(ConnectionListener l) {
    listeners.remove(l);
  }

  public Set<PeerId> connectedPeers() {
    synchronized (connLock) {
      return Set.copyOf(connections.keySet());
    }
  }

  /** Open connections with the peer (0 when none). */
  public int connectionCount(PeerId peer) {
    synchronized (connLock) {
      List<Connection> l = connections.get(peer);
      return l == null ? 0 : l.size();
    }
  }

  public Optional<PeerInfo> peerInfo(PeerId peer) {
    return Optional.ofNullable(peerInfos.get(peer));
  }

  /** Closes every connection with {@code peer}; completes (on the user executor) when they are closed. */
  public CompletableFuture<Void> disconnect(PeerId peer) {
    List<Connection> conns;
    synchronized (connLock) {
      conns = new ArrayList<>(connections.getOrDefault(peer, List.of()));
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Connection c : conns) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      c.channel().close().addListener(x -> f.complete(null));
      all.add(f);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete((v, t) -> completeOnUser(result, null, null));
    return result;
  }

  // ------------------------------------------------------------------ inbound connections

  private void accept(Channel ch) {
    if (state.get() != State.RUNNING) {
      ch.close();
      return;
    }
    if (allChannels.size() >= config.limits().maxConnections()) {
      log.debug("refusing {}: {} connections open", ch.remoteAddress(), allChannels.size());
      ch.close();
      return;
    }
    InetAddress ip = ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    if (ip != null && !config.gater().isAddressAllowed(ip)) {
      log.debug("refusing {}: address blocked by the gater", ch.remoteAddress());
      ch.close();
      return;
    }
    InboundAdmission.Decision<Channel> admitted = inbound.admit(ch, ip);
    if (admitted.refused != null) {
      log.debug("refusing {}: {}", ch.remoteAddress(), admitted.refused);
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> inbound.closed(ch));
    if (admitted.evict != null) {
      log.debug("closing {} to admit {}: every inbound handshake slot is taken", admitted.evict.remoteAddress(),
          ch.remoteAddress());
      admitted.evict.close();
    }
    ch.pipeline().addFirst(new FirstBytes(inbound));
    ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
      log.debug("closing {}: no secure, multiplexed connection within {}", ch.remoteAddress(),
          config.limits().inboundHandshakeTimeout());
      ch.close();
    }, config.limits().inboundHandshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    track(ch);
    CompletableFuture<Connection> result = new CompletableFuture<>();
    upgrade(ch, false, null, toMultiaddr(ch.remoteAddress()), result);
    result.whenComplete((c, t) -> {
      deadline.cancel(false);
      if (t != null) {
        log.debug("inbound connection from {} failed: {}", ch.remoteAddress(), t.toString());
      } else {
        inbound.upgraded(ch);
      }
    });
  }

  /** Tells the admission an inbound connection sent its first bytes, then leaves the pipeline. */
  private static final class FirstBytes extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final InboundAdmission<Channel> admission;

    FirstBytes(InboundAdmission<Channel> admission) {
      this.admission = admission;
    }

    @Override
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
      admission.sent(ctx.channel());
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(msg);
    }
  }

  private void track(Channel ch) {
    allChannels.add(ch);
    ch.closeFuture().addListener(f -> allChannels.remove(ch));
  }

  // ------------------------------------------------------------------ upgrade

  private void upgrade(
      Channel ch, boolean outbound, @Nullable PeerId expected, Multiaddr remoteAddr,
      CompletableFuture<Connection> result) {
    CompletableFuture<String> security = new CompletableFuture<>();
    CompletableFuture<NoiseSession> noise = new CompletableFuture<>();
    CompletableFuture<String> muxer = new CompletableFuture<>();
    Connection[] holder = new Connection[1];
    Function<NoiseSession, @Nullable ChannelHandler> afterNoise = s -> {
      PeerId remote = s.remotePeer();
      if (!config.gater().isPeerAllowed(remote)) {
        throw new ConnectionException(
            ConnectionException.Reason.GATED, "peer " + remote + " is refused by the connection gater");
      }
      Connection conn = new Connection(
          ch, remote, remoteAddr, outbound, config.limits().maxBufferedBytesPerStream());
      holder[0] = conn;
      ProtocolHandlerFactory yamux = p -> YAMUX.equals(p) ? newSession(conn) : null;
      return outbound
          ? new MultistreamInitiator(List.of(YAMUX), yamux, negotiationTimeout, muxer)
          : new MultistreamResponder(yamux, negotiationTimeout, muxer);
    };
    NoiseHandshakeHandler noiseHandler =
        new NoiseHandshakeHandler(noiseConfig, outbound, expected, afterNoise, noise);
    if (outbound) {
      ch.pipeline().addLast(new MultistreamInitiator(
          List.of(NoiseConfig.PROTOCOL_ID), p -> noiseHandler, negotiationTimeout, security));
    } else {
      ch.pipeline().addLast(new MultistreamResponder(
          p -> NoiseConfig.PROTOCOL_ID.equals(p) ? noiseHandler : null, negotiationTimeout, security));
    }
    security.whenComplete((v, t) -> failUpgrade(result, t, "security negotiation"));
    noise.whenComplete((v, t) -> failUpgrade(result, t, "Noise handshake"));
    muxer.whenComplete((v, t) -> {
      if (t != null) {
        failUpgrade(result, t, "muxer negotiation");
      } else {
        register(holder[0], result);
      }
    });
    ch.closeFuture().addListener(f -> result.completeExceptionally(
        new ConnectionException(ConnectionException.Reason.FAILED, "connection closed during the upgrade")));
  }

  private static void failUpgrade(CompletableFuture<Connection> result, @Nullable Throwable t, String stage) {
    if (t == null) {
      return;
    }
    Throwable c = unwrap(t);
    if (c instanceof ConnectionException) {
      result.completeExceptionally(c);
    } else if (c instanceof NoiseException ne && ne.reason() == NoiseException.Reason.PEER_ID_MISMATCH) {
      result.completeExceptionally(new ConnectionException(
          ConnectionException.Reason.PEER_ID_MISMATCH, ne.getMessage(), ne));
    } else {
      result.completeExceptionally(new ConnectionException(
          ConnectionException.Reason.FAILED, stage + " failed: " + c.getMessage(), c));
    }
  }

  private YamuxSession newSession(Connection conn) {
    YamuxSession session = new YamuxSession(yamuxConfig, conn.isOutbound(), new InboundStreams(conn));
    conn.session(session);
    return session;
  }

  /** Event loop: the connection is secured and multiplexed. */
  private void register(Connection conn, CompletableFuture<Connection> result) {
    if (state.get() != State.RUNNING) {
      result.completeExceptionally(
          new ConnectionException(ConnectionException.Reason.HOST_CLOSED, "host is closing"));
      conn.channel().close();
      return;
    }
    PeerId peer = conn.remotePeer();
    synchronized (connLock) {
      List<Connection> list = connections.computeIfAbsent(peer, k -> new ArrayList<>());
      if (list.size() >= config.limits().maxConnectionsPerPeer()) {
        if (list.isEmpty()) {
          connections.remove(peer);
        }
        result.completeExceptionally(new ConnectionException(ConnectionException.Reason.LIMIT,
            "already " + list.size() + " connections with " + peer));
        conn.channel().close();
        return;
      }
      list.add(conn);
    }
    conn.channel().closeFuture().addListener(f -> unregister(conn));
    events.execute(() -> {
      for (ConnectionListener l : listeners) {
        l.connected(peer, conn.remoteAddress(), conn.isOutbound());
      }
    });
    result.complete(conn);
    identify(conn);
  }

  private void unregister(Connection conn) {
    PeerId peer = conn.remotePeer();
    boolean last;
    synchronized (connLock) {
      List<Connection> list = connections.get(peer);
      if (list == null || !list.remove(conn)) {
        return;
      }
      last = list.isEmpty();
      if (last) {
        connections.remove(peer);
      }
    }
    if (last) {
      events.execute(() -> {
        for (ConnectionListener l : listeners) {
          l.disconnected(peer);
        }
      });
    }
  }

  private @Nullable Connection bestConnection(PeerId peer) {
    synchronized (connLock) {
      List<Connection> list = connections.get(peer);
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

  // ------------------------------------------------------------------ dialing

  /** Connects (or reuses a connection); completes on the user executor with the remote peer. */
  public CompletableFuture<PeerId> connect(Multiaddr address) {
    CompletableFuture<PeerId> result = new CompletableFuture<>();
    connection(address).whenComplete((c, t) -> completeOnUser(result, c == null ? null : c.remotePeer(), t));
    return result;
  }

  private CompletableFuture<Connection> connection(Multiaddr address) {
    if (state.get() != State.RUNNING) {
      return CompletableFuture.failedFuture(
          new ConnectionException(ConnectionException.Reason.HOST_CLOSED, "host is not running"));
    }
    Optional<PeerId> expected = address.peerId();
    if (expected.isPresent()) {
      PeerId p = expected.get();
      if (p.equals(self)) {
        return CompletableFuture.failedFuture(
            new ConnectionException(ConnectionException.Reason.FAILED, "cannot dial ourselves"));
      }
      if (!config.gater().isPeerAllowed(p)) {
        return CompletableFuture.failedFuture(new ConnectionException(
            ConnectionException.Reason.GATED, "peer " + p + " is refused by the connection gater"));
      }
      Connection c = bestConnection(p);
      if (c != null) {
        return CompletableFuture.completedFuture(c);
      }
      CompletableFuture<Connection> mine = new CompletableFuture<>();
      CompletableFuture<Connection> inFlight = dialing.putIfAbsent(p, mine);
      if (inFlight != null) {
        return inFlight;
      }
      dialAndRecord(address.withoutPeerId(), p).whenComplete((conn, t) -> {
        // Forget the dial before completing it: a caller woken by the failure may dial again at
        // once and must start a new dial, not join this finished one.
        dialing.remove(p, mine);
        if (t != null) {
          mine.completeExceptionally(unwrap(t));
        } else {
          mine.complete(conn);
        }
      });
      return mine;
    }
    return dialAndRecord(address, null);
  }

  private CompletableFuture<Connection> dialAndRecord(Multiaddr transport, @Nullable PeerId expected) {
    return dial(transport, expected).thenApply(c -> {
      addressBook.computeIfAbsent(c.remotePeer(), k -> ConcurrentHashMap.newKeySet()).add(transport);
      return c;
    });
  }

  private CompletableFuture<Connection> dial(Multiaddr transport, @Nullable PeerId expected) {
    EventLoopGroup g = group;
    if (g == null) {
      return CompletableFuture.failedFuture(
          new ConnectionException(ConnectionException.Reason.HOST_CLOSED, "host is not running"));
    }
    if (allChannels.size() >= config.limits().maxConnections()) {
      return CompletableFuture.failedFuture(new ConnectionException(
          ConnectionException.Reason.LIMIT, allChannels.size() + " connections open"));
    }
    SocketAddress remote;
    Class<? extends Channel> type;
    if (config.inMemory()) {
      Optional<Long> n = memoryNumber(transport);
      if (n.isEmpty()) {
        return CompletableFuture.failedFuture(new ConnectionException(
            ConnectionException.Reason.NO_ADDRESSES, "the in-memory transport cannot dial " + transport));
      }
      remote = new LocalAddress(config.memoryName().apply(n.get()));
      type = LocalChannel.class;
    } else {
      if (!transport.isTcpDialable()) {
        return CompletableFuture.failedFuture(new ConnectionException(
            ConnectionException.Reason.NO_ADDRESSES, "the TCP transport cannot dial " + transport));
      }
      String host = transport.host().orElseThrow();
      if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
        InetAddress ip;
        try {
          ip = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
          return CompletableFuture.failedFuture(e);
        }
        if (!config.gater().isAddressAllowed(ip)) {
          return CompletableFuture.failedFuture(new ConnectionException(
              ConnectionException.Reason.GATED, "address " + host + " is refused by the connection gater"));
        }
      }
      remote = InetSocketAddress.createUnresolved(host, transport.tcpPort().getAsInt());
      type = NioSocketChannel.class;
    }
    CompletableFuture<Connection> result = new CompletableFuture<>();
    Bootstrap b = new Bootstrap().group(g).channel(type)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, config.limits().handshakeTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            track(ch);
            // Before connecting: the listener writes its multistream header at once, and on some
            // transports (LocalChannel) it may arrive before a connect listener could add handlers.
            upgrade(ch, true, expected, transport, result);
          }
        });
    if (!config.inMemory()) {
      b.option(ChannelOption.TCP_NODELAY, true);
    }
    b.connect(remote).addListener((ChannelFuture cf) -> {
      if (!cf.isSuccess()) {
        result.completeExceptionally(new ConnectionException(
            ConnectionException.Reason.FAILED, "cannot connect to " + transport + ": " + cf.cause(), cf.cause()));
        return;
      }
      Channel ch = cf.channel();
      if (ch.remoteAddress() instanceof InetSocketAddress isa
          && !config.gater().isAddressAllowed(isa.getAddress())) {
        ch.close();
        result.completeExceptionally(new ConnectionException(
            ConnectionException.Reason.GATED, "address " + isa + " is refused by the connection gater"));
        return;
      }
    });
    return result;
  }

  private CompletableFuture<Connection> connectionTo(PeerId peer) {
    Connection c = bestConnection(peer);
    if (c != null) {
      return CompletableFuture.completedFuture(c);
    }
    if (!config.gater().isPeerAllowed(peer)) {
      return CompletableFuture.failedFuture(new ConnectionException(
          ConnectionException.Reason.GATED, "peer " + peer + " is refused by the connection gater"));
    }
    Set<Multiaddr> known = new LinkedHashSet<>(addressBook.getOrDefault(peer, Set.of()));
    PeerInfo info = peerInfos.get(peer);
    if (info != null) {
      known.addAll(info.listenAddresses());
    }
    List<Multiaddr> dialable = new ArrayList<>();
    for (Multiaddr a : known) {
      if (config.inMemory() ? memoryNumber(a).isPresent() : a.isTcpDialable()) {
        dialable.add(a.withoutPeerId());
      }
    }
    if (dialable.isEmpty()) {
      return CompletableFuture.failedFuture(new ConnectionException(
          ConnectionException.Reason.NO_ADDRESSES, "no dialable address known for " + peer));
    }
    return dialInTurn(dialable, 0, peer, null);
  }

  private CompletableFuture<Connection> dialInTurn(
      List<Multiaddr> addrs, int i, PeerId peer, @Nullable Throwable last) {
    if (i >= addrs.size()) {
      return CompletableFuture.failedFuture(last != null ? last : new ConnectionException(
          ConnectionException.Reason.NO_ADDRESSES, "no address of " + peer + " answered"));
    }
    return connection(addrs.get(i).withPeerId(peer))
        .handle((c, t) -> c != null ? CompletableFuture.completedFuture(c)
            : dialInTurn(addrs, i + 1, peer, unwrap(t)))
        .thenCompose(Function.identity());
  }

  // ------------------------------------------------------------------ streams

  /** Opens a stream to {@code peer} (dialing known addresses if needed); completes on the user executor. */
  public CompletableFuture<Stream> newStream(PeerId peer, List<String> protocols) {
    CompletableFuture<Stream> result = new CompletableFuture<>();
    connectionTo(peer).whenComplete((c, t) -> {
      if (t != null) {
        completeOnUser(result, null, unwrap(t));
      } else {
        openStream(c, protocols).whenComplete((s, t2) -> {
          if (t2 != null) {
            result.completeExceptionally(unwrap(t2));
          } else {
            result.complete(s);
          }
        });
      }
    });
    return result;
  }

  /**
   * Completes on the user executor. One protocol the peer listed in identify is negotiated lazily,
   * as go-libp2p does: the stream is handed over without waiting for the echo (see {@link
   * #openLazily}); otherwise the stream is handed over once multistream agreed.
   */
  CompletableFuture<Stream> openStream(Connection conn, List<String> protocols) {
    if (protocols.size() == 1 && peerSupports(conn.remotePeer(), protocols.get(0))) {
      return openLazily(conn, protocols.get(0));
    }
    CompletableFuture<Stream> result = new CompletableFuture<>();
    CompletableFuture<String> negotiated = new CompletableFuture<>();
    StreamBridge[] bridge = new StreamBridge[1];
    openWith(conn, () -> new MultistreamInitiator(
        protocols,
        p -> new StreamBridge(conn, p, true, userExecutor, s -> bridge[0] = s),
        negotiationTimeout,
        negotiated)).addListener(f -> {
      if (!f.isSuccess()) {
        negotiated.completeExceptionally(cannotOpen(f.cause()));
      }
    });
    negotiated.whenComplete((p, t) -> {
      if (t == null) {
        completeOnUser(result, bridge[0], null);
      } else {
        Throwable c = unwrap(t);
        completeOnUser(result, null, c instanceof MultistreamException ? negotiationFailed(conn, protocols, c) : c);
      }
    });
    return result;
  }

  /** True if identify (or a push) said {@code peer} serves {@code protocol}. */
  private boolean peerSupports(PeerId peer, String protocol) {
    PeerInfo info = peerInfos.get(peer);
    return info != null && info.protocols().contains(protocol);
  }

  /**
   * go-multistream's lazy select ({@code NewMSSelect}), which go-libp2p uses when the peer
   * announced the protocol: the multistream header and the proposal are sent at once and the stream
   * is handed over as soon as Yamux opened it, so the first request follows without waiting a round
   * trip for the echo. The echo is read and checked before any byte reaches the stream's reader, by
   * the negotiator itself (so a stream that never reads still completes it). A failed negotiation
   * ({@code na}, a reset, the negotiation timeout) fails the stream's reads and later writes with a
   * {@link StreamException} saying so; data written before the {@code na} arrived is lost, as in Go.
   */
  private CompletableFuture<Stream> openLazily(Connection conn, String protocol) {
    CompletableFuture<Stream> result = new CompletableFuture<>();
    CompletableFuture<String> negotiated = new CompletableFuture<>();
    StreamBridge[] bridge = new StreamBridge[1];
    // Completes on the stream's event loop (the negotiator fails it there) before the channel
    // closes, so the bridge reports why rather than "stream closed".
    negotiated.whenComplete((p, t) -> {
      if (t != null && bridge[0] != null) {
        bridge[0].negotiationFailed(negotiationFailed(conn, List.of(protocol), unwrap(t)));
      }
    });
    openWith(conn, () -> MultistreamInitiator.lazy(
        protocol,
        new StreamBridge(conn, protocol, true, userExecutor, s -> bridge[0] = s),
        negotiationTimeout,
        negotiated)).addListener(f -> {
      if (!f.isSuccess()) {
        completeOnUser(result, null, cannotOpen(f.cause()));
      } else if (bridge[0] == null) {
        completeOnUser(result, null, new StreamException(StreamException.Reason.CLOSED,
            "stream for " + protocol + " to " + conn.remotePeer() + " closed while opening"));
      } else {
        completeOnUser(result, bridge[0], null);
      }
    });
    return result;
  }

  /** Opens a Yamux stream whose pipeline starts with the handler {@code negotiator} makes. */
  private static io.netty.util.concurrent.Future<?> openWith(Connection conn, Supplier<ChannelHandler> negotiator) {
    return conn.session().openStream(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(negotiator.get());
      }
    });
  }

  private static StreamException cannotOpen(Throwable c) {
    StreamException.Reason r = c instanceof YamuxException.LimitException
        ? StreamException.Reason.LIMIT : StreamException.Reason.CLOSED;
    return new StreamException(r, "cannot open a stream: " + c.getMessage(), c);
  }

  /** The {@link StreamException} for a failed multistream negotiation. */
  private static StreamException negotiationFailed(Connection conn, List<String> protocols, Throwable c) {
    if (c instanceof StreamException se) {
      return se;
    }
    StreamException.Reason r = StreamException.Reason.CLOSED;
    if (c instanceof MultistreamException me) {
      r = switch (me.reason()) {
        case NOT_SUPPORTED -> StreamException.Reason.PROTOCOL_NOT_SUPPORTED;
        case TIMEOUT -> StreamException.Reason.TIMEOUT;
        default -> me.getCause() instanceof YamuxException.StreamResetException
            ? StreamException.Reason.RESET : StreamException.Reason.CLOSED;
      };
    }
    return new StreamException(r, "negotiating " + protocols + " with " + conn.remotePeer() + " failed: "
        + c.getMessage(), c);
  }

  /** The handler of inbound Yamux streams of one connection: multistream with our handler table. */
  @ChannelHandler.Sharable
  private final class InboundStreams extends ChannelInitializer<Channel> {
    private final Connection conn;

    InboundStreams(Connection conn) {
      this.conn = conn;
    }

    @Override
    protected void initChannel(Channel ch) {
      ch.pipeline().addLast(new MultistreamResponder(p -> {
        StreamHandler h = handlers.get(p);
        if (h == null) {
          return null;
        }
        String key = conn.remotePeer() + " " + p;
        int open = inboundPerProtocol.merge(key, 1, Integer::sum);
        ch.closeFuture().addListener(f -> inboundPerProtocol.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1));
        if (open > config.limits().maxInboundStreamsPerProtocol()) {
          log.debug("resetting an inbound {} stream from {}: {} open, the limit is {}", p, conn.remotePeer(), open - 1,
              config.limits().maxInboundStreamsPerProtocol());
          return new StreamBridge(conn, p, false, userExecutor, StreamBridge::reset);
        }
        return new StreamBridge(conn, p, false, userExecutor, s -> dispatch(h, s));
      }, negotiationTimeout, new CompletableFuture<>()));
    }
  }

  /** Open inbound streams per "peer protocol", for {@link HostLimits#maxInboundStreamsPerProtocol()}. */
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> inboundPerProtocol =
      new java.util.concurrent.ConcurrentHashMap<>();

  private void dispatch(StreamHandler h, StreamBridge s) {
    try {
      userExecutor.execute(() -> {
        try {
          h.handle(s);
        } catch (RuntimeException e) {
          log.warn("stream handler for {} failed", s.protocol(), e);
          s.reset();
        }
      });
    } catch (RejectedExecutionException e) {
      s.reset();
    }
  }

  // ------------------------------------------------------------------ identify

  private void identify(Connection conn) {
    long versionAtStart = protocolsVersion.get();
    openStream(conn, List.of(IDENTIFY)).thenCompose(s -> {
      s.setDeadline(config.limits().identifyTimeout());
      IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
      return readIdentify(s, merged, 0).whenComplete((v, t) -> s.close()).thenApply(v -> merged.build());
    }).whenComplete((msg, t) -> {
      if (t != null) {
        log.debug("identify with {} failed: {}", conn.remotePeer(), t.toString());
        conn.identified.complete(null);
        return;
      }
      PeerInfo info = toPeerInfo(conn.remotePeer(), msg);
      peerInfos.put(conn.remotePeer(), info);
      conn.identified.complete(null);
      if (protocolsVersion.get() != versionAtStart) {
        // our handlers changed while we did not know yet whether the peer takes pushes
        pushIdentify(conn);
      }
      events.execute(() -> {
        for (ConnectionListener l : listeners) {
          l.identified(info);
        }
      });
    });
  }

  private CompletableFuture<Void> readIdentify(
      Stream s, IdentifyProto.Identify.Builder merged, int count) {
    return s.readMessage(IDENTIFY_MAX_MESSAGE).thenCompose(m -> {
      if (m.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      try {
        merged.mergeFrom(m.get());
      } catch (InvalidProtocolBufferException e) {
        throw new CompletionException(new StreamException(
            StreamException.Reason.CLOSED, "malformed identify message", e));
      }
      if (count + 1 >= IDENTIFY_MAX_MESSAGES) {
        return CompletableFuture.completedFuture(null);
      }
      return readIdentify(s, merged, count + 1);
    });
  }

  /**
   * What a peer's (merged) identify message says; addresses we cannot parse are skipped. Never throws
   * for peer input. Public for the fuzz harness ({@code io.headersync.fuzz.IdentityFuzzTest}).
   */
  public static PeerInfo toPeerInfo(PeerId peer, IdentifyProto.Identify msg) {
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString b : msg.getListenAddrsList()) {
      try {
        addrs.add(Multiaddr.fromBytes(b.toByteArray()));
      } catch (RuntimeException e) {
        // an address we cannot parse (a transport we do not know): skip it
      }
    }
    Optional<Multiaddr> observed = Optional.empty();
    if (msg.hasObservedAddr()) {
      try {
        observed = Optional.of(Multiaddr.fromBytes(msg.getObservedAddr().toByteArray()));
      } catch (RuntimeException e) {
        // skip
      }
    }
    return new PeerInfo(peer, msg.getProtocolsList(), msg.getAgentVersion(), msg.getProtocolVersion(),
        addrs, observed);
  }

  private IdentifyProto.Identify identifyMessage(Connection conn) {
    IdentifyProto.Identify.Builder msg = IdentifyProto.Identify.newBuilder()
        .setProtocolVersion(PROTOCOL_VERSION)
        .setAgentVersion(config.userAgent())
        .setPublicKey(ByteString.copyFrom(config.identity().publicKey().bytes()))
        .setObservedAddr(ByteString.copyFrom(conn.remoteAddress().bytes()))
        .addAllProtocols(protocols());
    for (Multiaddr a : boundAddresses) {
      msg.addListenAddrs(ByteString.copyFrom(a.bytes()));
    }
    return msg.build();
  }

  private void serveIdentify(Stream s) {
    StreamBridge b = (StreamBridge) s;
    s.setDeadline(config.limits().identifyTimeout());
    sendIdentify(s, identifyMessage(b.connection()));
  }

  private static void sendIdentify(Stream s, IdentifyProto.Identify msg) {
    s.writeMessage(msg.toByteArray())
        .thenCompose(v -> s.closeWrite())
        .whenComplete((v, t) -> {
          if (t != null) {
            s.reset();
          } else {
            s.close();
          }
        });
  }

  /** Tells every connected peer that accepts {@value #IDENTIFY_PUSH} our current protocols. */
  private void pushIdentify() {
    pushIdentify(null);
  }

  /** Pushes to {@code only}, or to every peer when null. */
  private void pushIdentify(@Nullable Connection only) {
    if (state.get() != State.RUNNING) {
      return;
    }
    List<Connection> targets = new ArrayList<>();
    synchronized (connLock) {
      for (List<Connection> list : connections.values()) {
        for (Connection c : list) {
          PeerInfo info = peerInfos.get(c.remotePeer());
          if ((only == null || only == c)
              && c.isOpen() && info != null && info.protocols().contains(IDENTIFY_PUSH)) {
            targets.add(c);
            break;
          }
        }
      }
    }
    for (Connection c : targets) {
      openStream(c, List.of(IDENTIFY_PUSH)).whenComplete((s, t) -> {
        if (t != null) {
          log.debug("identify push to {} failed: {}", c.remotePeer(), t.toString());
          return;
        }
        s.setDeadline(config.limits().identifyTimeout());
        sendIdentify(s, identifyMessage(c));
      });
    }
  }

  /** A peer's push: fields it sent replace what its identify said. */
  private void serveIdentifyPush(Stream s) {
    s.setDeadline(config.limits().identifyTimeout());
    IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
    readIdentify(s, merged, 0).whenComplete((v, t) -> {
      if (t != null) {
        s.reset();
        return;
      }
      s.close();
      IdentifyProto.Identify msg = merged.build();
      PeerInfo pushed = toPeerInfo(s.remotePeer(), msg);
      PeerInfo info = peerInfos.compute(s.remotePeer(), (k, old) -> old == null ? pushed : new PeerInfo(
          k,
          pushed.protocols(),
          msg.hasAgentVersion() ? pushed.agentVersion() : old.agentVersion(),
          msg.hasProtocolVersion() ? pushed.protocolVersion() : old.protocolVersion(),
          msg.getListenAddrsCount() > 0 ? pushed.listenAddresses() : old.listenAddresses(),
          pushed.observedAddress().or(old::observedAddress)));
      events.execute(() -> {
        for (ConnectionListener l : listeners) {
          l.identified(info);
        }
      });
    });
  }

  // ------------------------------------------------------------------ ping

  private void servePing(Stream s) {
    s.setDeadline(Duration.ofSeconds(60));
    s.readExactly(PING_SIZE).whenComplete((o, t) -> {
      if (t != null) {
        s.reset();
      } else if (o.isEmpty()) {
        s.close();
      } else {
        s.write(o.get()).whenComplete((v, t2) -> {
          if (t2 != null) {
            s.reset();
          } else {
            servePing(s);
          }
        });
      }
    });
  }

  /** One ping round trip on a new {@code /ipfs/ping/1.0.0} stream; completes on the user executor. */
  public CompletableFuture<Duration> ping(PeerId peer) {
    return newStream(peer, List.of(PING)).thenCompose(s -> {
      s.setDeadline(Duration.ofSeconds(10));
      byte[] payload = new byte[PING_SIZE];
      config.random().nextBytes(payload);
      Instant start = config.clock().instant();
      return s.write(payload)
          .thenCompose(v -> s.readExactly(PING_SIZE))
          .thenApply(back -> {
            Duration rtt = Duration.between(start, config.clock().instant());
            if (back.isEmpty() || !Arrays.equals(back.get(), payload)) {
              throw new CompletionException(new StreamException(
                  StreamException.Reason.CLOSED, "ping answer from " + peer + " does not match"));
            }
            return rtt;
          })
          .whenComplete((d, t) -> {
            if (t != null) {
              s.reset();
            } else {
              s.close();
            }
          });
    });
  }

  // ------------------------------------------------------------------ helpers

  private <T> void completeOnUser(CompletableFuture<T> f, @Nullable T value, @Nullable Throwable t) {
    Runnable r = () -> {
      if (t != null) {
        f.completeExceptionally(t);
      } else {
        f.complete(value);
      }
    };
    try {
      userExecutor.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  private <T> CompletableFuture<T> failedOnUser(Throwable t) {
    CompletableFuture<T> f = new CompletableFuture<>();
    completeOnUser(f, null, t);
    return f;
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
