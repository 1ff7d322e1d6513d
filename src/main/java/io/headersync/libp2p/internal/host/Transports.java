package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.HostLimits;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.MultiaddrProtocol;
import io.headersync.libp2p.PeerId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The transports of a host: the event loops (NIO for TCP, or the in-memory network's local
 * channels), listening, accepting (with {@link InboundAdmission} and the gater by IP, before a byte
 * is read) and dialing one transport address; every channel is tracked so a stop closes them all.
 * Connections are handed to the {@link ConnectionUpgrader}.
 */
final class Transports {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(Transports.class);

  private final HostRuntime rt;
  private final HostConfig config;
  private final ConnectionUpgrader upgrader;
  private final InboundAdmission<Channel> inbound;
  private final Set<Channel> allChannels = ConcurrentHashMap.newKeySet();
  private final List<Channel> servers = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> boundAddresses = new CopyOnWriteArrayList<>();
  private volatile @Nullable EventLoopGroup group;

  Transports(HostRuntime rt, ConnectionUpgrader upgrader) {
    this.rt = rt;
    this.config = rt.config;
    this.upgrader = upgrader;
    HostLimits limits = config.limits();
    this.inbound =
        new InboundAdmission<>(
            limits.maxInboundConnections(),
            limits.maxInboundHandshakes(),
            limits.maxInboundPerIp(),
            limits.maxInboundPerSubnet());
  }

  // ------------------------------------------------------------------ listening

