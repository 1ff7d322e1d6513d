package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.internal.yamux.YamuxSession;
import io.netty.channel.Channel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** One upgraded connection: the transport channel, its Yamux session and the authenticated peer. */
final class Connection {
  private final Channel channel;
  private final PeerId remotePeer;
  private final Multiaddr remoteAddress;
  private final boolean outbound;
  private @Nullable YamuxSession session;
  private final AtomicInteger openStreams = new AtomicInteger();

  /** Completes when identify on this connection finished (successfully or not). */
  final CompletableFuture<Void> identified = new CompletableFuture<>();

  private final int maxBufferedBytes;

  Connection(
      Channel channel,
      PeerId remotePeer,
      Multiaddr remoteAddress,
      boolean outbound,
      int maxBufferedBytes) {
    this.maxBufferedBytes = maxBufferedBytes;
    this.channel = channel;
    this.remotePeer = remotePeer;
    this.remoteAddress = remoteAddress;
    this.outbound = outbound;
  }

  /** The buffered-bytes limit of each stream ({@code HostLimits.maxBufferedBytesPerStream}). */
  int maxBufferedBytes() {
    return maxBufferedBytes;
  }

  void session(YamuxSession session) {
    this.session = session;
  }

  YamuxSession session() {
    return Objects.requireNonNull(session, "no session yet");
  }

  Channel channel() {
    return channel;
  }

  PeerId remotePeer() {
    return remotePeer;
  }

  Multiaddr remoteAddress() {
    return remoteAddress;
  }

  boolean isOutbound() {
    return outbound;
  }

  boolean isOpen() {
    return channel.isActive() && session != null && !session.isClosed();
  }

  void streamOpened(StreamBridge s) {
    openStreams.incrementAndGet();
  }

  void streamClosed(StreamBridge s) {
    openStreams.decrementAndGet();
  }

  int openStreams() {
    return openStreams.get();
  }

  @Override
  public String toString() {
    return "Connection{"
        + remotePeer
        + " at "
        + remoteAddress
        + (outbound ? ", outbound}" : ", inbound}");
  }
}
