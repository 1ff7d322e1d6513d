package io.headersync.libp2p.dht;

import io.headersync.annotation.Nullable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of {@link Discovery}: what ev-node's {@code pkg/p2p} client does with go-libp2p's
 * routing discovery, plus the peer-count watermarks ev-node lacks. Immutable; {@link #defaults()}
 * is ev-node's setup with the namespace left to the node (its chain id).
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>Setting</th><th>Default</th><th>ev-node / go-libp2p</th></tr>
 *   <tr><td>namespace</td><td>the chain id</td><td>{@code genesis.ChainID}</td></tr>
 *   <tr><td>advertiseTtl</td><td>1 h, re-advertised after 7/8 of it</td><td>{@code TTL(1h)}, {@code discutil.Advertise}</td></tr>
 *   <tr><td>advertiseRetry</td><td>2 min</td><td>{@code discutil.Advertise} after a failure</td></tr>
 *   <tr><td>findLimit</td><td>60</td><td>{@code Limit(60)}</td></tr>
 *   <tr><td>lowWater / highWater</td><td>10 / 60</td><td>none: ev-node searches once at start</td></tr>
 *   <tr><td>checkInterval</td><td>1 min</td><td>none</td></tr>
 * </table>
 */
public final class DiscoveryOptions {
  /** ev-node's setup; the namespace is the node's chain id. */
  private static final DiscoveryOptions DEFAULTS = builder().build();

  private final @Nullable String namespace;
  private final Duration advertiseTtl;
  private final Duration advertiseRetry;
  private final int findLimit;
  private final int lowWater;
  private final int highWater;
  private final Duration checkInterval;

  private DiscoveryOptions(Builder b) {
    this.namespace = b.namespace;
    this.advertiseTtl = b.advertiseTtl;
    this.advertiseRetry = b.advertiseRetry;
    this.findLimit = b.findLimit;
    this.lowWater = b.lowWater;
    this.highWater = b.highWater;
    this.checkInterval = b.checkInterval;
  }

  /**
   * ev-node's discovery settings (the namespace is the node's chain id).
   *
   * @return options with every default
   */
  public static DiscoveryOptions defaults() {
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
    b.namespace = namespace;
    b.advertiseTtl = advertiseTtl;
    b.advertiseRetry = advertiseRetry;
    b.findLimit = findLimit;
    b.lowWater = lowWater;
    b.highWater = highWater;
    b.checkInterval = checkInterval;
    return b;
  }

  /** {@return the namespace to advertise and search, if set (else the node's chain id)} */
  public Optional<String> namespace() {
    return Optional.ofNullable(namespace);
  }

  /**
   * {@return how long providers keep our advertisement} Default 1 h; we re-advertise after {@link
   * #readvertiseAfter()}.
   */
  public Duration advertiseTtl() {
    return advertiseTtl;
  }

  /**
   * When to re-advertise after a success: 7/8 of the TTL, as {@code discutil.Advertise}.
   *
   * @return the delay from a successful advertisement to the next one
   */
  public Duration readvertiseAfter() {
    return advertiseTtl.multipliedBy(7).dividedBy(8);
  }

  /**
   * {@return how long to wait before advertising again after a failed advertisement} Default 2 min.
   */
  public Duration advertiseRetry() {
    return advertiseRetry;
  }

  /** {@return how many providers one search asks for} Default 60, as ev-node. */
  public int findLimit() {
    return findLimit;
  }

  /** {@return the connected-peer count below which discovery searches and dials} Default 10. */
  public int lowWater() {
    return lowWater;
  }

  /** {@return the connected-peer count discovery never dials past} Default 60. */
  public int highWater() {
    return highWater;
  }

  /**
   * {@return how often the connected-peer count is checked against the low watermark} Default 1
   * min.
   */
  public Duration checkInterval() {
    return checkInterval;
  }

  /**
   * {@return a copy of these options with another namespace}
   *
   * @param namespace the namespace to advertise and search; not empty
   * @throws IllegalArgumentException if {@code namespace} is empty
   */
  public DiscoveryOptions withNamespace(String namespace) {
    return toBuilder().namespace(namespace).build();
  }

  /** Builds {@link DiscoveryOptions}; {@link #build()} checks that lowWater &lt;= highWater. */
  public static final class Builder {
    private @Nullable String namespace;
    private Duration advertiseTtl = Duration.ofHours(1);
    private Duration advertiseRetry = Duration.ofMinutes(2);
    private int findLimit = 60;
    private int lowWater = 10;
    private int highWater = 60;
    private Duration checkInterval = Duration.ofMinutes(1);

    private Builder() {}

    /**
     * Sets the namespace to advertise and search. Default: the node's chain id, as ev-node; nodes
     * only find each other when they use the same one.
     *
     * @param namespace the namespace; not empty
     * @return this builder
     * @throws IllegalArgumentException if {@code namespace} is empty
     */
    public Builder namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace == null");
      if (namespace.isEmpty()) {
        throw new IllegalArgumentException("namespace is empty");
      }
      this.namespace = namespace;
      return this;
    }

    /**
     * Sets how long providers keep our advertisement; we re-advertise after 7/8 of it. Default 1 h.
     *
     * @param ttl the TTL; positive, at most 3 h (go-libp2p's cap)
     * @return this builder
     * @throws IllegalArgumentException if {@code ttl} is zero, negative or above 3 h
     */
    public Builder advertiseTtl(Duration ttl) {
      positive("advertiseTtl", ttl);
      if (ttl.compareTo(Duration.ofHours(3)) > 0) {
        throw new IllegalArgumentException(
            "advertiseTtl is at most 3 h (go-libp2p's cap), got " + ttl);
      }
      this.advertiseTtl = ttl;
      return this;
    }

    /**
     * Sets how long to wait before advertising again after a failure. Default 2 min.
     *
     * @param d the delay; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder advertiseRetry(Duration d) {
      this.advertiseRetry = positive("advertiseRetry", d);
      return this;
    }

    /**
     * Sets how many providers one search asks for. Default 60, as ev-node.
     *
     * @param n the number of providers; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is zero or negative
     */
    public Builder findLimit(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("findLimit must be positive, got " + n);
      }
      this.findLimit = n;
      return this;
    }

    /**
     * Below {@code low} connected peers, discovery searches and dials until {@code low}; it never
     * dials past {@code high}.
     *
     * @param low the peer count below which discovery searches and dials; with 0 the periodic check
     *     never searches. Default 10
     * @param high the peer count discovery never dials past; at least {@code low}. Default 60
     * @return this builder
     * @throws IllegalArgumentException unless {@code 0 <= low <= high} and {@code high > 0}
     */
    public Builder watermarks(int low, int high) {
      if (low < 0 || high <= 0 || low > high) {
        throw new IllegalArgumentException(
            "watermarks need 0 <= low <= high and high > 0, got " + low + ", " + high);
      }
      this.lowWater = low;
      this.highWater = high;
      return this;
    }

    /**
     * Sets how often the connected-peer count is checked against the low watermark. Default 1 min.
     *
     * @param d the interval; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is zero or negative
     */
    public Builder checkInterval(Duration d) {
      this.checkInterval = positive("checkInterval", d);
      return this;
    }

    /** {@return the options; immutable, safe to share} */
    public DiscoveryOptions build() {
      return new DiscoveryOptions(this);
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
