package io.headersync.libp2p;

import java.time.Duration;
import java.util.Objects;

/**
 * The resource limits of a {@link Host}, immutable; {@link #defaults()} are the defaults, all in
 * this one place (change a few with {@link #toBuilder()}):
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>maxConnections</td><td>256</td><td>open connections in total (go-libp2p's connection
 *       manager trims at 192); an inbound connection past it is closed before the handshake, a dial
 *       fails with {@link ConnectionException.Reason#LIMIT}</td></tr>
 *   <tr><td>maxConnectionsPerPeer</td><td>4</td><td>connections to one peer (simultaneous dials make
 *       two); more are closed right after the handshake</td></tr>
 *   <tr><td>maxStreamsPerConnection</td><td>1000</td><td>streams each side may open on a connection
 *       (go-yamux {@code MaxIncomingStreams}); more inbound are reset, more outbound fail</td></tr>
 *   <tr><td>maxBufferedBytesPerStream</td><td>1 MiB</td><td>bytes a stream may queue waiting for the
 *       remote's window; a write beyond fails. Inbound, a stream buffers at most its Yamux receive
 *       window (256 KiB, auto-tuned up to 16 MiB) and only when a read is pending</td></tr>
 *   <tr><td>negotiationTimeout</td><td>10 s</td><td>each multistream negotiation (go-multistream
 *       uses 10 s)</td></tr>
 *   <tr><td>handshakeTimeout</td><td>15 s</td><td>the Noise handshake (go-libp2p's upgrade
 *       timeout)</td></tr>
 *   <tr><td>identifyTimeout</td><td>5 s</td><td>an identify exchange (go-libp2p's default)</td></tr>
 *   <tr><td>maxInboundConnections</td><td>3/4 of maxConnections (192)</td><td>inbound connections open,
 *       in the handshake or established; more are closed at once. The rest of maxConnections is always
 *       left to our dials, so inbound load never starves outbound</td></tr>
 *   <tr><td>maxInboundHandshakes</td><td>32</td><td>inbound connections still in the handshake
 *       (security, Noise, muxer). When full, the one that waited longest without sending a byte (else
 *       the oldest) is closed to admit the newcomer, so idle connections cannot hold the slots</td></tr>
 *   <tr><td>inboundHandshakeTimeout</td><td>5 s</td><td>from accepting an inbound connection to its
 *       muxer being agreed (go-libp2p allows 15 s; an honest peer needs a few round trips)</td></tr>
 *   <tr><td>maxInboundPerIp</td><td>8</td><td>inbound connections from one IPv4 address or IPv6 /64
 *       (go-libp2p's resource manager: 8 per IPv4 address); loopback is exempt, as in go-libp2p</td></tr>
 *   <tr><td>maxInboundPerSubnet</td><td>32</td><td>inbound connections from one IPv4 /24 or IPv6 /56;
 *       loopback is exempt</td></tr>
 *   <tr><td>maxInboundBufferedBytes</td><td>128 MiB</td><td>bytes received on all streams of all
 *       connections and not yet read by their handlers; a data frame past it is not buffered and its
 *       stream is reset ({@code 0x1002}, go-libp2p's resource limit code), the connection stays</td></tr>
 *   <tr><td>maxInboundStreamsPerProtocol</td><td>64</td><td>open inbound streams of one protocol from
 *       one peer (over all its connections); more are reset after negotiation. Protocols bound their
 *       own work further (the header-ex server: 32 requests per peer)</td></tr>
 * </table>
 */
public final class HostLimits {
  private static final HostLimits DEFAULTS = builder().build();

  private final int maxConnections;
  private final int maxConnectionsPerPeer;
  private final int maxStreamsPerConnection;
  private final int maxBufferedBytesPerStream;
  private final Duration negotiationTimeout;
  private final Duration handshakeTimeout;
  private final Duration identifyTimeout;
  private final int maxInboundConnections;
  private final int maxInboundHandshakes;
  private final Duration inboundHandshakeTimeout;
  private final int maxInboundPerIp;
  private final int maxInboundPerSubnet;
  private final long maxInboundBufferedBytes;
  private final int maxInboundStreamsPerProtocol;
  private final boolean inboundSetExplicitly;

