package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.HostLimits;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.internal.multistream.MultistreamInitiator;
import io.headersync.libp2p.internal.multistream.MultistreamResponder;
import io.headersync.libp2p.internal.multistream.ProtocolHandlerFactory;
import io.headersync.libp2p.internal.noise.Aead;
import io.headersync.libp2p.internal.noise.NoiseConfig;
import io.headersync.libp2p.internal.noise.NoiseException;
import io.headersync.libp2p.internal.noise.NoiseHandshakeHandler;
import io.headersync.libp2p.internal.noise.NoiseSession;
import io.headersync.libp2p.internal.yamux.InboundBudget;
import io.headersync.libp2p.internal.yamux.YamuxConfig;
import io.headersync.libp2p.internal.yamux.YamuxSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The connection upgrade, as go-libp2p: multistream ({@code /noise}) → Noise → the gater by peer id
 * → multistream ({@code /yamux/1.0.0}) → Yamux. A Go dialer's {@code /tls/1.0.0} gets {@code na}.
 * Once the muxer is agreed, the connection goes to the registrar (the connection table); every
 * failure becomes a {@link ConnectionException} saying which stage failed.
 */
final class ConnectionUpgrader {
  static final String YAMUX = YamuxConfig.PROTOCOL_ID;

  private final HostConfig config;
  private final YamuxConfig yamuxConfig;
  private final NoiseConfig noiseConfig;
  private final Duration negotiationTimeout;
  private final Function<Connection, ChannelHandler> inboundStreams;
  private final BiConsumer<Connection, CompletableFuture<Connection>> registrar;

  /**
   * @param inboundStreams the handler of a connection's inbound Yamux streams
   * @param registrar called (on the event loop) with a secured, multiplexed connection; it
   *     completes the future
   */
  ConnectionUpgrader(
      HostConfig config,
      Function<Connection, ChannelHandler> inboundStreams,
      BiConsumer<Connection, CompletableFuture<Connection>> registrar) {
    this.config = config;
    HostLimits limits = config.limits();
    this.yamuxConfig =
        YamuxConfig.builder()
            .maxInboundStreams(limits.maxStreamsPerConnection())
            .maxOutboundStreams(limits.maxStreamsPerConnection())
            .maxQueuedBytesPerStream(limits.maxBufferedBytesPerStream())
            .inboundBudget(new InboundBudget(limits.maxInboundBufferedBytes()))
            .build();
    this.noiseConfig =
        new NoiseConfig(
            config.identity(), config.random(), limits.handshakeTimeout(), List.of(), Aead.DEFAULT);
    this.negotiationTimeout = limits.negotiationTimeout();
    this.inboundStreams = inboundStreams;
    this.registrar = registrar;
  }

  /**
   * Installs the upgrade on {@code ch}; {@code result} completes with the registered connection.
   */
  void upgrade(
      Channel ch,
      boolean outbound,
      @Nullable PeerId expected,
      Multiaddr remoteAddr,
      CompletableFuture<Connection> result) {
    CompletableFuture<String> security = new CompletableFuture<>();
    CompletableFuture<NoiseSession> noise = new CompletableFuture<>();
    CompletableFuture<String> muxer = new CompletableFuture<>();
    Connection[] holder = new Connection[1];
    Function<NoiseSession, @Nullable ChannelHandler> afterNoise =
        s -> {
          PeerId remote = s.remotePeer();
          if (!config.gater().isPeerAllowed(remote)) {
            throw new ConnectionException(
                ConnectionException.Reason.GATED,
                "peer " + remote + " is refused by the connection gater");
          }
          Connection conn =
              new Connection(
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
      ch.pipeline()
          .addLast(
              new MultistreamInitiator(
                  List.of(NoiseConfig.PROTOCOL_ID),
                  p -> noiseHandler,
                  negotiationTimeout,
                  security));
    } else {
      ch.pipeline()
          .addLast(
              new MultistreamResponder(
                  p -> NoiseConfig.PROTOCOL_ID.equals(p) ? noiseHandler : null,
                  negotiationTimeout,
                  security));
    }
    security.whenComplete((v, t) -> failUpgrade(result, t, "security negotiation"));
    noise.whenComplete((v, t) -> failUpgrade(result, t, "Noise handshake"));
    muxer.whenComplete(
        (v, t) -> {
          if (t != null) {
            failUpgrade(result, t, "muxer negotiation");
          } else {
            registrar.accept(holder[0], result);
          }
        });
    ch.closeFuture()
        .addListener(
            f ->
                result.completeExceptionally(
                    new ConnectionException(
                        ConnectionException.Reason.FAILED,
                        "connection closed during the upgrade")));
  }

  private static void failUpgrade(
      CompletableFuture<Connection> result, @Nullable Throwable t, String stage) {
    if (t == null) {
      return;
    }
    Throwable c = HostRuntime.unwrap(t);
    if (c instanceof ConnectionException) {
      result.completeExceptionally(c);
    } else if (c instanceof NoiseException ne
        && ne.reason() == NoiseException.Reason.PEER_ID_MISMATCH) {
      result.completeExceptionally(
          new ConnectionException(
              ConnectionException.Reason.PEER_ID_MISMATCH, ne.getMessage(), ne));
    } else {
      result.completeExceptionally(
          new ConnectionException(
              ConnectionException.Reason.FAILED, stage + " failed: " + c.getMessage(), c));
    }
  }

  private YamuxSession newSession(Connection conn) {
    YamuxSession session =
        new YamuxSession(yamuxConfig, conn.isOutbound(), inboundStreams.apply(conn));
    conn.session(session);
    return session;
  }
}
