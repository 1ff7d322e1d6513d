package io.headersync.libp2p.dht;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link Dht}, immutable, with go-libp2p-kad-dht v0.40.0's values as defaults where
 * Go has one, and bounds where Go has none. Build with {@link #builder()}; {@link #defaults()} is
 * the ev-node setup (server mode).
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>Setting</th><th>Default</th><th>Go</th></tr>
 *   <tr><td>mode</td><td>SERVER</td><td>ev-node: {@code ModeServer}</td></tr>
 *   <tr><td>bucketSize (k)</td><td>20</td><td>20, fixed for {@code /ipfs}</td></tr>
 *   <tr><td>alpha</td><td>3</td><td>10 ({@code Concurrency})</td></tr>
 *   <tr><td>maxMessageSize</td><td>4 MiB</td><td>{@code network.MessageSizeMax}</td></tr>
 *   <tr><td>requestTimeout</td><td>10 s</td><td>{@code dhtReadMessageTimeout}</td></tr>
 *   <tr><td>streamIdleTimeout</td><td>1 min</td><td>{@code dhtStreamIdleTimeout}</td></tr>
 *   <tr><td>refreshInterval</td><td>10 min</td><td>{@code RefreshInterval}</td></tr>
 *   <tr><td>lowPeerCheckInterval</td><td>2 min</td><td>{@code periodicBootstrapInterval}</td></tr>
 *   <tr><td>providerValidity</td><td>48 h</td><td>{@code ProvideValidity}</td></tr>
 *   <tr><td>maxProviderKeys</td><td>4096</td><td>none (ev-node: in-memory map)</td></tr>
 *   <tr><td>maxProvidersPerKey</td><td>128</td><td>none</td></tr>
 *   <tr><td>maxKeysPerPeer</td><td>64</td><td>none</td></tr>
 *   <tr><td>maxLookupsInFlight</td><td>16</td><td>none</td></tr>
 *   <tr><td>maxQueriesPerLookup</td><td>100</td><td>none</td></tr>
 *   <tr><td>maxCloserPeersPerResponse</td><td>40</td><td>40 since v0.42.0</td></tr>
 *   <tr><td>maxStrikes</td><td>3</td><td>none</td></tr>
 * </table>
 */
public final class DhtOptions {
  /** The ev-node setup. */
  private static final DhtOptions DEFAULTS = builder().build();

  private final DhtMode mode;
  private final int bucketSize;
  private final int alpha;
  private final int maxMessageSize;
  private final Duration requestTimeout;
  private final Duration streamIdleTimeout;
  private final Duration refreshInterval;
  private final Duration lowPeerCheckInterval;
  private final Duration providerValidity;
  private final int maxProviderKeys;
  private final int maxProvidersPerKey;
  private final int maxKeysPerPeer;
  private final int maxLookupsInFlight;
  private final int maxQueriesPerLookup;
  private final int maxCloserPeersPerResponse;
  private final int maxStrikes;

  private DhtOptions(Builder b) {
    this.mode = b.mode;
    this.bucketSize = b.bucketSize;
    this.alpha = b.alpha;
    this.maxMessageSize = b.maxMessageSize;
    this.requestTimeout = b.requestTimeout;
    this.streamIdleTimeout = b.streamIdleTimeout;
    this.refreshInterval = b.refreshInterval;
    this.lowPeerCheckInterval = b.lowPeerCheckInterval;
    this.providerValidity = b.providerValidity;
    this.maxProviderKeys = b.maxProviderKeys;
    this.maxProvidersPerKey = b.maxProvidersPerKey;
    this.maxKeysPerPeer = b.maxKeysPerPeer;
    this.maxLookupsInFlight = b.maxLookupsInFlight;
    this.maxQueriesPerLookup = b.maxQueriesPerLookup;
    this.maxCloserPeersPerResponse = b.maxCloserPeersPerResponse;
    this.maxStrikes = b.maxStrikes;
  }

  /**
   * go-libp2p-kad-dht's defaults, with our bounds.
   *
   * @return options with every default
   */
  public static DhtOptions defaults() {
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
    b.mode = mode;
    b.bucketSize = bucketSize;
    b.alpha = alpha;
    b.maxMessageSize = maxMessageSize;
    b.requestTimeout = requestTimeout;
    b.streamIdleTimeout = streamIdleTimeout;
    b.refreshInterval = refreshInterval;
    b.lowPeerCheckInterval = lowPeerCheckInterval;
    b.providerValidity = providerValidity;
    b.maxProviderKeys = maxProviderKeys;
    b.maxProvidersPerKey = maxProvidersPerKey;
    b.maxKeysPerPeer = maxKeysPerPeer;
    b.maxLookupsInFlight = maxLookupsInFlight;
    b.maxQueriesPerLookup = maxQueriesPerLookup;
    b.maxCloserPeersPerResponse = maxCloserPeersPerResponse;
    b.maxStrikes = maxStrikes;
    return b;
  }

  /**
   * {@return whether the DHT serves requests or only queries others} Only servers enter other
   * peers' routing tables. Default {@link DhtMode#SERVER}, as ev-node.
   */
  public DhtMode mode() {
    return mode;
  }

  /**
   * {@return k: the size of a routing-table bucket and the number of closest peers a lookup
   * returns} Default 20.
   */
  public int bucketSize() {
    return bucketSize;
  }

  /** {@return how many requests one lookup keeps in flight} Default 3 (Go: 10). */
  public int alpha() {
    return alpha;
  }

  /**
   * {@return the longest DHT message read or written, in bytes} A longer inbound message resets the
   * stream and counts as a strike. Default 4 MiB, as Go.
   */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /**
   * {@return how long one request to a peer may take before that peer counts as failed for the
   * lookup} Default 10 s.
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * {@return how long an inbound stream stays open without a new request} Go reuses one stream per
   * peer, so streams are not closed after each answer. Default 1 min.
   */
  public Duration streamIdleTimeout() {
    return streamIdleTimeout;
  }

  /** {@return how often the routing table is refreshed by lookups} Default 10 min. */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  /**
   * {@return how often the DHT checks for a nearly empty routing table and re-bootstraps} Default 2
   * min.
   */
  public Duration lowPeerCheckInterval() {
    return lowPeerCheckInterval;
  }

  /**
   * {@return how long a provider record is kept, ours and the ones others store with us} Default 48
   * h.
   */
  public Duration providerValidity() {
    return providerValidity;
  }

  /**
   * {@return how many keys the provider store holds (and how many keys we provide ourselves)} Go
   * has no bound. Default 4096.
   */
  public int maxProviderKeys() {
    return maxProviderKeys;
  }

  /** {@return how many providers are kept, and returned, per key} Default 128. */
  public int maxProvidersPerKey() {
    return maxProvidersPerKey;
  }

  /** {@return how many keys one remote peer may store provider records for} Default 64. */
  public int maxKeysPerPeer() {
    return maxKeysPerPeer;
  }

  /**
   * {@return how many lookups may run at once} One more fails with {@link
   * DhtException.Reason#LIMIT}. Default 16.
   */
  public int maxLookupsInFlight() {
    return maxLookupsInFlight;
  }

  /** {@return how many peers one lookup queries at most} Default 100. */
  public int maxQueriesPerLookup() {
    return maxQueriesPerLookup;
  }

  /**
   * {@return how many closer peers are read from, and written into, one response} Default 40, as Go
   * v0.42.0.
   */
  public int maxCloserPeersPerResponse() {
    return maxCloserPeersPerResponse;
  }

  /**
   * {@return how many malformed messages a peer may send before the DHT resets its streams on
   * arrival} Default 3.
   */
  public int maxStrikes() {
    return maxStrikes;
  }

  /** Builds {@link DhtOptions}; every setter checks its argument. */
  public static final class Builder {
    private DhtMode mode = DhtMode.SERVER;
    private int bucketSize = 20;
    private int alpha = 3;
    private int maxMessageSize = 4 << 20;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration streamIdleTimeout = Duration.ofMinutes(1);
    private Duration refreshInterval = Duration.ofMinutes(10);
    private Duration lowPeerCheckInterval = Duration.ofMinutes(2);
    private Duration providerValidity = Duration.ofHours(48);
    private int maxProviderKeys = 4096;
    private int maxProvidersPerKey = 128;
    private int maxKeysPerPeer = 64;
    private int maxLookupsInFlight = 16;
    private int maxQueriesPerLookup = 100;
    private int maxCloserPeersPerResponse = 40;
    private int maxStrikes = 3;

    private Builder() {}

    /**
     * Sets whether the DHT serves requests or only queries others. Only servers enter other peers'
     * routing tables. Default {@link DhtMode#SERVER}, as ev-node.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder mode(DhtMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode == null");
      return this;
    }

    /**
     * Sets k: the size of a routing-table bucket and the number of closest peers a lookup returns.
     * Default 20.
     *
     * @param k k; positive (Go requires 20 on {@code /ipfs})
     * @return this builder
     * @throws IllegalArgumentException if {@code k} is zero or negative
     */
    public Builder bucketSize(int k) {
      this.bucketSize = positive("bucketSize", k);
      return this;
    }

    /**
     * Sets how many requests one lookup keeps in flight. Default 3 (Go: 10).
     *
     * @param alpha the concurrency; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code alpha} is zero or negative
     */
    public Builder alpha(int alpha) {
      this.alpha = positive("alpha", alpha);
      return this;
    }

    /**
     * Sets the longest DHT message read or written, in bytes. A longer inbound message resets the
     * stream and counts as a strike. Default 4 MiB, as Go.
     *
     * @param bytes the limit in bytes; 1 KiB to 4 MiB
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is below 1 KiB or above 4 MiB
     */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1024 || bytes > (4 << 20)) {
        throw new IllegalArgumentException("maxMessageSize must be in 1 KiB..4 MiB, got " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /**
     * Sets how long one request to a peer may take before that peer counts as failed for the
     * lookup. Default 10 s.
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d);
      return this;
    }

    /**
     * Sets how long an inbound stream stays open without a new request. Go reuses one stream per
     * peer, so streams are not closed after each answer. Default 1 min.
     *
     * @param d the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder streamIdleTimeout(Duration d) {
      this.streamIdleTimeout = positive("streamIdleTimeout", d);
      return this;
    }

    /**
     * Sets how often the routing table is refreshed by lookups. Default 10 min.
     *
     * @param d the interval; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder refreshInterval(Duration d) {
      this.refreshInterval = positive("refreshInterval", d);
      return this;
    }

    /**
     * Sets how often the DHT checks for a nearly empty routing table and re-bootstraps. Default 2
     * min.
     *
     * @param d the interval; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder lowPeerCheckInterval(Duration d) {
      this.lowPeerCheckInterval = positive("lowPeerCheckInterval", d);
      return this;
    }

    /**
     * Sets how long a provider record is kept, ours and the ones others store with us. Default 48
     * h.
     *
     * @param d the validity; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder providerValidity(Duration d) {
      this.providerValidity = positive("providerValidity", d);
      return this;
    }

    /**
     * Sets how many keys the provider store holds (and how many keys we provide ourselves). Go has
     * no bound. Default 4096.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxProviderKeys(int n) {
      this.maxProviderKeys = positive("maxProviderKeys", n);
      return this;
    }

    /**
     * Sets how many providers are kept, and returned, per key. Default 128.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxProvidersPerKey(int n) {
      this.maxProvidersPerKey = positive("maxProvidersPerKey", n);
      return this;
    }

    /**
     * Sets how many keys one remote peer may store provider records for. Default 64.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxKeysPerPeer(int n) {
      this.maxKeysPerPeer = positive("maxKeysPerPeer", n);
      return this;
    }

    /**
     * Sets how many lookups may run at once. One more fails with {@link DhtException.Reason#LIMIT}.
     * Default 16.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxLookupsInFlight(int n) {
      this.maxLookupsInFlight = positive("maxLookupsInFlight", n);
      return this;
    }

    /**
     * Sets how many peers one lookup queries at most. Default 100.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxQueriesPerLookup(int n) {
      this.maxQueriesPerLookup = positive("maxQueriesPerLookup", n);
      return this;
    }

    /**
     * Sets how many closer peers are read from, and written into, one response. Default 40, as Go
     * v0.42.0.
     *
     * @param n the limit; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxCloserPeersPerResponse(int n) {
      this.maxCloserPeersPerResponse = positive("maxCloserPeersPerResponse", n);
      return this;
    }

    /**
     * Sets how many malformed messages a peer may send before the DHT resets its streams on
     * arrival. Default 3.
     *
     * @param n the number of strikes; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder maxStrikes(int n) {
      this.maxStrikes = positive("maxStrikes", n);
      return this;
    }

    /** {@return the options; immutable, safe to share} */
    public DhtOptions build() {
      return new DhtOptions(this);
    }

    private static int positive(String name, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be positive, got " + v);
      }
      return v;
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
