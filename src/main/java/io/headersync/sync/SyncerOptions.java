package io.headersync.sync;

import io.headersync.Hash;
import io.headersync.annotation.Nullable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The syncer's settings, with go-header's defaults where it has one. Immutable; build with {@link
 * #builder(Duration)}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>Setting</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code blockTime}</td><td>required, positive</td><td>the chain's block time (go-header's
 *       {@code WithBlockTime}; go-header's default 0 divides by zero in its tail estimate, so we
 *       require it)</td></tr>
 *   <tr><td>{@code pruningWindow}</td><td>337 h</td><td>headers older than the head's time minus
 *       this are pruned as the head advances, and a restart with a wider window back-fills (go-header's
 *       {@code PruningWindow}); zero keeps every header. Ignored when {@code syncFromHash} or
 *       {@code syncFromHeight} pins the tail</td></tr>
 *   <tr><td>{@code syncFromHash}</td><td>none</td><td>the tail is the header with this hash (go-header's
 *       {@code SyncFromHash}; wins over {@code syncFromHeight})</td></tr>
 *   <tr><td>{@code syncFromHeight}</td><td>none</td><td>the tail is the header at this height
 *       (go-header's {@code SyncFromHeight})</td></tr>
 *   <tr><td>{@code recencyThreshold}</td><td>3 x block time</td><td>a head older than this (by the
 *       clock) is not recent: the syncer asks the network for a newer one (go-header's
 *       {@code recencyThreshold})</td></tr>
 *   <tr><td>{@code trustingPeriod}</td><td>336 h</td><td>a store head older than this has expired: the
 *       subjective head comes from the trusted peers again (subjective initialisation)</td></tr>
 *   <tr><td>{@code maxPendingHeaders}</td><td>1024</td><td>gossiped headers kept while their gap is
 *       fetched (go-header: unbounded)</td></tr>
 *   <tr><td>{@code maxPendingAhead}</td><td>4096 heights</td><td>a pending header further than this
 *       above the store head is dropped unless it is the sync target: the range session fetches it
 *       anyway</td></tr>
 *   <tr><td>{@code maxAppendsInFlight}</td><td>8 batches</td><td>fetched batches checked or queued in
 *       the store but not yet readable; the range session waits beyond this</td></tr>
 *   <tr><td>{@code networkHeadTimeout}</td><td>2 s</td><td>go-header's
 *       {@code NetworkHeadRequestTimeout}</td></tr>
 *   <tr><td>{@code headRefreshInterval}</td><td>the recency threshold</td><td>how often the syncer
 *       checks that its head is recent and asks the network otherwise (go-header only checks when
 *       asked for its head)</td></tr>
 *   <tr><td>{@code retryInitialBackoff} / {@code retryMaxBackoff}</td><td>500 ms / 30 s</td><td>the
 *       delay before a failed sync job is retried, doubling up to the maximum</td></tr>
 *   <tr><td>{@code checkParallelism}</td><td>available processors</td><td>parts a batch is split into
 *       for the extra check</td></tr>
 *   <tr><td>{@code anchorWait}</td><td>5 s</td><td>anchored syncers only ({@link Anchor}): how long
 *       a gossiped header waits for the anchor header at its height before it is ignored (below
 *       the pubsub validation timeout, 10 s)</td></tr>
 *   <tr><td>{@code gossipGrace}</td><td>block time, at most 500 ms</td><td>anchored syncers only:
 *       how long a height the anchor just reached is left to gossip before it is fetched (ev-node
 *       gossips data right after its header; a range request sent at once would race it)</td></tr>
 * </table>
 */
public final class SyncerOptions {
  /** go-header's default trusting period: two weeks. */
  public static final Duration DEFAULT_TRUSTING_PERIOD = Duration.ofHours(336);

  /** go-header's {@code NetworkHeadRequestTimeout}. */
  public static final Duration DEFAULT_NETWORK_HEAD_TIMEOUT = Duration.ofSeconds(2);

  /** go-header's default {@code PruningWindow}: 337 h, an hour more than the trusting period. */
  public static final Duration DEFAULT_PRUNING_WINDOW = Duration.ofHours(337);

  private final Duration blockTime;
  private final Duration recencyThreshold;
  private final Duration trustingPeriod;
  private final int maxPendingHeaders;
  private final long maxPendingAhead;
  private final int maxAppendsInFlight;
  private final Duration networkHeadTimeout;
  private final Duration headRefreshInterval;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final int checkParallelism;
  private final Duration anchorWait;
  private final Duration gossipGrace;
  private final Duration pruningWindow;
  private final @Nullable Hash syncFromHash;
  private final long syncFromHeight;

  private SyncerOptions(Builder b) {
    this.blockTime = b.blockTime;
    this.recencyThreshold =
        b.recencyThreshold != null ? b.recencyThreshold : b.blockTime.multipliedBy(3);
    this.trustingPeriod = b.trustingPeriod;
    this.maxPendingHeaders = b.maxPendingHeaders;
    this.maxPendingAhead = b.maxPendingAhead;
    this.maxAppendsInFlight = b.maxAppendsInFlight;
    this.networkHeadTimeout = b.networkHeadTimeout;
    this.headRefreshInterval =
        b.headRefreshInterval != null ? b.headRefreshInterval : recencyThreshold;
    this.retryInitialBackoff = b.retryInitialBackoff;
    this.retryMaxBackoff = b.retryMaxBackoff;
    this.checkParallelism = b.checkParallelism;
    this.anchorWait = b.anchorWait;
    this.gossipGrace =
        b.gossipGrace != null
            ? b.gossipGrace
            : (b.blockTime.compareTo(Duration.ofMillis(500)) < 0
                ? b.blockTime
                : Duration.ofMillis(500));
    this.pruningWindow = b.pruningWindow;
    this.syncFromHash = b.syncFromHash;
    this.syncFromHeight = b.syncFromHeight;
    if (pruningWindow.isZero() && syncFromHash == null && syncFromHeight == 0) {
      // go-header's Parameters.Validate
      throw new IllegalArgumentException(
          "pruningWindow is zero and neither syncFromHash nor syncFromHeight is set: "
              + "set one of them to say where the tail is (a zero window with syncFromHeight(1) keeps every header)");
    }
    if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
      throw new IllegalArgumentException(
          "retryMaxBackoff "
              + retryMaxBackoff
              + " is below retryInitialBackoff "
              + retryInitialBackoff);
    }
  }

  /**
   * A builder with every default.
   *
   * @param blockTime the chain's block time
   * @return a new builder; change only what differs from the defaults, then {@link Builder#build()}
   * @throws IllegalArgumentException if {@code blockTime} is zero or negative
   */
  public static Builder builder(Duration blockTime) {
    return new Builder(blockTime);
  }

  /**
   * Options with every default for this block time.
   *
   * @param blockTime the chain's block time; positive
   * @return the default options, equal to {@code builder(blockTime).build()}
   * @throws IllegalArgumentException if {@code blockTime} is zero or negative
   */
  public static SyncerOptions defaults(Duration blockTime) {
    return builder(blockTime).build();
  }

  /**
   * {@return a builder holding these options, to change some of them} The defaults derived from the
   * block time (recency threshold, head refresh interval, gossip grace) are copied as the values
   * they resolved to, so a changed block time is not possible here: use {@link #builder(Duration)}.
   */
  public Builder toBuilder() {
    Builder b = new Builder(blockTime);
    b.recencyThreshold = recencyThreshold;
    b.trustingPeriod = trustingPeriod;
    b.maxPendingHeaders = maxPendingHeaders;
    b.maxPendingAhead = maxPendingAhead;
    b.maxAppendsInFlight = maxAppendsInFlight;
    b.networkHeadTimeout = networkHeadTimeout;
    b.headRefreshInterval = headRefreshInterval;
    b.retryInitialBackoff = retryInitialBackoff;
    b.retryMaxBackoff = retryMaxBackoff;
    b.checkParallelism = checkParallelism;
    b.anchorWait = anchorWait;
    b.gossipGrace = gossipGrace;
    b.pruningWindow = pruningWindow;
    b.syncFromHash = syncFromHash;
    b.syncFromHeight = syncFromHeight;
    return b;
  }

  /**
   * {@return the chain's block time (go-header's {@code WithBlockTime})} The recency threshold, the
   * gossip grace and the tail estimate (trusting period / block time) are derived from it.
   */
  public Duration blockTime() {
    return blockTime;
  }

  /**
   * {@return how old (by the clock) the head may be and still count as recent} An older head makes
   * the syncer ask the network for a newer one. Default 3 x the block time.
   */
  public Duration recencyThreshold() {
    return recencyThreshold;
  }

  /**
   * {@return how long a stored head stays trusted} A store head older than this has expired: the
   * subjective head comes from the trusted peers again. Default 336 h.
   */
  public Duration trustingPeriod() {
    return trustingPeriod;
  }

  /**
   * {@return how many gossiped headers are kept while the gap below them is fetched} Default 1024.
   */
  public int maxPendingHeaders() {
    return maxPendingHeaders;
  }

  /**
   * {@return how far above the store head (in heights) a pending gossiped header may be} Further
   * ones are dropped unless they are the sync target, which the range session fetches anyway.
   * Default 4096.
   */
  public long maxPendingAhead() {
    return maxPendingAhead;
  }

  /**
   * {@return how many fetched batches may be checked or queued in the store but not yet readable}
   * The range session waits beyond this. Default 8.
   */
  public int maxAppendsInFlight() {
    return maxAppendsInFlight;
  }

  /**
   * {@return how long the syncer waits for the trusted peers' heads (go-header's {@code
   * NetworkHeadRequestTimeout})} Default 2 s.
   */
  public Duration networkHeadTimeout() {
    return networkHeadTimeout;
  }

  /**
   * {@return how often the syncer checks that its head is recent and asks the network otherwise}
   * Default: the recency threshold.
   */
  public Duration headRefreshInterval() {
    return headRefreshInterval;
  }

  /**
   * {@return the delay before a failed sync job is first retried} It doubles on each further
   * failure up to {@link #retryMaxBackoff()}. Default 500 ms.
   */
  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  /**
   * {@return the longest delay between retries of a failed sync job} Never below {@link
   * #retryInitialBackoff()}. Default 30 s.
   */
  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  /**
   * {@return how many parts a fetched batch is split into for the syncer's extra check} Default:
   * the available processors.
   */
  public int checkParallelism() {
    return checkParallelism;
  }

  /**
   * {@return how long a gossiped header waits for the anchor's header at its height before it is
   * ignored} Used by anchored syncers only ({@link Anchor}); keep it below the pubsub validation
   * timeout (10 s). Default 5 s.
   */
  public Duration anchorWait() {
    return anchorWait;
  }

  /**
   * {@return how long a height the anchor just reached is left to gossip before it is fetched} Used
   * by anchored syncers only: ev-node gossips data right after its header, and a range request sent
   * at once would race it. Default: the block time, at most 500 ms.
   */
  public Duration gossipGrace() {
    return gossipGrace;
  }

  /** {@return the pruning window; zero keeps every header} */
  public Duration pruningWindow() {
    return pruningWindow;
  }

  /** {@return the hash of the configured tail, if set} */
  public Optional<Hash> syncFromHash() {
    return Optional.ofNullable(syncFromHash);
  }

  /** {@return the height of the configured tail, or 0 if not set} */
  public long syncFromHeight() {
    return syncFromHeight;
  }

  /**
   * {@return whether the tail is pinned by {@code syncFromHash} or {@code syncFromHeight} (then
   * nothing is pruned)}
   */
  public boolean tailPinned() {
    return syncFromHash != null || syncFromHeight > 0;
  }

  @Override
  public String toString() {
    return "SyncerOptions{blockTime="
        + blockTime
        + ", recencyThreshold="
        + recencyThreshold
        + ", trustingPeriod="
        + trustingPeriod
        + ", maxPendingHeaders="
        + maxPendingHeaders
        + ", maxPendingAhead="
        + maxPendingAhead
        + ", maxAppendsInFlight="
        + maxAppendsInFlight
        + ", networkHeadTimeout="
        + networkHeadTimeout
        + ", headRefreshInterval="
        + headRefreshInterval
        + ", retryInitialBackoff="
        + retryInitialBackoff
        + ", retryMaxBackoff="
        + retryMaxBackoff
        + ", checkParallelism="
        + checkParallelism
        + ", anchorWait="
        + anchorWait
        + ", gossipGrace="
        + gossipGrace
        + ", pruningWindow="
        + pruningWindow
        + ", syncFromHash="
        + syncFromHash
        + ", syncFromHeight="
        + syncFromHeight
        + "}";
  }

  /** Builds {@link SyncerOptions}; every setter checks its argument and names it when wrong. */
  public static final class Builder {
    private final Duration blockTime;
    private Duration recencyThreshold;
    private Duration trustingPeriod = DEFAULT_TRUSTING_PERIOD;
    private int maxPendingHeaders = 1024;
    private long maxPendingAhead = 4096;
    private int maxAppendsInFlight = 8;
    private Duration networkHeadTimeout = DEFAULT_NETWORK_HEAD_TIMEOUT;
    private Duration headRefreshInterval;
    private Duration retryInitialBackoff = Duration.ofMillis(500);
    private Duration retryMaxBackoff = Duration.ofSeconds(30);
    private int checkParallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
    private Duration anchorWait = Duration.ofSeconds(5);
    private Duration gossipGrace;
    private Duration pruningWindow = DEFAULT_PRUNING_WINDOW;
    private @Nullable Hash syncFromHash;
    private long syncFromHeight;

    private Builder(Duration blockTime) {
      Objects.requireNonNull(blockTime, "blockTime == null");
      if (blockTime.isZero() || blockTime.isNegative()) {
        throw new IllegalArgumentException(
            "blockTime must be positive, got "
                + blockTime
                + " (the syncer's recency "
                + "check and its tail estimate, trusting period / block time, need the chain's real block time)");
      }
      this.blockTime = blockTime;
    }

    /**
     * Sets the pruning window: headers older than the head's time minus this are pruned as the head
     * advances, and a restart with a wider window back-fills them. Default 337 h. Ignored when
     * {@link #syncFromHash} or {@link #syncFromHeight} pins the tail.
     *
     * @param v the window; zero keeps every header (then set {@link #syncFromHash} or {@link
     *     #syncFromHeight}, which {@link #build()} checks)
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is negative
     */
    public Builder pruningWindow(Duration v) {
      Objects.requireNonNull(v, "pruningWindow == null");
      if (v.isNegative()) {
        throw new IllegalArgumentException("pruningWindow must not be negative: " + v);
      }
      pruningWindow = v;
      return this;
    }

    /**
     * Pins the tail to the header with this hash (go-header's {@code SyncFromHash}); wins over
     * {@link #syncFromHeight}. A pinned tail turns pruning off.
     *
     * @param v the tail header's hash
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is the empty hash
     */
    public Builder syncFromHash(Hash v) {
      Objects.requireNonNull(v, "syncFromHash == null");
      if (v.isEmpty()) {
        throw new IllegalArgumentException("syncFromHash is empty");
      }
      syncFromHash = v;
      return this;
    }

    /**
     * Pins the tail to the header at this height (go-header's {@code SyncFromHeight}). A pinned
     * tail turns pruning off; {@code syncFromHeight(1)} with a zero pruning window keeps every
     * header.
     *
     * @param v the tail's height; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is below 1
     */
    public Builder syncFromHeight(long v) {
      syncFromHeight = atLeastOne(v, "syncFromHeight");
      return this;
    }

    /**
     * Sets how old (by the clock) the head may be and still count as recent. Default 3 x the block
     * time.
     *
     * @param v the threshold; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder recencyThreshold(Duration v) {
      recencyThreshold = positive(v, "recencyThreshold");
      return this;
    }

    /**
     * Sets how long a stored head stays trusted before the subjective head is asked of the trusted
     * peers again. Default 336 h.
     *
     * @param v the period; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder trustingPeriod(Duration v) {
      trustingPeriod = positive(v, "trustingPeriod");
      return this;
    }

    /**
     * Sets how many gossiped headers are kept while the gap below them is fetched. Default 1024.
     *
     * @param v the count; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is below 1
     */
    public Builder maxPendingHeaders(int v) {
      maxPendingHeaders = (int) atLeastOne(v, "maxPendingHeaders");
      return this;
    }

    /**
     * Sets how far above the store head a pending gossiped header may be before it is dropped.
     * Default 4096 heights.
     *
     * @param v the distance in heights; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is below 1
     */
    public Builder maxPendingAhead(long v) {
      maxPendingAhead = atLeastOne(v, "maxPendingAhead");
      return this;
    }

    /**
     * Sets how many fetched batches may be checked or queued in the store but not yet readable
     * before the range session waits. Default 8.
     *
     * @param v the number of batches; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is below 1
     */
    public Builder maxAppendsInFlight(int v) {
      maxAppendsInFlight = (int) atLeastOne(v, "maxAppendsInFlight");
      return this;
    }

    /**
     * Sets how long the syncer waits for the trusted peers' heads. Default 2 s.
     *
     * @param v the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder networkHeadTimeout(Duration v) {
      networkHeadTimeout = positive(v, "networkHeadTimeout");
      return this;
    }

    /**
     * Sets how often the syncer checks that its head is recent. Default: the recency threshold.
     *
     * @param v the interval; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder headRefreshInterval(Duration v) {
      headRefreshInterval = positive(v, "headRefreshInterval");
      return this;
    }

    /**
     * Sets the delay before a failed sync job is first retried; it doubles up to the maximum.
     * Default 500 ms.
     *
     * @param v the delay; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder retryInitialBackoff(Duration v) {
      retryInitialBackoff = positive(v, "retryInitialBackoff");
      return this;
    }

    /**
     * Sets the longest delay between retries. Default 30 s. {@link #build()} checks that it is not
     * below the initial backoff.
     *
     * @param v the delay; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder retryMaxBackoff(Duration v) {
      retryMaxBackoff = positive(v, "retryMaxBackoff");
      return this;
    }

    /**
     * Sets how many parts a fetched batch is split into for the extra check. Default: the available
     * processors.
     *
     * @param v the number of parts; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is below 1
     */
    public Builder checkParallelism(int v) {
      checkParallelism = (int) atLeastOne(v, "checkParallelism");
      return this;
    }

    /**
     * Sets how long a gossiped header waits for the anchor's header at its height (anchored syncers
     * only). Default 5 s; keep it below the pubsub validation timeout (10 s).
     *
     * @param v the wait; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder anchorWait(Duration v) {
      anchorWait = positive(v, "anchorWait");
      return this;
    }

    /**
     * Sets how long a height the anchor just reached is left to gossip before it is fetched
     * (anchored syncers only). Default: the block time, at most 500 ms.
     *
     * @param v the grace; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is zero or negative
     */
    public Builder gossipGrace(Duration v) {
      gossipGrace = positive(v, "gossipGrace");
      return this;
    }

    /**
     * Checks the settings together and builds the options.
     *
     * @return the options; immutable, safe to share between syncers
     * @throws IllegalArgumentException if the maximum retry backoff is below the initial one, or
     *     the pruning window is zero and no tail is configured (go-header's rule)
     */
    public SyncerOptions build() {
      return new SyncerOptions(this);
    }

    private static Duration positive(Duration v, String name) {
      Objects.requireNonNull(v, name + " == null");
      if (v.isZero() || v.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + v);
      }
      return v;
    }

    private static long atLeastOne(long v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + v);
      }
      return v;
    }
  }
}
