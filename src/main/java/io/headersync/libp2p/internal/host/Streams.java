package io.headersync.libp2p.internal.host;

import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.StreamHandler;
import io.headersync.libp2p.internal.multistream.MultistreamException;
import io.headersync.libp2p.internal.multistream.MultistreamInitiator;
import io.headersync.libp2p.internal.multistream.MultistreamResponder;
import io.headersync.libp2p.internal.yamux.YamuxException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Protocol streams on a connection: the handler table and its inbound side (multistream over the
 * table, at most {@code maxInboundStreamsPerProtocol} open per peer and protocol, handlers run on
 * the user executor), and opening outbound streams, lazily when the peer announced the protocol.
 * Stream futures complete on the user executor; a stream the executor cannot take is reset.
 */
final class Streams {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(Streams.class);

  private final HostRuntime rt;
  private final Connections connections;
  private final Duration negotiationTimeout;
  private final Map<String, StreamHandler> handlers = new ConcurrentHashMap<>();

  /**
   * Open inbound streams per "peer protocol", for {@code
   * HostLimits.maxInboundStreamsPerProtocol()}.
   */
  private final ConcurrentHashMap<String, Integer> inboundPerProtocol = new ConcurrentHashMap<>();

  Streams(HostRuntime rt, Connections connections) {
    this.rt = rt;
    this.connections = connections;
    this.negotiationTimeout = rt.config.limits().negotiationTimeout();
  }

  // ------------------------------------------------------------------ the handler table

  /** Sets the handler of {@code protocol}; true if the protocol is new. */
  boolean put(String protocol, StreamHandler handler) {
    return handlers.put(protocol, handler) == null;
  }

  /** Removes the handler of {@code protocol}; true if there was one. */
  boolean remove(String protocol) {
    return handlers.remove(protocol) != null;
  }

  /** The protocols we serve (identify lists these), sorted. */
  List<String> protocols() {
    return new ArrayList<>(new TreeSet<>(handlers.keySet()));
  }

  // ------------------------------------------------------------------ inbound

  /** The handler of a connection's inbound Yamux streams. */
  ChannelHandler inbound(Connection conn) {
    return new InboundStreams(conn);
  }

  /** Multistream over our handler table on each inbound stream. */
  @ChannelHandler.Sharable
  private final class InboundStreams extends ChannelInitializer<Channel> {
    private final Connection conn;

    InboundStreams(Connection conn) {
      this.conn = conn;
    }

    @Override
    protected void initChannel(Channel ch) {
      ch.pipeline()
          .addLast(
              new MultistreamResponder(
                  p -> {
                    StreamHandler h = handlers.get(p);
                    if (h == null) {
                      return null;
                    }
                    String key = conn.remotePeer() + " " + p;
                    int open = inboundPerProtocol.merge(key, 1, Integer::sum);
                    ch.closeFuture()
                        .addListener(
                            f ->
                                inboundPerProtocol.computeIfPresent(
                                    key, (k, n) -> n <= 1 ? null : n - 1));
                    int limit = rt.config.limits().maxInboundStreamsPerProtocol();
                    if (open > limit) {
                      log.debug(
                          "resetting an inbound {} stream from {}: {} open, the limit is {}",
                          p,
                          conn.remotePeer(),
                          open - 1,
                          limit);
                      return new StreamBridge(conn, p, false, rt.user, StreamBridge::reset);
                    }
                    return new StreamBridge(conn, p, false, rt.user, s -> dispatch(h, s));
                  },
                  negotiationTimeout,
                  new CompletableFuture<>()));
    }
  }

  /**
   * Runs the handler on the user executor; if it refuses, the stream is reset (never run here, on
   * the loop).
   */
  private void dispatch(StreamHandler h, StreamBridge s) {
    try {
      rt.user
          .executor()
          .execute(
              () -> {
                try {
                  h.handle(s);
                } catch (RuntimeException e) {
                  log.warn("stream handler for {} failed", s.protocol(), e);
                  s.reset();
                }
              });
    } catch (RejectedExecutionException e) {
      log.debug(
          "resetting an inbound {} stream from {}: the user executor refused its handler",
          s.protocol(),
          s.remotePeer());
      s.reset();
    }
  }

  // ------------------------------------------------------------------ outbound

