package io.headersync.exchange;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a {@link P2PServer}, with defaults in one place.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code readDeadline}</td><td>10 s</td><td>time to read the request from the stream's
 *       opening (go-header's is 60 s; a request is a few bytes an honest client writes at once, so
 *       10 s is met on any working link and a peer holding streams open without a request pays)</td></tr>
 *   <tr><td>{@code writeDeadline}</td><td>8 s</td><td>time to write the answer (go-header's)</td></tr>
 *   <tr><td>{@code requestTimeout}</td><td>10 s</td><td>time for the store to answer (go-header's)</td></tr>
 *   <tr><td>{@code maxRequestSize}</td><td>1 KiB</td><td>a request frame is a few bytes; anything larger resets</td></tr>
 *   <tr><td>{@code maxConcurrentPerPeer}</td><td>32</td><td>requests one peer may have open (being read
 *       or served); more reset</td></tr>
 *   <tr><td>{@code maxConcurrent}</td><td>256</td><td>requests being served (read, answered, written)
 *       in total; more reset</td></tr>
 *   <tr><td>{@code maxReading}</td><td>1024</td><td>requests still being read in total; more reset.
 *       A request takes a serving slot only once it was read, so streams that send nothing cannot hold
 *       the slots honest requests are served from</td></tr>
 *   <tr><td>{@code ratePerPeer}</td><td>2000/s</td><td>token bucket refill per peer</td></tr>
 *   <tr><td>{@code burstPerPeer}</td><td>4000</td><td>token bucket size per peer</td></tr>
 *   <tr><td>{@code maxTrackedPeers}</td><td>4096</td><td>peers with a rate bucket; the least recently seen is dropped</td></tr>
 * </table>
 *
 * go-header's server has no concurrency or rate limit (it relies on libp2p's resource manager). The
 * defaults let a syncing peer pipeline freely (a pipelined client keeps 4 requests open per server)
 * while a flood from one peer cannot take the store's time from the others.
 */
public final class ServerOptions {
  private static final ServerOptions DEFAULTS = builder().build();

  private final Duration readDeadline;
  private final Duration writeDeadline;
  private final Duration requestTimeout;
  private final int maxRequestSize;
  private final int maxConcurrentPerPeer;
  private final int maxConcurrent;
  private final int maxReading;
  private final double ratePerPeer;
  private final int burstPerPeer;
  private final int maxTrackedPeers;

  private ServerOptions(Builder b) {
    this.readDeadline = b.readDeadline;
    this.writeDeadline = b.writeDeadline;
    this.requestTimeout = b.requestTimeout;
    this.maxRequestSize = b.maxRequestSize;
    this.maxConcurrentPerPeer = b.maxConcurrentPerPeer;
    this.maxConcurrent = b.maxConcurrent;
    this.maxReading = b.maxReading;
    this.ratePerPeer = b.ratePerPeer;
    this.burstPerPeer = b.burstPerPeer;
    this.maxTrackedPeers = b.maxTrackedPeers;
  }

  /** {@return the options in the class comment's table} */
  public static ServerOptions defaults() {
    return DEFAULTS;
  }

  /** {@return a builder holding the defaults} */
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
    b.readDeadline = readDeadline;
    b.writeDeadline = writeDeadline;
    b.requestTimeout = requestTimeout;
    b.maxRequestSize = maxRequestSize;
    b.maxConcurrentPerPeer = maxConcurrentPerPeer;
    b.maxConcurrent = maxConcurrent;
    b.maxReading = maxReading;
    b.ratePerPeer = ratePerPeer;
    b.burstPerPeer = burstPerPeer;
    b.maxTrackedPeers = maxTrackedPeers;
    return b;
  }

  /**
   * {@return how long the server waits for the request, from the stream's opening} A request is a
   * few bytes an honest client writes at once; a stream that sends nothing in time is reset.
   * Default 10 s (go-header: 60 s).
   */
  public Duration readDeadline() {
    return readDeadline;
  }

  /** {@return how long writing the answer may take} Default 8 s, as go-header. */
  public Duration writeDeadline() {
    return writeDeadline;
  }

  /** {@return how long the store may take to answer a request} Default 10 s, as go-header. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * {@return the largest request frame accepted, in bytes} A request is a few bytes; a larger frame
   * resets the stream. Default 1 KiB.
   */
  public int maxRequestSize() {
    return maxRequestSize;
  }

  /**
   * {@return how many requests one peer may have open (being read or served)} More are reset; a
   * pipelined client keeps 4 open per server. Default 32.
   */
  public int maxConcurrentPerPeer() {
    return maxConcurrentPerPeer;
  }

  /**
   * {@return how many requests may be served (read, answered, written) at once in total} More are
   * reset. Default 256.
   */
  public int maxConcurrent() {
    return maxConcurrent;
  }

  /**
   * {@return how many requests may still be being read, in total} More are reset. A request takes a
   * serving slot only once it was read, so streams that send nothing cannot hold the slots. Default
   * 1024.
   */
  public int maxReading() {
    return maxReading;
  }

  /**
   * {@return how many requests per second refill a peer's token bucket} A request that finds the
   * bucket empty is reset. Default 2000.
   */
  public double ratePerPeer() {
    return ratePerPeer;
  }

  /** {@return how many requests a peer's token bucket holds} Default 4000. */
  public int burstPerPeer() {
    return burstPerPeer;
  }

  /**
   * {@return how many peers have a rate bucket} Past it the least recently seen peer's bucket is
   * dropped. Default 4096.
   */
  public int maxTrackedPeers() {
    return maxTrackedPeers;
  }

  /** Builds {@link ServerOptions}; every value must be positive. */
  public static final class Builder {
    private Duration readDeadline = Duration.ofSeconds(10);
    private Duration writeDeadline = Duration.ofSeconds(8);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxRequestSize = 1024;
    private int maxConcurrentPerPeer = 32;
    private int maxConcurrent = 256;
    private int maxReading = 1024;
    private double ratePerPeer = 2000;
    private int burstPerPeer = 4000;
    private int maxTrackedPeers = 4096;

    private Builder() {}

    /**
     * Sets how long the server waits for the request, from the stream's opening. A request is a few
     * bytes an honest client writes at once; a stream that sends nothing in time is reset. Default
     * 10 s (go-header: 60 s).
     *
     * @param d the deadline; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder readDeadline(Duration d) {
      this.readDeadline = positive(d, "readDeadline");
      return this;
    }

    /**
     * Sets how long writing the answer may take. Default 8 s, as go-header.
     *
     * @param d the deadline; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder writeDeadline(Duration d) {
      this.writeDeadline = positive(d, "writeDeadline");
      return this;
    }

    /**
     * Sets how long the store may take to answer a request. Default 10 s, as go-header.
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive(d, "requestTimeout");
      return this;
    }

    /**
     * Sets the largest request frame accepted, in bytes. A request is a few bytes; a larger frame
     * resets the stream. Default 1 KiB.
     *
     * @param n the limit in bytes; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxRequestSize(int n) {
      this.maxRequestSize = positive(n, "maxRequestSize");
      return this;
    }

    /**
     * Sets how many requests one peer may have open (being read or served). More are reset; a
     * pipelined client keeps 4 open per server. Default 32.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxConcurrentPerPeer(int n) {
      this.maxConcurrentPerPeer = positive(n, "maxConcurrentPerPeer");
      return this;
    }

    /**
     * Sets how many requests may be served (read, answered, written) at once in total. More are
     * reset. Default 256.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxConcurrent(int n) {
      this.maxConcurrent = positive(n, "maxConcurrent");
      return this;
    }

    /**
     * Sets how many requests may still be being read, in total. More are reset. A request takes a
     * serving slot only once it was read, so streams that send nothing cannot hold the slots.
     * Default 1024.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxReading(int n) {
      this.maxReading = positive(n, "maxReading");
      return this;
    }

    /**
     * Requests per second a peer's bucket refills with, and how many it holds.
     *
     * @param perSecond requests per second the bucket refills with; positive
     * @param burst how many requests the bucket holds, so how many a peer may send at once;
     *     positive
     * @return this builder
     * @throws IllegalArgumentException if either is zero or negative (or {@code perSecond} is NaN)
     *     Defaults 2000/s and 4000.
     */
    public Builder ratePerPeer(double perSecond, int burst) {
      if (!(perSecond > 0)) {
        throw new IllegalArgumentException("ratePerPeer must be positive: " + perSecond);
      }
      this.ratePerPeer = perSecond;
      this.burstPerPeer = positive(burst, "burstPerPeer");
      return this;
    }

    /**
     * Sets how many peers have a rate bucket. Past it the least recently seen peer's bucket is
     * dropped. Default 4096.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxTrackedPeers(int n) {
      this.maxTrackedPeers = positive(n, "maxTrackedPeers");
      return this;
    }

    /** {@return the options; immutable, safe to share} */
    public ServerOptions build() {
      return new ServerOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    private static int positive(int n, String name) {
      if (n <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + n);
      }
      return n;
    }
  }
}