  private HostLimits(Builder b) {
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
    this.maxStreamsPerConnection = b.maxStreamsPerConnection;
    this.maxBufferedBytesPerStream = b.maxBufferedBytesPerStream;
    this.negotiationTimeout = b.negotiationTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.identifyTimeout = b.identifyTimeout;
    this.inboundSetExplicitly = b.maxInboundConnections > 0;
    this.maxInboundConnections =
        b.maxInboundConnections > 0
            ? b.maxInboundConnections
            : Math.max(1, b.maxConnections * 3 / 4);
    if (maxInboundConnections > maxConnections) {
      throw new IllegalArgumentException(
          "maxInboundConnections "
              + maxInboundConnections
              + " is above maxConnections "
              + maxConnections);
    }
    this.maxInboundHandshakes = b.maxInboundHandshakes;
    this.inboundHandshakeTimeout = b.inboundHandshakeTimeout;
    this.maxInboundPerIp = b.maxInboundPerIp;
    this.maxInboundPerSubnet = b.maxInboundPerSubnet;
    this.maxInboundBufferedBytes = b.maxInboundBufferedBytes;
    this.maxInboundStreamsPerProtocol = b.maxInboundStreamsPerProtocol;
  }

  /**
   * {@return how many inbound connections may be open, in the handshake or established} More are
   * closed at once; the rest of {@link #maxConnections()} is left to our own dials, so inbound load
   * never starves outbound. Default 3/4 of {@link #maxConnections()} (192).
   */
  public int maxInboundConnections() {
    return maxInboundConnections;
  }

  /**
   * {@return how many inbound connections may be in the handshake (security, muxer) at once} When
   * full, the connection that waited longest without sending a byte (else the oldest) is closed to
   * admit the newcomer. Default 32.
   */
  public int maxInboundHandshakes() {
    return maxInboundHandshakes;
  }

  /**
   * {@return how long an inbound connection may take from being accepted to its muxer being agreed}
   * Default 5 s (go-libp2p allows 15 s).
   */
  public Duration inboundHandshakeTimeout() {
    return inboundHandshakeTimeout;
  }

  /**
   * {@return how many inbound connections may come from one IPv4 address or IPv6 /64} Loopback is
   * exempt. Default 8, as go-libp2p's resource manager.
   */
  public int maxInboundPerIp() {
    return maxInboundPerIp;
  }

  /**
   * {@return how many inbound connections may come from one IPv4 /24 or IPv6 /56} Loopback is
   * exempt. Default 32.
   */
  public int maxInboundPerSubnet() {
    return maxInboundPerSubnet;
  }

  /**
   * {@return how many received bytes, over all streams of all connections, may wait unread by their
   * handlers} A data frame past it is dropped and its stream reset (code {@code 0x1002}); the
   * connection stays. Default 128 MiB.
   */
  public long maxInboundBufferedBytes() {
    return maxInboundBufferedBytes;
  }

  /**
   * {@return how many inbound streams of one protocol one peer may have open, over all its
   * connections} More are reset after negotiation. Default 64.
   */
  public int maxInboundStreamsPerProtocol() {
    return maxInboundStreamsPerProtocol;
  }