  /**
   * Completes on the user executor. One protocol the peer listed in identify is negotiated lazily,
   * as go-libp2p does: the stream is handed over without waiting for the echo (see {@link
   * #openLazily}); otherwise the stream is handed over once multistream agreed.
   */
  CompletableFuture<Stream> open(Connection conn, List<String> protocols) {
    if (protocols.size() == 1 && connections.supports(conn.remotePeer(), protocols.get(0))) {
      return openLazily(conn, protocols.get(0));
    }
    CompletableFuture<Stream> result = new CompletableFuture<>();
    CompletableFuture<String> negotiated = new CompletableFuture<>();
    StreamBridge[] bridge = new StreamBridge[1];
    openWith(
            conn,
            () ->
                new MultistreamInitiator(
                    protocols,
                    p -> new StreamBridge(conn, p, true, rt.user, s -> bridge[0] = s),
                    negotiationTimeout,
                    negotiated))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                negotiated.completeExceptionally(cannotOpen(f.cause()));
              }
            });
    negotiated.whenComplete(
        (p, t) -> {
          if (t == null) {
            deliver(result, bridge[0]);
          } else {
            Throwable c = HostRuntime.unwrap(t);
            fail(
                result,
                c instanceof MultistreamException ? negotiationFailed(conn, protocols, c) : c);
          }
        });
    return result;
  }

  /**
   * go-multistream's lazy select ({@code NewMSSelect}), which go-libp2p uses when the peer
   * announced the protocol: the multistream header and the proposal are sent at once and the stream
   * is handed over as soon as Yamux opened it, so the first request follows without waiting a round
   * trip for the echo. The echo is read and checked before any byte reaches the stream's reader, by
   * the negotiator itself (so a stream that never reads still completes it). A failed negotiation
   * ({@code na}, a reset, the negotiation timeout) fails the stream's reads and later writes with a
   * {@link StreamException} saying so; data written before the {@code na} arrived is lost, as in
   * Go.
   */
  private CompletableFuture<Stream> openLazily(Connection conn, String protocol) {
    CompletableFuture<Stream> result = new CompletableFuture<>();
    CompletableFuture<String> negotiated = new CompletableFuture<>();
    StreamBridge[] bridge = new StreamBridge[1];
    // Completes on the stream's event loop (the negotiator fails it there) before the channel
    // closes, so the bridge reports why rather than "stream closed".
    negotiated.whenComplete(
        (p, t) -> {
          if (t != null && bridge[0] != null) {
            bridge[0].negotiationFailed(
                negotiationFailed(conn, List.of(protocol), HostRuntime.unwrap(t)));
          }
        });
    openWith(
            conn,
            () ->
                MultistreamInitiator.lazy(
                    protocol,
                    new StreamBridge(conn, protocol, true, rt.user, s -> bridge[0] = s),
                    negotiationTimeout,
                    negotiated))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(result, cannotOpen(f.cause()));
              } else if (bridge[0] == null) {
                fail(
                    result,
                    new StreamException(
                        StreamException.Reason.CLOSED,
                        "stream for "
                            + protocol
                            + " to "
                            + conn.remotePeer()
                            + " closed while opening"));
              } else {
                deliver(result, bridge[0]);
              }
            });
    return result;
  }

  /**
   * Hands the stream over on the user executor; if it refuses, the stream is reset and the future
   * fails.
   */
  private void deliver(CompletableFuture<Stream> result, Stream s) {
    rt.user.complete(
        result,
        s,
        null,
        e -> {
          s.reset();
          return StreamBridge.refused(e);
        });
  }

  private void fail(CompletableFuture<Stream> result, Throwable t) {
    rt.user.complete(result, null, t, StreamBridge::refused);
  }

  /** Opens a Yamux stream whose pipeline starts with the handler {@code negotiator} makes. */
  private static io.netty.util.concurrent.Future<?> openWith(
      Connection conn, Supplier<ChannelHandler> negotiator) {
    return conn.session()
        .openStream(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(negotiator.get());
              }
            });
  }

  private static StreamException cannotOpen(Throwable c) {
    StreamException.Reason r =
        c instanceof YamuxException.LimitException
            ? StreamException.Reason.LIMIT
            : StreamException.Reason.CLOSED;
    return new StreamException(r, "cannot open a stream: " + c.getMessage(), c);
  }

  /** The {@link StreamException} for a failed multistream negotiation. */
  private static StreamException negotiationFailed(
      Connection conn, List<String> protocols, Throwable c) {
    if (c instanceof StreamException se) {
      return se;
    }
    StreamException.Reason r = StreamException.Reason.CLOSED;
    if (c instanceof MultistreamException me) {
      r =
          switch (me.reason()) {
            case NOT_SUPPORTED -> StreamException.Reason.PROTOCOL_NOT_SUPPORTED;
            case TIMEOUT -> StreamException.Reason.TIMEOUT;
            default ->
                me.getCause() instanceof YamuxException.StreamResetException
                    ? StreamException.Reason.RESET
                    : StreamException.Reason.CLOSED;
          };
    }
    return new StreamException(
        r,
        "negotiating " + protocols + " with " + conn.remotePeer() + " failed: " + c.getMessage(),
        c);
  }
}
