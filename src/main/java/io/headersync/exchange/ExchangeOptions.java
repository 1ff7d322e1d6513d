package io.headersync.exchange;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of an {@link Exchange} client, with defaults in one place.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code requestTimeout}</td><td>8 s</td><td>one request to one peer (go-header's)</td></tr>
 *   <tr><td>{@code maxFrameSize}</td><td>1 MiB</td><td>largest response frame (10 MiB for ev-node's profile)</td></tr>
 *   <tr><td>{@code chunkSize}</td><td>64</td><td>headers per range request (go-header's maximum)</td></tr>
 *   <tr><td>{@code perPeerDepth}</td><td>16</td><td>range requests in flight per peer (go-header: 1); 16 x 64 headers keep a 50 ms round trip busy at ~20k headers/s</td></tr>
 *   <tr><td>{@code maxBufferedChunks}</td><td>64</td><td>range window: chunks past the next undelivered height that may be requested</td></tr>
 *   <tr><td>{@code maxAttemptsPerChunk}</td><td>10</td><td>tries of one chunk before a range fails (go-header: unbounded)</td></tr>
 *   <tr><td>{@code maxUntrustedHeadPeers}</td><td>4</td><td>peers asked for the head when a trusted head is known (go-header's)</td></tr>
 *   <tr><td>{@code maxTrackedPeers}</td><td>256</td><td>peers scored by the tracker</td></tr>
 *   <tr><td>{@code peerRetention}</td><td>1 h</td><td>how long a disconnected peer's score is kept (go-header's)</td></tr>
 *   <tr><td>{@code maxRangeToList}</td><td>100,000</td><td>largest range {@link Exchange#getRange} collects into a list</td></tr>
 * </table>
 */
public final class ExchangeOptions {
  private static final ExchangeOptions DEFAULTS = builder().build();

  final Duration requestTimeout;
  final int maxFrameSize;
  final int chunkSize;
  final int perPeerDepth;
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
    b.maxBufferedChunks = maxBufferedChunks;
    b.maxAttemptsPerChunk = maxAttemptsPerChunk;
    b.maxUntrustedHeadPeers = maxUntrustedHeadPeers;
    b.maxTrackedPeers = maxTrackedPeers;
    b.peerRetention = peerRetention;
    b.maxRangeToList = maxRangeToList;
    return b;
  }

  /** @return the timeout of one request to one peer */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** @return the largest response frame, in bytes */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /** @return headers per range request */
  public int chunkSize() {
    return chunkSize;
  }

  /** @return range requests in flight per peer */
  public int perPeerDepth() {
    return perPeerDepth;
  }

  /** @return chunks past the next undelivered height that may be requested */
  public int maxBufferedChunks() {
    return maxBufferedChunks;
  }

  /** @return tries of one chunk before a range fails */
  public int maxAttemptsPerChunk() {
    return maxAttemptsPerChunk;
  }

  /** @return peers asked for the head when a trusted head is known */
  public int maxUntrustedHeadPeers() {
    return maxUntrustedHeadPeers;
  }

  /** @return peers scored by the tracker */
  public int maxTrackedPeers() {
    return maxTrackedPeers;
  }

  /** @return how long a disconnected peer's score is kept */
  public Duration peerRetention() {
    return peerRetention;
  }

  /** @return the largest range {@link Exchange#getRange} collects into a list */
  public int maxRangeToList() {
    return maxRangeToList;
  }

  /** Builds {@link ExchangeOptions}. */
  public static final class Builder {
    private Duration requestTimeout = Duration.ofSeconds(8);
    private int maxFrameSize = ExchangeProtocol.DEFAULT_MAX_FRAME_SIZE;
    private int chunkSize = ExchangeProtocol.MAX_RANGE_REQUEST_SIZE;
    private int perPeerDepth = 16;
    private int maxBufferedChunks = 64;
    private int maxAttemptsPerChunk = 10;
    private int maxUntrustedHeadPeers = 4;
    private int maxTrackedPeers = 256;
    private Duration peerRetention = Duration.ofHours(1);
    private int maxRangeToList = 100_000;

    private Builder() {}

    public Builder requestTimeout(Duration d) {
      Objects.requireNonNull(d, "requestTimeout == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + d);
      }
      this.requestTimeout = d;
      return this;
    }

    public Builder maxFrameSize(int n) {
      this.maxFrameSize = positive(n, "maxFrameSize");
      return this;
    }

    public Builder chunkSize(int n) {
      if (n < 1 || n > ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) {
        throw new IllegalArgumentException("chunkSize must be in 1.." + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE + ": " + n);
      }
      this.chunkSize = n;
      return this;
    }

    public Builder perPeerDepth(int n) {
      this.perPeerDepth = positive(n, "perPeerDepth");
      return this;
    }

    public Builder maxBufferedChunks(int n) {
      this.maxBufferedChunks = positive(n, "maxBufferedChunks");
      return this;
    }

    public Builder maxAttemptsPerChunk(int n) {
      this.maxAttemptsPerChunk = positive(n, "maxAttemptsPerChunk");
      return this;
    }

    public Builder maxUntrustedHeadPeers(int n) {
      this.maxUntrustedHeadPeers = positive(n, "maxUntrustedHeadPeers");
      return this;
    }

    public Builder maxTrackedPeers(int n) {
      this.maxTrackedPeers = positive(n, "maxTrackedPeers");
      return this;
    }

    public Builder peerRetention(Duration d) {
      this.peerRetention = Objects.requireNonNull(d, "peerRetention == null");
      return this;
    }

    public Builder maxRangeToList(int n) {
      this.maxRangeToList = positive(n, "maxRangeToList");
      return this;
    }

    public ExchangeOptions build() {
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
