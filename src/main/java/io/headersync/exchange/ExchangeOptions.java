package io.headersync.exchange;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of an {@link Exchange} client, with defaults in one place (the range session's defaults
 * are these too).
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code requestTimeout}</td><td>8 s</td><td>one request to one peer (go-header's)</td></tr>
 *   <tr><td>{@code maxFrameSize}</td><td>1 MiB</td><td>largest response frame (10 MiB for ev-node's profile)</td></tr>
 *   <tr><td>{@code chunkSize}</td><td>64</td><td>headers per range request (go-header's maximum)</td></tr>
 *   <tr><td>{@code perPeerDepth}</td><td>16</td><td>range requests in flight per peer at the start of a
 *       range (go-header: 1); from there each peer's window adapts to its measured bandwidth-delay
 *       product (see below)</td></tr>
 *   <tr><td>{@code minPerPeerDepth}</td><td>1</td><td>the fewest requests a peer's window keeps in flight
 *       (after timeouts and resets)</td></tr>
 *   <tr><td>{@code maxPerPeerDepth}</td><td>128</td><td>the most range requests in flight per peer, a hard
 *       bound (128 x 64 headers keep a 50 ms round trip busy at ~160k headers/s)</td></tr>
 *   <tr><td>{@code minBufferedChunks}</td><td>64</td><td>the range window's floor: chunks past the next
 *       undelivered height that may always be requested</td></tr>
 *   <tr><td>{@code maxBufferedChunks}</td><td>256</td><td>the range window's hard bound: at most this many
 *       chunks past the next undelivered height are requested, so a range session buffers at most
 *       {@code maxBufferedChunks x chunkSize} headers (16,384 by default; about 4.4 MB of ev-node
 *       headers on the wire)</td></tr>
 *   <tr><td>{@code maxAttemptsPerChunk}</td><td>10</td><td>tries of one chunk before a range fails (go-header: unbounded)</td></tr>
 *   <tr><td>{@code maxUntrustedHeadPeers}</td><td>4</td><td>peers asked for the head when a trusted head is known (go-header's)</td></tr>
 *   <tr><td>{@code maxTrackedPeers}</td><td>256</td><td>peers scored by the tracker</td></tr>
 *   <tr><td>{@code peerRetention}</td><td>1 h</td><td>how long a disconnected peer's score is kept (go-header's)</td></tr>
 *   <tr><td>{@code maxRangeToList}</td><td>100,000</td><td>largest range {@link Exchange#getRange} collects into a list</td></tr>
 * </table>
 *
 * <p>The adaptive window (per range session): every answer measures the peer's round trip and its
 * delivery rate in headers per second. A peer starts at {@code perPeerDepth} requests in flight
 * and, while its window is full, gains one request per answer (doubling per round trip, as TCP's
 * slow start) until the rate stops growing or the round trip starts to grow; then its window
 * follows 1.25 times its bandwidth-delay product (the largest recent rate times the smallest recent
 * round trip, in requests) plus 2 but not below {@code perPeerDepth}, and windows above 32 requests
 * are paced over the round trip instead of leaving in bursts. A timeout or reset halves it (it
 * regrows quickly to 85% of where it failed, then by one request per round trip). The window stays
 * within {@code [minPerPeerDepth, maxPerPeerDepth]}; a slow peer is given fewer requests than a
 * fast one. The range window is twice the sum of the usable peers' windows, within {@code
 * [minBufferedChunks, maxBufferedChunks]}. Setting {@code minPerPeerDepth = perPeerDepth =
 * maxPerPeerDepth} and {@code minBufferedChunks = maxBufferedChunks} fixes both. {@link #builder()}
 * refuses {@code perPeerDepth} outside {@code [minPerPeerDepth, maxPerPeerDepth]} and {@code
 * minBufferedChunks} above {@code maxBufferedChunks}.
 */
public final class ExchangeOptions {
  private static final ExchangeOptions DEFAULTS = builder().build();

  final Duration requestTimeout;
  final int maxFrameSize;
  final int chunkSize;
  final int perPeerDepth;
  final int minPerPeerDepth;
  final int maxPerPeerDepth;
  final int minBufferedChunks;
  final int maxBufferedChunks;
  final int maxAttemptsPerChunk;
  final int maxUntrustedHeadPeers;
  final int maxTrackedPeers;
  final Duration peerRetention;
  final int maxRangeToList;

  private ExchangeOptions(Builder b) {
    this.requestTimeout = b.requestTimeout;
    this.maxFrameSize = b.maxFrameSize;
    this.chunkSize = b.chunkSize;
    this.perPeerDepth = b.perPeerDepth;
    this.minPerPeerDepth = b.minPerPeerDepth;
    this.maxPerPeerDepth = b.maxPerPeerDepth;
    this.minBufferedChunks = b.minBufferedChunks;
    this.maxBufferedChunks = b.maxBufferedChunks;
    this.maxAttemptsPerChunk = b.maxAttemptsPerChunk;
    this.maxUntrustedHeadPeers = b.maxUntrustedHeadPeers;
    this.maxTrackedPeers = b.maxTrackedPeers;
    this.peerRetention = b.peerRetention;
    this.maxRangeToList = b.maxRangeToList;
  }

  /**
   * The defaults (the table above).
   *
   * @return options with every default
   */
  public static ExchangeOptions defaults() {
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
   * A builder starting from these options, to change a few.
   *
   * @return a new builder holding every setting of this one
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.requestTimeout = requestTimeout;
    b.maxFrameSize = maxFrameSize;
    b.chunkSize = chunkSize;
    b.perPeerDepth = perPeerDepth;
    b.minPerPeerDepth = minPerPeerDepth;
    b.maxPerPeerDepth = maxPerPeerDepth;
    b.minBufferedChunks = minBufferedChunks;
    b.maxBufferedChunks = maxBufferedChunks;
    b.maxAttemptsPerChunk = maxAttemptsPerChunk;
    b.maxUntrustedHeadPeers = maxUntrustedHeadPeers;
    b.maxTrackedPeers = maxTrackedPeers;
    b.peerRetention = peerRetention;
    b.maxRangeToList = maxRangeToList;
    return b;
  }

  /**
   * @return the timeout of one request to one peer
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * @return the largest response frame, in bytes
   */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /**
   * @return headers per range request
   */
  public int chunkSize() {
    return chunkSize;
  }

  /**
   * @return range requests in flight per peer at the start of a range
   */
  public int perPeerDepth() {
    return perPeerDepth;
  }

  /**
   * @return the fewest range requests a peer's adaptive window keeps in flight
   */
  public int minPerPeerDepth() {
    return minPerPeerDepth;
  }

  /**
   * @return the most range requests in flight per peer (hard bound of the adaptive window)
   */
  public int maxPerPeerDepth() {
    return maxPerPeerDepth;
  }

  /**
   * @return the range window's floor, in chunks past the next undelivered height
   */
  public int minBufferedChunks() {
    return minBufferedChunks;
  }

  /**
   * @return the range window's hard bound: chunks past the next undelivered height that may be
   *     requested (a range buffers at most this times {@link #chunkSize()} headers)
   */
  public int maxBufferedChunks() {
    return maxBufferedChunks;
  }

  /**
   * @return tries of one chunk before a range fails
   */
  public int maxAttemptsPerChunk() {
    return maxAttemptsPerChunk;
  }

  /**
   * @return peers asked for the head when a trusted head is known
   */
  public int maxUntrustedHeadPeers() {
    return maxUntrustedHeadPeers;
  }

  /**
   * @return peers scored by the tracker
   */
  public int maxTrackedPeers() {
    return maxTrackedPeers;
  }

  /**
   * @return how long a disconnected peer's score is kept
   */
  public Duration peerRetention() {
    return peerRetention;
  }

  /**
   * @return the largest range {@link Exchange#getRange} collects into a list
   */
  public int maxRangeToList() {
    return maxRangeToList;
  }

  /** Builds {@link ExchangeOptions}. */
  public static final class Builder {
    private Duration requestTimeout = Duration.ofSeconds(8);
    private int maxFrameSize = ExchangeProtocol.DEFAULT_MAX_FRAME_SIZE;
    private int chunkSize = ExchangeProtocol.MAX_RANGE_REQUEST_SIZE;
    private int perPeerDepth = 16;
    private int minPerPeerDepth = 1;
    private int maxPerPeerDepth = 128;
    private int minBufferedChunks = 64;
    private int maxBufferedChunks = 256;
    private int maxAttemptsPerChunk = 10;
    private int maxUntrustedHeadPeers = 4;
    private int maxTrackedPeers = 256;
    private Duration peerRetention = Duration.ofHours(1);
    private int maxRangeToList = 100_000;

    private Builder() {}

    /**
     * How long one request to one peer may take before it counts as a timeout (the peer's score
     * drops and a range chunk is retried). Default 8 s, go-header's.
     *
     * @param d the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder requestTimeout(Duration d) {
      Objects.requireNonNull(d, "requestTimeout == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + d);
      }
      this.requestTimeout = d;
      return this;
    }

    /**
     * The largest response frame accepted, in bytes; a peer that sends a larger one gave an invalid
     * answer and is blocked. Default {@link ExchangeProtocol#DEFAULT_MAX_FRAME_SIZE} (1 MiB);
     * ev-node's profile uses 10 MiB.
     *
     * @param n the bound in bytes, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxFrameSize(int n) {
      this.maxFrameSize = positive(n, "maxFrameSize");
      return this;
    }

    /**
     * Headers asked for per range request. Default 64, go-header's (and the protocol's) maximum.
     *
     * @param n headers per request, 1..{@link ExchangeProtocol#MAX_RANGE_REQUEST_SIZE}
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is outside that range
     */
    public Builder chunkSize(int n) {
      if (n < 1 || n > ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) {
        throw new IllegalArgumentException(
            "chunkSize must be in 1.." + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE + ": " + n);
      }
      this.chunkSize = n;
      return this;
    }

    /**
     * Range requests in flight per peer at the start of a range session; each peer's window adapts
     * from there (see the class comment). Default 16. {@link #build()} refuses it outside {@code
     * [minPerPeerDepth, maxPerPeerDepth]}.
     *
     * @param n the initial window, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder perPeerDepth(int n) {
      this.perPeerDepth = positive(n, "perPeerDepth");
      return this;
    }

    /**
     * The fewest range requests a peer's window keeps in flight, however often it times out or
     * resets. Default 1.
     *
     * @param n the floor, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder minPerPeerDepth(int n) {
      this.minPerPeerDepth = positive(n, "minPerPeerDepth");
      return this;
    }

    /**
     * The most range requests in flight per peer, a hard bound of the adaptive window. Default 128.
     *
     * @param n the bound, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxPerPeerDepth(int n) {
      this.maxPerPeerDepth = positive(n, "maxPerPeerDepth");
      return this;
    }

    /**
     * A fixed depth: {@code minPerPeerDepth}, {@code perPeerDepth} and {@code maxPerPeerDepth} all
     * {@code n}, so no peer's window adapts.
     *
     * @param n requests in flight per peer, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder fixedPerPeerDepth(int n) {
      positive(n, "perPeerDepth");
      this.minPerPeerDepth = n;
      this.perPeerDepth = n;
      this.maxPerPeerDepth = n;
      return this;
    }

    /**
     * The range window's floor: chunks past the next undelivered height a session may always
     * request. Default 64. {@link #build()} refuses it above {@code maxBufferedChunks}.
     *
     * @param n chunks, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder minBufferedChunks(int n) {
      this.minBufferedChunks = positive(n, "minBufferedChunks");
      return this;
    }

    /**
     * The range window's hard bound: a session requests at most this many chunks past the next
     * undelivered height, so it buffers at most {@code n x chunkSize} headers. Default 256.
     *
     * @param n chunks, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxBufferedChunks(int n) {
      this.maxBufferedChunks = positive(n, "maxBufferedChunks");
      return this;
    }

    /**
     * How many times a range session tries one chunk before the whole range fails with an {@link
     * ExchangeException} (go-header retries without bound). Default 10.
     *
     * @param n attempts, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxAttemptsPerChunk(int n) {
      this.maxAttemptsPerChunk = positive(n, "maxAttemptsPerChunk");
      return this;
    }

    /**
     * How many tracked peers {@link Exchange#head(io.headersync.Header)} asks when a trusted head
     * is known (the best-scored ones). Default 4, go-header's.
     *
     * @param n peers, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxUntrustedHeadPeers(int n) {
      this.maxUntrustedHeadPeers = positive(n, "maxUntrustedHeadPeers");
      return this;
    }

    /**
     * The most peers the exchange scores, connected and recently disconnected together; when full,
     * the oldest disconnected peer makes room and a new peer is not tracked while all are
     * connected. Default 256.
     *
     * @param n peers, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxTrackedPeers(int n) {
      this.maxTrackedPeers = positive(n, "maxTrackedPeers");
      return this;
    }

    /**
     * How long a disconnected peer's score is kept in case it comes back. Default 1 h, go-header's.
     *
     * @param d the retention
     * @return this builder
     */
    public Builder peerRetention(Duration d) {
      this.peerRetention = Objects.requireNonNull(d, "peerRetention == null");
      return this;
    }

    /**
     * The largest range {@link Exchange#getRange} collects into a list; longer ones must be
     * streamed ({@link Exchange#streamRange}). Default 100,000.
     *
     * @param n headers, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public Builder maxRangeToList(int n) {
      this.maxRangeToList = positive(n, "maxRangeToList");
      return this;
    }

    /**
     * The options.
     *
     * @return the options, immutable
     * @throws IllegalArgumentException if {@code perPeerDepth} is outside {@code [minPerPeerDepth,
     *     maxPerPeerDepth]} or {@code minBufferedChunks} is above {@code maxBufferedChunks}
     */
    public ExchangeOptions build() {
      if (perPeerDepth < minPerPeerDepth || perPeerDepth > maxPerPeerDepth) {
        throw new IllegalArgumentException(
            "perPeerDepth "
                + perPeerDepth
                + " must be within minPerPeerDepth "
                + minPerPeerDepth
                + " and maxPerPeerDepth "
                + maxPerPeerDepth);
      }
      if (minBufferedChunks > maxBufferedChunks) {
        throw new IllegalArgumentException(
            "minBufferedChunks "
                + minBufferedChunks
                + " is above maxBufferedChunks "
                + maxBufferedChunks);
      }
      return new ExchangeOptions(this);
    }

    private static int positive(int n, String name) {
      if (n <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + n);
      }
      return n;
    }
  }
}