  /**
   * The limits in the table above.
   *
   * @return limits with every default
   */
  public static HostLimits defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@return a builder holding these limits, to change a few} A derived {@code
   * maxInboundConnections} (never set explicitly) stays derived: it follows a changed {@code
   * maxConnections}.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxConnections = maxConnections;
    b.maxConnectionsPerPeer = maxConnectionsPerPeer;
    b.maxStreamsPerConnection = maxStreamsPerConnection;
    b.maxBufferedBytesPerStream = maxBufferedBytesPerStream;
    b.negotiationTimeout = negotiationTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.identifyTimeout = identifyTimeout;
    b.maxInboundConnections = inboundSetExplicitly ? maxInboundConnections : 0;
    b.maxInboundHandshakes = maxInboundHandshakes;
    b.inboundHandshakeTimeout = inboundHandshakeTimeout;
    b.maxInboundPerIp = maxInboundPerIp;
    b.maxInboundPerSubnet = maxInboundPerSubnet;
    b.maxInboundBufferedBytes = maxInboundBufferedBytes;
    b.maxInboundStreamsPerProtocol = maxInboundStreamsPerProtocol;
    return b;
  }

  /**
   * {@return how many connections may be open in total} An inbound connection past it is closed
   * before the handshake; a dial fails with {@link ConnectionException.Reason#LIMIT}. Default 256.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * {@return how many connections to one peer may be open} Simultaneous dials make two; more are
   * closed right after the handshake. Default 4.
   */
  public int maxConnectionsPerPeer() {
    return maxConnectionsPerPeer;
  }

  /**
   * {@return how many streams each side may open on one connection (go-yamux's {@code
   * MaxIncomingStreams})} More inbound streams are reset; more outbound fail. Default 1000.
   */
  public int maxStreamsPerConnection() {
    return maxStreamsPerConnection;
  }

  /**
   * {@return how many bytes one stream may queue while waiting for the remote's window} A write
   * beyond it fails. Default 1 MiB.
   */
  public int maxBufferedBytesPerStream() {
    return maxBufferedBytesPerStream;
  }

  /**
   * {@return how long each multistream protocol negotiation may take} Default 10 s, as
   * go-multistream.
   */
  public Duration negotiationTimeout() {
    return negotiationTimeout;
  }

  /**
   * {@return how long the Noise handshake of an outbound connection may take} Default 15 s,
   * go-libp2p's upgrade timeout.
   */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** {@return how long an identify exchange may take} Default 5 s, as go-libp2p. */
  public Duration identifyTimeout() {
    return identifyTimeout;
  }

  @Override
  public String toString() {
    return "HostLimits{maxConnections="
        + maxConnections
        + ", perPeer="
        + maxConnectionsPerPeer
        + ", streamsPerConnection="
        + maxStreamsPerConnection
        + ", bufferedBytesPerStream="
        + maxBufferedBytesPerStream
        + ", inbound="
        + maxInboundConnections
        + ", inboundHandshakes="
        + maxInboundHandshakes
        + " within "
        + inboundHandshakeTimeout
        + ", perIp="
        + maxInboundPerIp
        + ", perSubnet="
        + maxInboundPerSubnet
        + ", inboundBufferedBytes="
        + maxInboundBufferedBytes
        + ", inboundStreamsPerProtocol="
        + maxInboundStreamsPerProtocol
        + "}";
  }

  /** Builds {@link HostLimits}; every value must be positive. */
  public static final class Builder {
    private int maxConnections = 256;
    private int maxConnectionsPerPeer = 4;
    private int maxStreamsPerConnection = 1000;
    private int maxBufferedBytesPerStream = 1 << 20;
    private Duration negotiationTimeout = Duration.ofSeconds(10);
    private Duration handshakeTimeout = Duration.ofSeconds(15);
    private Duration identifyTimeout = Duration.ofSeconds(5);
    private int maxInboundConnections;
    private int maxInboundHandshakes = 32;
    private Duration inboundHandshakeTimeout = Duration.ofSeconds(5);
    private int maxInboundPerIp = 8;
    private int maxInboundPerSubnet = 32;
    private long maxInboundBufferedBytes = 128L << 20;
    private int maxInboundStreamsPerProtocol = 64;

    private Builder() {}

    /**
     * Sets how many received bytes, over all streams of all connections, may wait unread by their
     * handlers. A data frame past it is dropped and its stream reset (code {@code 0x1002}); the
     * connection stays. Default 128 MiB.
     *
     * @param n the limit in bytes; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxInboundBufferedBytes(long n) {
      if (n <= 0) {
        throw new IllegalArgumentException("maxInboundBufferedBytes must be positive: " + n);
      }
      this.maxInboundBufferedBytes = n;
      return this;
    }

    /**
     * Sets how many inbound streams of one protocol one peer may have open, over all its
     * connections. More are reset after negotiation. Default 64.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxInboundStreamsPerProtocol(int n) {
      this.maxInboundStreamsPerProtocol = positive(n, "maxInboundStreamsPerProtocol");
      return this;
    }

    /**
     * Sets how many inbound connections may be open, in the handshake or established. More are
     * closed at once; the rest of {@link #maxConnections(int) maxConnections} is left to our own
     * dials, so inbound load never starves outbound. Default 3/4 of {@link #maxConnections(int)
     * maxConnections} (192).
     *
     * @param n the limit; positive, at most {@link #maxConnections(int) maxConnections}
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative ({@link #build()} rejects
     *     one above {@link #maxConnections(int) maxConnections})
     */
    public Builder maxInboundConnections(int n) {
      this.maxInboundConnections = positive(n, "maxInboundConnections");
      return this;
    }

    /**
     * Sets how many inbound connections may be in the handshake (security, muxer) at once. When
     * full, the connection that waited longest without sending a byte (else the oldest) is closed
     * to admit the newcomer. Default 32.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxInboundHandshakes(int n) {
      this.maxInboundHandshakes = positive(n, "maxInboundHandshakes");
      return this;
    }

    /**
     * Sets how long an inbound connection may take from being accepted to its muxer being agreed.
     * Default 5 s (go-libp2p allows 15 s).
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder inboundHandshakeTimeout(Duration d) {
      this.inboundHandshakeTimeout = positive(d, "inboundHandshakeTimeout");
      return this;
    }

    /**
     * Sets how many inbound connections may come from one IPv4 address or IPv6 /64. Loopback is
     * exempt. Default 8, as go-libp2p's resource manager.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxInboundPerIp(int n) {
      this.maxInboundPerIp = positive(n, "maxInboundPerIp");
      return this;
    }

    /**
     * Sets how many inbound connections may come from one IPv4 /24 or IPv6 /56. Loopback is exempt.
     * Default 32.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxInboundPerSubnet(int n) {
      this.maxInboundPerSubnet = positive(n, "maxInboundPerSubnet");
      return this;
    }

    /**
     * Sets how many connections may be open in total. An inbound connection past it is closed
     * before the handshake; a dial fails with {@link ConnectionException.Reason#LIMIT}. Default
     * 256.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxConnections(int n) {
      this.maxConnections = positive(n, "maxConnections");
      return this;
    }

    /**
     * Sets how many connections to one peer may be open. Simultaneous dials make two; more are
     * closed right after the handshake. Default 4.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxConnectionsPerPeer(int n) {
      this.maxConnectionsPerPeer = positive(n, "maxConnectionsPerPeer");
      return this;
    }

    /**
     * Sets how many streams each side may open on one connection (go-yamux's {@code
     * MaxIncomingStreams}). More inbound streams are reset; more outbound fail. Default 1000.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxStreamsPerConnection(int n) {
      this.maxStreamsPerConnection = positive(n, "maxStreamsPerConnection");
      return this;
    }

    /**
     * Sets how many bytes one stream may queue while waiting for the remote's window. A write
     * beyond it fails. Default 1 MiB.
     *
     * @param n the limit in bytes; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxBufferedBytesPerStream(int n) {
      this.maxBufferedBytesPerStream = positive(n, "maxBufferedBytesPerStream");
      return this;
    }

    /**
     * Sets how long each multistream protocol negotiation may take. Default 10 s, as
     * go-multistream.
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder negotiationTimeout(Duration d) {
      this.negotiationTimeout = positive(d, "negotiationTimeout");
      return this;
    }

    /**
     * Sets how long the Noise handshake of an outbound connection may take. Default 15 s,
     * go-libp2p's upgrade timeout.
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = positive(d, "handshakeTimeout");
      return this;
    }

    /**
     * Sets how long an identify exchange may take. Default 5 s, as go-libp2p.
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder identifyTimeout(Duration d) {
      this.identifyTimeout = positive(d, "identifyTimeout");
      return this;
    }

    /**
     * {@return the limits; immutable, safe to share}
     *
     * @throws IllegalArgumentException if {@code maxInboundConnections} is above {@code
     *     maxConnections}
     */
    public HostLimits build() {
      return new HostLimits(this);
    }

    private static int positive(int n, String name) {
      if (n <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + n);
      }
      return n;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
