package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.PeerScoreThresholds.check;

import io.headersync.libp2p.PeerId;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The gossipsub v1.1 peer score (Go's {@code PeerScoreParams}):
 * <pre>
 * score = min(topicScoreCap, sum over topics of topicScore)   (no cap if topicScoreCap is 0)
 *       + appSpecificWeight * P5 + ipColocationFactorWeight * P6 + behaviourPenaltyWeight * P7
 * </pre>
 * with P5 the application's score of the peer, P6 the square of the number of scored peers sharing
 * the peer's IP beyond {@code ipColocationFactorThreshold} (whitelisted IPs excluded), and P7 the
 * square of the behaviour penalty counter beyond {@code behaviourPenaltyThreshold}. Counters decay
 * every {@code decayInterval}; a value under {@code decayToZero} becomes 0. Scores of disconnected
 * peers are kept (not decayed) for {@code retainScore}. The application score function runs on the
 * router thread and must be fast.
 */
public record PeerScoreParams(
    Map<String, TopicScoreParams> topics,
    double topicScoreCap,
    ToDoubleFunction<PeerId> appSpecificScore,
    double appSpecificWeight,
    double ipColocationFactorWeight,
    int ipColocationFactorThreshold,
    Set<String> ipColocationFactorWhitelist,
    double behaviourPenaltyWeight,
    double behaviourPenaltyThreshold,
    double behaviourPenaltyDecay,
    Duration decayInterval,
    double decayToZero,
    Duration retainScore) {

  /** Go's {@code DefaultDecayInterval}. */
  public static final Duration DEFAULT_DECAY_INTERVAL = Duration.ofSeconds(1);
  /** Go's {@code DefaultDecayToZero}. */
  public static final double DEFAULT_DECAY_TO_ZERO = 0.01;

  /** @throws IllegalArgumentException naming the parameter that breaks Go's validation rules */
  public PeerScoreParams {
    topics = Map.copyOf(Objects.requireNonNull(topics, "topics == null"));
    Objects.requireNonNull(appSpecificScore, "appSpecificScore == null");
    ipColocationFactorWhitelist = Set.copyOf(
        Objects.requireNonNull(ipColocationFactorWhitelist, "ipColocationFactorWhitelist == null"));
    Objects.requireNonNull(decayInterval, "decayInterval == null");
    Objects.requireNonNull(retainScore, "retainScore == null");
    check(topicScoreCap >= 0, "topicScoreCap must be >= 0, got " + topicScoreCap);
    check(appSpecificWeight >= 0, "appSpecificWeight must be >= 0, got " + appSpecificWeight);
    check(ipColocationFactorWeight <= 0, "ipColocationFactorWeight must be <= 0");
    check(ipColocationFactorWeight == 0 || ipColocationFactorThreshold >= 1,
        "ipColocationFactorThreshold must be at least 1, got " + ipColocationFactorThreshold);
    check(behaviourPenaltyWeight <= 0, "behaviourPenaltyWeight must be <= 0");
    check(behaviourPenaltyWeight == 0 || (behaviourPenaltyDecay > 0 && behaviourPenaltyDecay < 1),
        "behaviourPenaltyDecay must be in (0, 1), got " + behaviourPenaltyDecay);
    check(behaviourPenaltyThreshold >= 0, "behaviourPenaltyThreshold must be >= 0");
    check(decayInterval.toMillis() >= 1000, "decayInterval must be at least 1 s, got " + decayInterval);
    check(decayToZero > 0 && decayToZero < 1, "decayToZero must be in (0, 1), got " + decayToZero);
  }

  /**
   * Go's {@code ScoreParameterDecay}: the factor that, applied every {@link
   * #DEFAULT_DECAY_INTERVAL}, brings a counter of 1 down to {@link #DEFAULT_DECAY_TO_ZERO} within
   * {@code decay}.
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
   */
  public static PeerScoreParams forHeaderTopic(String headerTopic) {
    return builder()
        .topic(Objects.requireNonNull(headerTopic, "headerTopic == null"), TopicScoreParams.goHeaderDefaults())
        .ipColocationFactor(-100, 10)
        .behaviourPenalty(-10, 6, decay(Duration.ofMinutes(10)))
        .retainScore(Duration.ofHours(6))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link PeerScoreParams}; unset terms are off, decay every 1 s to 0.01, retain 0. */
  public static final class Builder {
    private final Map<String, TopicScoreParams> topics = new HashMap<>();
    private double topicScoreCap;
    private ToDoubleFunction<PeerId> appSpecificScore = p -> 0;
    private double appSpecificWeight;
    private double ipWeight;
    private int ipThreshold = 1;
    private final Set<String> ipWhitelist = new HashSet<>();
    private double behaviourWeight;
    private double behaviourThreshold;
    private double behaviourDecay;
    private Duration decayInterval = DEFAULT_DECAY_INTERVAL;
    private double decayToZero = DEFAULT_DECAY_TO_ZERO;
    private Duration retainScore = Duration.ZERO;

    private Builder() {}

    public Builder topic(String topic, TopicScoreParams params) {
      topics.put(Objects.requireNonNull(topic, "topic == null"), Objects.requireNonNull(params, "params == null"));
      return this;
    }

    public Builder topicScoreCap(double cap) {
      this.topicScoreCap = cap;
      return this;
    }

    /** P5; the function runs on the router thread. */
    public Builder appSpecific(ToDoubleFunction<PeerId> score, double weight) {
      this.appSpecificScore = Objects.requireNonNull(score, "score == null");
      this.appSpecificWeight = weight;
      return this;
    }

    /** P6: a negative weight, applied beyond {@code threshold} peers on one IP. */
    public Builder ipColocationFactor(double weight, int threshold) {
      this.ipWeight = weight;
      this.ipThreshold = threshold;
      return this;
    }

    /** IPs (as in {@code /ip4/<ip>}) that never count for P6. */
    public Builder ipColocationWhitelist(String ip) {
      ipWhitelist.add(Objects.requireNonNull(ip, "ip == null"));
      return this;
    }

    /** P7: a negative weight, applied to the counter's excess over {@code threshold}, squared. */
    public Builder behaviourPenalty(double weight, double threshold, double decay) {
      this.behaviourWeight = weight;
      this.behaviourThreshold = threshold;
      this.behaviourDecay = decay;
      return this;
    }

    public Builder decay(Duration interval, double toZero) {
      this.decayInterval = Objects.requireNonNull(interval, "interval == null");
      this.decayToZero = toZero;
      return this;
    }

    public Builder retainScore(Duration retain) {
      this.retainScore = Objects.requireNonNull(retain, "retain == null");
      return this;
    }

    /** @throws IllegalArgumentException naming the parameter that is out of range */
    public PeerScoreParams build() {
      return new PeerScoreParams(topics, topicScoreCap, appSpecificScore, appSpecificWeight, ipWeight,
          ipThreshold, ipWhitelist, behaviourWeight, behaviourThreshold, behaviourDecay, decayInterval,
          decayToZero, retainScore);
    }
  }
}