  /**
   * Makes the event loops and binds every listen address; completes (on an event loop) when bound.
   */
  CompletableFuture<Void> listen() {
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
    return CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> bind(EventLoopGroup g, Multiaddr addr) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ChannelInitializer<Channel> accept =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            accept(ch);
          }
        };
    ChannelFuture bound;
    long memoryNumber = 0;
    if (config.inMemory()) {
      Optional<Long> n = memoryNumber(addr);
      if (n.isEmpty()) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("not a /memory address: " + addr));
      }
      memoryNumber = n.get() == 0 ? config.memoryAllocate().getAsLong() : n.get();
      bound =
          new ServerBootstrap()
              .group(g)
              .channel(LocalServerChannel.class)
              .childHandler(accept)
              .bind(new LocalAddress(config.memoryName().apply(memoryNumber)));
    } else {
      if (!addr.isTcpDialable() || addr.host().isEmpty()) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("not a TCP address: " + addr));
      }
      bound =
          new ServerBootstrap()
              .group(g)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(accept)
              .bind(new InetSocketAddress(addr.host().get(), addr.tcpPort().getAsInt()));
    }
    long mem = memoryNumber;
    bound.addListener(
        (ChannelFuture cf) -> {
          if (!cf.isSuccess()) {
            f.completeExceptionally(
                new ConnectionException(
                    ConnectionException.Reason.FAILED,
                    "cannot listen on " + addr + ": " + cf.cause(),
                    cf.cause()));
            return;
          }
          servers.add(cf.channel());
          boundAddresses.add(
              config.inMemory()
                  ? Multiaddr.parse("/memory/" + mem)
                  : toMultiaddr(cf.channel().localAddress()));
          f.complete(null);
        });
    return f;
  }

  /** The addresses bound (port 0 resolved), without our peer id. */
  List<Multiaddr> boundAddresses() {
    return List.copyOf(boundAddresses);
  }

  /**
   * Closes the listeners and every connection, then stops the event loops (unless they are the
   * in-memory network's). Completes when the loops terminated.
   */
  CompletableFuture<Void> close() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Channel ch : servers) {
      closing.add(closed(ch.close()));
    }
    for (Channel ch : allChannels) {
      closing.add(closed(ch.close()));
    }
    CompletableFuture<Void> all =
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    EventLoopGroup g = group;
    if (g == null || config.inMemory()) {
      return all;
    }
    return all.thenCompose(
        v -> {
          CompletableFuture<Void> down = new CompletableFuture<>();
          g.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> down.complete(null));
          return down;
        });
  }

  private static CompletableFuture<Void> closed(ChannelFuture cf) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    cf.addListener(x -> f.complete(null));
    return f;
  }

  // ------------------------------------------------------------------ inbound

  private void accept(Channel ch) {
    if (!rt.running()) {
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
      log.debug(
          "closing {} to admit {}: every inbound handshake slot is taken",
          admitted.evict.remoteAddress(),
          ch.remoteAddress());
      admitted.evict.close();
    }
    ch.pipeline().addFirst(new FirstBytes(inbound));
    ScheduledFuture<?> deadline =
        ch.eventLoop()
            .schedule(
                () -> {
                  log.debug(
                      "closing {}: no secure, multiplexed connection within {}",
                      ch.remoteAddress(),
                      config.limits().inboundHandshakeTimeout());
                  ch.close();
                },
                config.limits().inboundHandshakeTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    track(ch);
    CompletableFuture<Connection> result = new CompletableFuture<>();
    upgrader.upgrade(ch, false, null, toMultiaddr(ch.remoteAddress()), result);
    result.whenComplete(
        (c, t) -> {
          deadline.cancel(false);
          if (t != null) {
            log.debug("inbound connection from {} failed: {}", ch.remoteAddress(), t.toString());
          } else {
            inbound.upgraded(ch);
          }
        });
  }

  /** Tells the admission an inbound connection sent its first bytes, then leaves the pipeline. */
  private static final class FirstBytes extends ChannelInboundHandlerAdapter {
    private final InboundAdmission<Channel> admission;

    FirstBytes(InboundAdmission<Channel> admission) {
      this.admission = admission;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      admission.sent(ctx.channel());
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(msg);
    }
  }

  private void track(Channel ch) {
    allChannels.add(ch);
    ch.closeFuture().addListener(f -> allChannels.remove(ch));
  }

  // ------------------------------------------------------------------ outbound

  /** Whether this host's transport can dial {@code a} (its transport part). */
  boolean canDial(Multiaddr a) {
    return config.inMemory() ? memoryNumber(a).isPresent() : a.isTcpDialable();
  }

  /**
   * Dials {@code transport} and upgrades the connection; with {@code expected}, the remote must
   * prove that identity. Completes (on an event loop) with the registered connection.
   */
  CompletableFuture<Connection> dial(Multiaddr transport, @Nullable PeerId expected) {
    EventLoopGroup g = group;
    if (g == null) {
      return CompletableFuture.failedFuture(HostRuntime.notRunning());
    }
    if (allChannels.size() >= config.limits().maxConnections()) {
      return CompletableFuture.failedFuture(
          new ConnectionException(
              ConnectionException.Reason.LIMIT, allChannels.size() + " connections open"));
    }
    SocketAddress remote;
    Class<? extends Channel> type;
    if (config.inMemory()) {
      Optional<Long> n = memoryNumber(transport);
      if (n.isEmpty()) {
        return CompletableFuture.failedFuture(
            new ConnectionException(
                ConnectionException.Reason.NO_ADDRESSES,
                "the in-memory transport cannot dial " + transport));
      }
      remote = new LocalAddress(config.memoryName().apply(n.get()));
      type = LocalChannel.class;
    } else {
      if (!transport.isTcpDialable()) {
        return CompletableFuture.failedFuture(
            new ConnectionException(
                ConnectionException.Reason.NO_ADDRESSES,
                "the TCP transport cannot dial " + transport));
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
          return CompletableFuture.failedFuture(
              new ConnectionException(
                  ConnectionException.Reason.GATED,
                  "address " + host + " is refused by the connection gater"));
        }
      }
      remote = InetSocketAddress.createUnresolved(host, transport.tcpPort().getAsInt());
      type = NioSocketChannel.class;
    }
    CompletableFuture<Connection> result = new CompletableFuture<>();
    Bootstrap b =
        new Bootstrap()
            .group(g)
            .channel(type)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.limits().handshakeTimeout().toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    track(ch);
                    // Before connecting: the listener writes its multistream header at once, and on
                    // some
                    // transports (LocalChannel) it may arrive before a connect listener could add
                    // handlers.
                    upgrader.upgrade(ch, true, expected, transport, result);
                  }
                });
    if (!config.inMemory()) {
      b.option(ChannelOption.TCP_NODELAY, true);
    }
    b.connect(remote)
        .addListener(
            (ChannelFuture cf) -> {
              if (!cf.isSuccess()) {
                result.completeExceptionally(
                    new ConnectionException(
                        ConnectionException.Reason.FAILED,
                        "cannot connect to " + transport + ": " + cf.cause(),
                        cf.cause()));
                return;
              }
              Channel ch = cf.channel();
              if (ch.remoteAddress() instanceof InetSocketAddress isa
                  && !config.gater().isAddressAllowed(isa.getAddress())) {
                ch.close();
                result.completeExceptionally(
                    new ConnectionException(
                        ConnectionException.Reason.GATED,
                        "address " + isa + " is refused by the connection gater"));
              }
            });
    return result;
  }

  // ------------------------------------------------------------------ addresses

  static Optional<Long> memoryNumber(Multiaddr addr) {
    Multiaddr t = addr.withoutPeerId();
    if (t.components().size() == 1
        && t.components().get(0).protocol() == MultiaddrProtocol.MEMORY) {
      return Optional.of(Long.parseUnsignedLong(t.components().get(0).valueText()));
    }
    return Optional.empty();
  }

  static Multiaddr toMultiaddr(SocketAddress a) {
    if (a instanceof InetSocketAddress isa) {
      InetAddress ip = isa.getAddress();
      String host = ip instanceof Inet6Address ? NetUtil.toAddressString(ip) : ip.getHostAddress();
      return Multiaddr.tcp(host, isa.getPort());
    }
    return Multiaddr.parse("/memory/0");
  }
}
