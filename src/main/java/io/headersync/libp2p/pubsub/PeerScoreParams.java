package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.PeerScoreThresholds.check;

import io.headersync.libp2p.PeerId;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The gossipsub v1.1 peer score (Go's {@code PeerScoreParams}):
 *
 * <pre>
 * score = min(topicScoreCap, sum over topics of topicScore)   (no cap if topicScoreCap is 0)
 *       + appSpecificWeight * P5 + ipColocationFactorWeight * P6 + behaviourPenaltyWeight * P7
 * </pre>
 *
 * with P5 the application's score of the peer, P6 the square of the number of scored peers sharing
 * the peer's IP beyond {@code ipColocationFactorThreshold} (whitelisted IPs excluded), and P7 the
 * square of the behaviour penalty counter beyond {@code behaviourPenaltyThreshold}. Counters decay
 * every {@code decayInterval}; a value under {@code decayToZero} becomes 0. Scores of disconnected
 * peers are kept (not decayed) for {@code retainScore}. The application score function runs on the
 * router thread and must be fast.
 *
 * <p>Build with {@link #builder()} (every default is in {@link Builder}); {@link Builder#build()}
 * checks Go's rules and names the setting that breaks one; {@link #toBuilder()} starts from these
 * settings. Immutable.
 */
public final class PeerScoreParams {
  /** Go's {@code DefaultDecayInterval}. */
  public static final Duration DEFAULT_DECAY_INTERVAL = Duration.ofSeconds(1);

  /** Go's {@code DefaultDecayToZero}. */
  public static final double DEFAULT_DECAY_TO_ZERO = 0.01;

  private final Map<String, TopicScoreParams> topics;
  private final double topicScoreCap;
  private final ToDoubleFunction<PeerId> appSpecificScore;
  private final double appSpecificWeight;
  private final double ipColocationFactorWeight;
  private final int ipColocationFactorThreshold;
  private final Set<String> ipColocationFactorWhitelist;
  private final double behaviourPenaltyWeight;
  private final double behaviourPenaltyThreshold;
  private final double behaviourPenaltyDecay;
  private final Duration decayInterval;
  private final double decayToZero;
  private final Duration retainScore;

  private PeerScoreParams(Builder b) {
    this.topics = Map.copyOf(b.topics);
    this.topicScoreCap = b.topicScoreCap;
    this.appSpecificScore = b.appSpecificScore;
    this.appSpecificWeight = b.appSpecificWeight;
    this.ipColocationFactorWeight = b.ipColocationFactorWeight;
    this.ipColocationFactorThreshold = b.ipColocationFactorThreshold;
    this.ipColocationFactorWhitelist = Set.copyOf(b.ipColocationFactorWhitelist);
    this.behaviourPenaltyWeight = b.behaviourPenaltyWeight;
    this.behaviourPenaltyThreshold = b.behaviourPenaltyThreshold;
    this.behaviourPenaltyDecay = b.behaviourPenaltyDecay;
    this.decayInterval = b.decayInterval;
    this.decayToZero = b.decayToZero;
    this.retainScore = b.retainScore;
  }

  /**
   * @return the scored topics and their parameters
   */
  public Map<String, TopicScoreParams> topics() {
    return topics;
  }

  /**
   * @return the cap of the sum of topic scores (0: none)
   */
  public double topicScoreCap() {
    return topicScoreCap;
  }

  /**
   * @return P5, the application's score of a peer (runs on the router thread)
   */
  public ToDoubleFunction<PeerId> appSpecificScore() {
    return appSpecificScore;
  }

  /**
   * @return the weight of P5
   */
  public double appSpecificWeight() {
    return appSpecificWeight;
  }

  /**
   * @return the (negative) weight of P6, IP colocation
   */
  public double ipColocationFactorWeight() {
    return ipColocationFactorWeight;
  }

  /**
   * @return the peers on one IP beyond which P6 applies
   */
  public int ipColocationFactorThreshold() {
    return ipColocationFactorThreshold;
  }

  /**
   * @return the IPs that never count for P6
   */
  public Set<String> ipColocationFactorWhitelist() {
    return ipColocationFactorWhitelist;
  }

  /**
   * @return the (negative) weight of P7, the behaviour penalty
   */
  public double behaviourPenaltyWeight() {
    return behaviourPenaltyWeight;
  }

  /**
   * @return the penalty counter beyond which P7 applies
   */
  public double behaviourPenaltyThreshold() {
    return behaviourPenaltyThreshold;
  }

  /**
   * @return the decay of P7's counter
   */
  public double behaviourPenaltyDecay() {
    return behaviourPenaltyDecay;
  }

  /**
   * @return how often counters decay
   */
  public Duration decayInterval() {
    return decayInterval;
  }

  /**
   * @return the value under which a decayed counter becomes 0
   */
  public double decayToZero() {
    return decayToZero;
  }

  /**
   * @return how long a disconnected peer's score is kept
   */
  public Duration retainScore() {
    return retainScore;
  }

  /**
   * A builder starting from these settings, to change a few.
   *
   * @return a new builder holding every setting of this one
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.topics.putAll(topics);
    b.topicScoreCap = topicScoreCap;
    b.appSpecificScore = appSpecificScore;
    b.appSpecificWeight = appSpecificWeight;
    b.ipColocationFactorWeight = ipColocationFactorWeight;
    b.ipColocationFactorThreshold = ipColocationFactorThreshold;
    b.ipColocationFactorWhitelist.addAll(ipColocationFactorWhitelist);
    b.behaviourPenaltyWeight = behaviourPenaltyWeight;
    b.behaviourPenaltyThreshold = behaviourPenaltyThreshold;
    b.behaviourPenaltyDecay = behaviourPenaltyDecay;
    b.decayInterval = decayInterval;
    b.decayToZero = decayToZero;
    b.retainScore = retainScore;
    return b;
  }

  /** Equal when every setting is. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PeerScoreParams x && values().equals(x.values());
  }

  /** A hash of every setting. */
  @Override
  public int hashCode() {
    return values().hashCode();
  }

  /** Every setting, by name. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("PeerScoreParams{");
    String[] names = {
      "topics",
      "topicScoreCap",
      "appSpecificScore",
      "appSpecificWeight",
      "ipColocationFactorWeight",
      "ipColocationFactorThreshold",
      "ipColocationFactorWhitelist",
      "behaviourPenaltyWeight",
      "behaviourPenaltyThreshold",
      "behaviourPenaltyDecay",
      "decayInterval",
      "decayToZero",
      "retainScore"
    };
    List<Object> values = values();
    for (int k = 0; k < names.length; k++) {
      s.append(k == 0 ? "" : ", ").append(names[k]).append('=').append(values.get(k));
    }
    return s.append('}').toString();
  }

  private List<Object> values() {
    return Arrays.asList(
        topics,
        topicScoreCap,
        appSpecificScore,
        appSpecificWeight,
        ipColocationFactorWeight,
        ipColocationFactorThreshold,
        ipColocationFactorWhitelist,
        behaviourPenaltyWeight,
        behaviourPenaltyThreshold,
        behaviourPenaltyDecay,
        decayInterval,
        decayToZero,
        retainScore);
  }

  /**
   * Builds {@link PeerScoreParams}; unset terms are off, decay every 1 s to 0.01, retain 0 (every
   * default here). Not thread-safe.
   */
  public static final class Builder {
    private Map<String, TopicScoreParams> topics = new HashMap<>();
    private double topicScoreCap;
    private ToDoubleFunction<PeerId> appSpecificScore = p -> 0;
    private double appSpecificWeight;
    private double ipColocationFactorWeight;
    private int ipColocationFactorThreshold = 1;
    private Set<String> ipColocationFactorWhitelist = new HashSet<>();
    private double behaviourPenaltyWeight;
    private double behaviourPenaltyThreshold;
    private double behaviourPenaltyDecay;
    private Duration decayInterval = DEFAULT_DECAY_INTERVAL;
    private double decayToZero = DEFAULT_DECAY_TO_ZERO;
    private Duration retainScore = Duration.ZERO;

    private Builder() {}

    /**
     * Sets the cap of the sum of topic scores (0: none).
     *
     * @param value the new value
     * @return this builder
     */
    public Builder topicScoreCap(double value) {
      this.topicScoreCap = value;
      return this;
    }

    /**
     * Sets the weight of P5.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder appSpecificWeight(double value) {
      this.appSpecificWeight = value;
      return this;
    }

    /**
     * Sets the (negative) weight of P6, IP colocation.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder ipColocationFactorWeight(double value) {
      this.ipColocationFactorWeight = value;
      return this;
    }

    /**
     * Sets the peers on one IP beyond which P6 applies; default 1.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder ipColocationFactorThreshold(int value) {
      this.ipColocationFactorThreshold = value;
      return this;
    }

    /**
     * Sets the (negative) weight of P7, the behaviour penalty.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder behaviourPenaltyWeight(double value) {
      this.behaviourPenaltyWeight = value;
      return this;
    }

    /**
     * Sets the penalty counter beyond which P7 applies.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder behaviourPenaltyThreshold(double value) {
      this.behaviourPenaltyThreshold = value;
      return this;
    }

    /**
     * Sets the decay of P7's counter.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder behaviourPenaltyDecay(double value) {
      this.behaviourPenaltyDecay = value;
      return this;
    }

    /**
     * Sets how often counters decay; default 1 s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder decayInterval(Duration value) {
      this.decayInterval = Objects.requireNonNull(value, "decayInterval == null");
      return this;
    }

    /**
     * Sets the value under which a decayed counter becomes 0; default 0.01.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder decayToZero(double value) {
      this.decayToZero = value;
      return this;
    }

    /**
     * Sets how long a disconnected peer's score is kept; default 0.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder retainScore(Duration value) {
      this.retainScore = Objects.requireNonNull(value, "retainScore == null");
      return this;
    }

    /**
     * Scores {@code topic} with {@code params}.
     *
     * @param topic the topic
     * @param params its parameters
     * @return this builder
     */
    public Builder topic(String topic, TopicScoreParams params) {
      topics.put(
          Objects.requireNonNull(topic, "topic == null"),
          Objects.requireNonNull(params, "params == null"));
      return this;
    }

    /**
     * P5: the application's score of a peer, and its weight.
     *
     * @param score runs on the router thread, must be fast
     * @param weight {@link PeerScoreParams#appSpecificWeight()}
     * @return this builder
     */
    public Builder appSpecific(ToDoubleFunction<PeerId> score, double weight) {
      this.appSpecificScore = Objects.requireNonNull(score, "appSpecificScore == null");
      this.appSpecificWeight = weight;
      return this;
    }

    /**
     * P6: a negative weight, applied beyond {@code threshold} peers on one IP.
     *
     * @param weight {@link PeerScoreParams#ipColocationFactorWeight()}
     * @param threshold {@link PeerScoreParams#ipColocationFactorThreshold()}
     * @return this builder
     */
    public Builder ipColocationFactor(double weight, int threshold) {
      this.ipColocationFactorWeight = weight;
      this.ipColocationFactorThreshold = threshold;
      return this;
    }

    /**
     * Adds an IP (as in {@code /ip4/<ip>}) that never counts for P6.
     *
     * @param ip the address
     * @return this builder
     */
    public Builder ipColocationWhitelist(String ip) {
      ipColocationFactorWhitelist.add(Objects.requireNonNull(ip, "ip == null"));
      return this;
    }

    /**
     * P7: a negative weight, applied to the counter's excess over {@code threshold}, squared.
     *
     * @param weight {@link PeerScoreParams#behaviourPenaltyWeight()}
     * @param threshold {@link PeerScoreParams#behaviourPenaltyThreshold()}
     * @param decay {@link PeerScoreParams#behaviourPenaltyDecay()}
     * @return this builder
     */
    public Builder behaviourPenalty(double weight, double threshold, double decay) {
      this.behaviourPenaltyWeight = weight;
      this.behaviourPenaltyThreshold = threshold;
      this.behaviourPenaltyDecay = decay;
      return this;
    }

    /**
     * How often counters decay, and the value under which a counter becomes 0.
     *
     * @param interval {@link PeerScoreParams#decayInterval()}
     * @param toZero {@link PeerScoreParams#decayToZero()}
     * @return this builder
     */
    public Builder decay(Duration interval, double toZero) {
      this.decayInterval = Objects.requireNonNull(interval, "decayInterval == null");
      this.decayToZero = toZero;
      return this;
    }

    /**
     * The settings, checked.
     *
     * @return the immutable settings
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public PeerScoreParams build() {
      check(topicScoreCap >= 0, "topicScoreCap must be >= 0, got " + topicScoreCap);
      check(appSpecificWeight >= 0, "appSpecificWeight must be >= 0, got " + appSpecificWeight);
      check(ipColocationFactorWeight <= 0, "ipColocationFactorWeight must be <= 0");
      check(
          ipColocationFactorWeight == 0 || ipColocationFactorThreshold >= 1,
          "ipColocationFactorThreshold must be at least 1, got " + ipColocationFactorThreshold);
      check(behaviourPenaltyWeight <= 0, "behaviourPenaltyWeight must be <= 0");
      check(
          behaviourPenaltyWeight == 0 || (behaviourPenaltyDecay > 0 && behaviourPenaltyDecay < 1),
          "behaviourPenaltyDecay must be in (0, 1), got " + behaviourPenaltyDecay);
      check(behaviourPenaltyThreshold >= 0, "behaviourPenaltyThreshold must be >= 0");
      check(
          decayInterval.toMillis() >= 1000,
          "decayInterval must be at least 1 s, got " + decayInterval);
      check(
          decayToZero > 0 && decayToZero < 1, "decayToZero must be in (0, 1), got " + decayToZero);
      return new PeerScoreParams(this);
    }
  }

  /**
   * Go's {@code ScoreParameterDecay}: the factor that, applied every {@link
   * #DEFAULT_DECAY_INTERVAL}, brings a counter of 1 down to {@link #DEFAULT_DECAY_TO_ZERO} within
   * {@code decay}.
   *
   * @param decay the time a counter of 1 takes to decay to {@link #DEFAULT_DECAY_TO_ZERO}
   * @return the decay factor
   */
  @SuppressWarnings("NarrowCalculation") // Go divides the durations as integers too
  public static double decay(Duration decay) {
    double ticks = (double) (decay.toNanos() / DEFAULT_DECAY_INTERVAL.toNanos());
    return Math.pow(DEFAULT_DECAY_TO_ZERO, 1 / ticks);
  }

  /**
   * celestia-node's score parameters with go-header's header-topic parameters on {@code
   * headerTopic}: IP colocation weight -100 over 10 peers, behaviour penalty weight -10 over 6
   * decaying in 10 min, decay every 1 s to 0.01, scores retained 6 h, no application score.
   *
   * @param headerTopic the header topic
   * @return celestia-node's parameters
   */
  public static PeerScoreParams forHeaderTopic(String headerTopic) {
    return builder()
        .topic(
            Objects.requireNonNull(headerTopic, "headerTopic == null"),
            TopicScoreParams.goHeaderDefaults())
        .ipColocationFactor(-100, 10)
        .behaviourPenalty(-10, 6, decay(Duration.ofMinutes(10)))
        .retainScore(Duration.ofHours(6))
        .build();
  }

  /**
   * A builder with every term off.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }
}
