package io.headersync.libp2p.internal.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.function.UnaryOperator;

/**
 * Two Yamux sessions on two {@link EmbeddedChannel}s, connected back-to-back by {@link #pump()},
 * which shuttles bytes both ways and runs pending tasks until nothing moves. Single-threaded and
 * deterministic. Each side's config uses its channel's ticker, so {@code advanceTimeBy} drives
 * timers.
 */
final class EmbeddedPair {
  final MockTicker clientTicker = Ticker.newMockTicker();
  final MockTicker serverTicker = Ticker.newMockTicker();
  final EmbeddedChannel clientChannel = EmbeddedChannel.builder().ticker(clientTicker).build();
  final EmbeddedChannel serverChannel = EmbeddedChannel.builder().ticker(serverTicker).build();
  final YamuxSession client;
  final YamuxSession server;
  long bytesClientToServer;
  long bytesServerToClient;

  /**
   * When set, bytes cross in random-sized pieces (1 byte up to 2 KiB), so frames split anywhere.
   */
  java.util.Random splitter;

  EmbeddedPair(ChannelHandler clientInbound, ChannelHandler serverInbound) {
    this(clientInbound, serverInbound, UnaryOperator.identity(), UnaryOperator.identity());
  }

  EmbeddedPair(
      ChannelHandler clientInbound,
      ChannelHandler serverInbound,
      UnaryOperator<YamuxConfig.Builder> clientConfig,
      UnaryOperator<YamuxConfig.Builder> serverConfig) {
    client = new YamuxSession(clientConfig.apply(quiet(clientTicker)).build(), true, clientInbound);
    server =
        new YamuxSession(serverConfig.apply(quiet(serverTicker)).build(), false, serverInbound);
    clientChannel.pipeline().addLast("yamux", client);
    serverChannel.pipeline().addLast("yamux", server);
  }

  /** Defaults, but no timers unless a test turns them on, and the channel's ticker. */
  static YamuxConfig.Builder quiet(Ticker ticker) {
    return YamuxConfig.builder()
        .keepAliveInterval(java.time.Duration.ZERO)
        .measureRttInterval(java.time.Duration.ZERO)
        .ticker(ticker);
  }

  /** Moves bytes both ways and runs tasks until quiet. */
  void pump() {
    for (int rounds = 0; ; rounds++) {
      if (rounds > 1_000_000) {
        throw new AssertionError("pump does not settle");
      }
      clientChannel.runPendingTasks();
      serverChannel.runPendingTasks();
      long c2s = transfer(clientChannel, serverChannel, splitter);
      long s2c = transfer(serverChannel, clientChannel, splitter);
      bytesClientToServer += Math.max(c2s, 0);
      bytesServerToClient += Math.max(s2c, 0);
      if (c2s < 0 && s2c < 0) {
        clientChannel.runPendingTasks();
        serverChannel.runPendingTasks();
        if (clientChannel.outboundMessages().isEmpty()
            && serverChannel.outboundMessages().isEmpty()) {
          return;
        }
      }
    }
  }

  /** Bytes moved, or -1 if nothing was pending. */
  private static long transfer(
      EmbeddedChannel from, EmbeddedChannel to, java.util.Random splitter) {
    long moved = -1;
    for (; ; ) {
      ByteBuf b = from.readOutbound();
      if (b == null) {
        return moved;
      }
      moved = Math.max(moved, 0) + b.readableBytes();
      if (!to.isOpen()) {
        b.release();
      } else if (splitter == null) {
        to.writeInbound(b);
      } else {
        while (b.readableBytes() > 0 && to.isOpen()) {
          int n = Math.min(b.readableBytes(), 1 + splitter.nextInt(2048));
          to.writeInbound(b.readRetainedSlice(n));
        }
        b.release();
      }
    }
  }

  /** Closes both connections and releases whatever is left in them. */
  void close() {
    clientChannel.finishAndReleaseAll();
    serverChannel.finishAndReleaseAll();
  }
}
