package io.headersync.libp2p.internal.yamux;

import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * Every Yamux limit and timer, immutable. Build with {@link #builder()}; {@link #DEFAULT} holds the
 * defaults, which follow go-yamux v5 / go-libp2p v0.48.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>initialStreamWindow</td><td>256 KiB</td><td>receive window of a new stream; at least
 *       256 KiB, the protocol's implicit window (anything above is granted in the SYN/ACK frame)</td></tr>
 *   <tr><td>maxStreamWindow</td><td>16 MiB</td><td>the receive window auto-tuning may grow to</td></tr>
 *   <tr><td>acceptBacklog</td><td>256</td><td>inbound streams SYN'd but not yet accepted (registered) —
 *       more are reset; also the number of our own un-ACKed outbound SYNs before further opens wait</td></tr>
 *   <tr><td>maxInboundStreams</td><td>1000</td><td>open streams the remote may have opened; more are
 *       reset (go-yamux {@code MaxIncomingStreams})</td></tr>
 *   <tr><td>maxOutboundStreams</td><td>1000</td><td>open or pending streams we may open; more fail with
 *       {@link YamuxException.LimitException}</td></tr>
 *   <tr><td>maxQueuedBytesPerStream</td><td>1 MiB</td><td>bytes a stream may hold waiting for send
 *       window; a write beyond fails with {@link YamuxException.LimitException}</td></tr>
 *   <tr><td>maxFrameData</td><td>64 KiB - 12</td><td>largest Data payload we send (go-yamux
 *       {@code MaxMessageSize - headerSize}); we accept any size up to the window we granted</td></tr>
 *   <tr><td>keepAliveInterval</td><td>30 s</td><td>ping after this long without receiving a frame;
 *       {@link Duration#ZERO} turns keepalive off</td></tr>
 *   <tr><td>pingTimeout</td><td>10 s</td><td>a ping without answer fails; a keepalive ping without
 *       answer closes the session (go-yamux {@code ConnectionWriteTimeout})</td></tr>
 *   <tr><td>measureRttInterval</td><td>30 s</td><td>ping at session start and then at this interval to
 *       measure the RTT used by window auto-tuning; {@link Duration#ZERO} turns it off (and with it
 *       auto-tuning)</td></tr>
 *   <tr><td>ticker</td><td>{@link Ticker#systemTicker()}</td><td>time source for RTT and
 *       auto-tuning; tests pass the {@code EmbeddedChannel}'s ticker</td></tr>
 * </table>
 *
 * <p>Memory: a stream buffers what its remote sends until the pipeline reads it, at most the
 * stream's receive window (auto-tuning can grow it to {@code maxStreamWindow}); across a connection
 * that is at most {@code maxStreamWindow x (maxInboundStreams + maxOutboundStreams)}, as in
 * go-yamux, where go-libp2p's resource manager sets the real bound. Outbound, each stream queues at
 * most about {@code maxQueuedBytesPerStream}.
 *
 * <p>There is no write timeout: a write waits for send window as long as the stream lives, bounded
 * by {@code maxQueuedBytesPerStream}; a dead peer is detected by keepalive.
 */
public final class YamuxConfig {
  /** The protocol id negotiated with multistream-select. */
  public static final String PROTOCOL_ID = "/yamux/1.0.0";

  /** The window every stream starts with, in both directions, per the spec. */
  public static final int PROTOCOL_INITIAL_WINDOW = 256 * 1024;

  private static final YamuxConfig DEFAULTS = builder().build();

  /**
   * go-yamux's defaults.
   *
   * @return the configuration with every default
   */
  public static YamuxConfig defaults() {
    return DEFAULTS;
  }

  private final int initialStreamWindow;
  private final int maxStreamWindow;
  private final int acceptBacklog;
  private final int maxInboundStreams;
  private final int maxOutboundStreams;
  private final int maxQueuedBytesPerStream;
  private final int maxFrameData;
  private final InboundBudget inboundBudget;
  private final Duration keepAliveInterval;
  private final Duration pingTimeout;
  private final Duration measureRttInterval;
  private final Ticker ticker;

  private YamuxConfig(Builder b) {
    this.initialStreamWindow = b.initialStreamWindow;
    this.maxStreamWindow = b.maxStreamWindow;
    this.acceptBacklog = b.acceptBacklog;
    this.maxInboundStreams = b.maxInboundStreams;
    this.maxOutboundStreams = b.maxOutboundStreams;
    this.maxQueuedBytesPerStream = b.maxQueuedBytesPerStream;
    this.maxFrameData = b.maxFrameData;
    this.inboundBudget = b.inboundBudget;
    this.keepAliveInterval = b.keepAliveInterval;
    this.pingTimeout = b.pingTimeout;
    this.measureRttInterval = b.measureRttInterval;
    this.ticker = b.ticker;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.initialStreamWindow = initialStreamWindow;
    b.maxStreamWindow = maxStreamWindow;
    b.acceptBacklog = acceptBacklog;
    b.maxInboundStreams = maxInboundStreams;
    b.maxOutboundStreams = maxOutboundStreams;
    b.maxQueuedBytesPerStream = maxQueuedBytesPerStream;
    b.maxFrameData = maxFrameData;
    b.inboundBudget = inboundBudget;
    b.keepAliveInterval = keepAliveInterval;
    b.pingTimeout = pingTimeout;
    b.measureRttInterval = measureRttInterval;
    b.ticker = ticker;
    return b;
  }

  public int initialStreamWindow() {
    return initialStreamWindow;
  }

  public int maxStreamWindow() {
    return maxStreamWindow;
  }

  public int acceptBacklog() {
    return acceptBacklog;
  }

  public int maxInboundStreams() {
    return maxInboundStreams;
  }

  public int maxOutboundStreams() {
    return maxOutboundStreams;
  }

  public int maxQueuedBytesPerStream() {
    return maxQueuedBytesPerStream;
  }

  /** Bytes buffered across all sessions sharing this budget (a host shares one). */
  public InboundBudget inboundBudget() {
    return inboundBudget;
  }

  public int maxFrameData() {
    return maxFrameData;
  }

  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  public Duration pingTimeout() {
    return pingTimeout;
  }

  public Duration measureRttInterval() {
    return measureRttInterval;
  }

  public Ticker ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "YamuxConfig{initialStreamWindow="
        + initialStreamWindow
        + ", maxStreamWindow="
        + maxStreamWindow
        + ", acceptBacklog="
        + acceptBacklog
        + ", maxInboundStreams="
        + maxInboundStreams
        + ", maxOutboundStreams="
        + maxOutboundStreams
        + ", maxQueuedBytesPerStream="
        + maxQueuedBytesPerStream
        + ", maxFrameData="
        + maxFrameData
        + ", keepAliveInterval="
        + keepAliveInterval
        + ", pingTimeout="
        + pingTimeout
        + ", measureRttInterval="
        + measureRttInterval
        + "}";
  }

  /** Builds a {@link YamuxConfig}; {@link #build()} checks the values and names the bad one. */
  public static final class Builder {
    private int initialStreamWindow = PROTOCOL_INITIAL_WINDOW;
    private int maxStreamWindow = 16 * 1024 * 1024;
    private int acceptBacklog = 256;
    private int maxInboundStreams = 1000;
    private int maxOutboundStreams = 1000;
    private int maxQueuedBytesPerStream = 1024 * 1024;
    private int maxFrameData = 64 * 1024 - YamuxFrame.HEADER_SIZE;
    private InboundBudget inboundBudget = InboundBudget.unlimited();
    private Duration keepAliveInterval = Duration.ofSeconds(30);
    private Duration pingTimeout = Duration.ofSeconds(10);
    private Duration measureRttInterval = Duration.ofSeconds(30);
    private Ticker ticker = Ticker.systemTicker();

    private Builder() {}

    public Builder initialStreamWindow(int bytes) {
      this.initialStreamWindow = bytes;
      return this;
    }

    public Builder maxStreamWindow(int bytes) {
      this.maxStreamWindow = bytes;
      return this;
    }

    public Builder acceptBacklog(int streams) {
      this.acceptBacklog = streams;
      return this;
    }

    public Builder maxInboundStreams(int streams) {
      this.maxInboundStreams = streams;
      return this;
    }

    public Builder maxOutboundStreams(int streams) {
      this.maxOutboundStreams = streams;
      return this;
    }

    public Builder maxQueuedBytesPerStream(int bytes) {
      this.maxQueuedBytesPerStream = bytes;
      return this;
    }

    /**
     * The budget of buffered inbound bytes, shared by every session built with it. Default
     * unlimited.
     */
    public Builder inboundBudget(InboundBudget budget) {
      this.inboundBudget = java.util.Objects.requireNonNull(budget, "budget == null");
      return this;
    }

    public Builder maxFrameData(int bytes) {
      this.maxFrameData = bytes;
      return this;
    }

    public Builder keepAliveInterval(Duration interval) {
      this.keepAliveInterval = Objects.requireNonNull(interval, "interval == null");
      return this;
    }

    public Builder pingTimeout(Duration timeout) {
      this.pingTimeout = Objects.requireNonNull(timeout, "timeout == null");
      return this;
    }

    public Builder measureRttInterval(Duration interval) {
      this.measureRttInterval = Objects.requireNonNull(interval, "interval == null");
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker == null");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first option out of range
     */
    public YamuxConfig build() {
      check(
          initialStreamWindow >= PROTOCOL_INITIAL_WINDOW,
          "initialStreamWindow must be at least 256 KiB: " + initialStreamWindow);
      check(
          maxStreamWindow >= initialStreamWindow,
          "maxStreamWindow must be at least initialStreamWindow: " + maxStreamWindow);
      check(acceptBacklog > 0, "acceptBacklog must be positive: " + acceptBacklog);
      check(maxInboundStreams > 0, "maxInboundStreams must be positive: " + maxInboundStreams);
      check(maxOutboundStreams > 0, "maxOutboundStreams must be positive: " + maxOutboundStreams);
      check(
          maxQueuedBytesPerStream > 0,
          "maxQueuedBytesPerStream must be positive: " + maxQueuedBytesPerStream);
      check(
          maxFrameData >= 1024 - YamuxFrame.HEADER_SIZE,
          "maxFrameData must be at least 1012: " + maxFrameData);
      check(
          !keepAliveInterval.isNegative(),
          "keepAliveInterval must not be negative: " + keepAliveInterval);
      check(
          pingTimeout.compareTo(Duration.ZERO) > 0, "pingTimeout must be positive: " + pingTimeout);
      check(
          !measureRttInterval.isNegative(),
          "measureRttInterval must not be negative: " + measureRttInterval);
      return new YamuxConfig(this);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
