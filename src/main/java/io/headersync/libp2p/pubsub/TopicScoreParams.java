package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.PeerScoreThresholds.check;

import java.time.Duration;
import java.util.Objects;

/**
 * The per-topic part of the gossipsub v1.1 score (Go's {@code TopicScoreParams}). A peer's topic
 * score is {@code topicWeight * (P1*w1 + P2*w2 + P3*w3 + P3b*w3b + P4*w4)} where
 * <ul>
 *   <li>P1 = time in the mesh in quanta, capped;</li>
 *   <li>P2 = first deliveries of valid messages (decaying, capped);</li>
 *   <li>P3 = the square of the deficit of mesh deliveries under the threshold, once the peer was
 *       in the mesh longer than the activation time (P3b: the sticky penalty left on prune);</li>
 *   <li>P4 = the square of the count of invalid messages delivered (decaying).</li>
 * </ul>
 * Decay factors are multiplied in once per {@link PeerScoreParams#decayInterval()}; see {@link
 * PeerScoreParams#decay(Duration)}. Build with {@link #builder()}; the defaults are all zero
 * (nothing scored) except the quantum (1 s).
 */
public record TopicScoreParams(
    double topicWeight,
    double timeInMeshWeight,
    Duration timeInMeshQuantum,
    double timeInMeshCap,
    double firstMessageDeliveriesWeight,
    double firstMessageDeliveriesDecay,
    double firstMessageDeliveriesCap,
    double meshMessageDeliveriesWeight,
    double meshMessageDeliveriesDecay,
    double meshMessageDeliveriesCap,
    double meshMessageDeliveriesThreshold,
    Duration meshMessageDeliveriesWindow,
    Duration meshMessageDeliveriesActivation,
    double meshFailurePenaltyWeight,
    double meshFailurePenaltyDecay,
    double invalidMessageDeliveriesWeight,
    double invalidMessageDeliveriesDecay) {

  /** @throws IllegalArgumentException naming the parameter that breaks Go's validation rules */
  public TopicScoreParams {
    Objects.requireNonNull(timeInMeshQuantum, "timeInMeshQuantum == null");
    Objects.requireNonNull(meshMessageDeliveriesWindow, "meshMessageDeliveriesWindow == null");
    Objects.requireNonNull(meshMessageDeliveriesActivation, "meshMessageDeliveriesActivation == null");
    check(topicWeight >= 0, "topicWeight must be >= 0, got " + topicWeight);
    check(!timeInMeshQuantum.isZero() && !timeInMeshQuantum.isNegative(), "timeInMeshQuantum must be positive");
    check(timeInMeshWeight >= 0, "timeInMeshWeight must be >= 0, got " + timeInMeshWeight);
    check(timeInMeshWeight == 0 || timeInMeshCap > 0, "timeInMeshCap must be positive, got " + timeInMeshCap);
    check(firstMessageDeliveriesWeight >= 0, "firstMessageDeliveriesWeight must be >= 0");
    check(firstMessageDeliveriesWeight == 0 || decayOk(firstMessageDeliveriesDecay),
        "firstMessageDeliveriesDecay must be in (0, 1), got " + firstMessageDeliveriesDecay);
    check(firstMessageDeliveriesWeight == 0 || firstMessageDeliveriesCap > 0,
        "firstMessageDeliveriesCap must be positive, got " + firstMessageDeliveriesCap);
    check(meshMessageDeliveriesWeight <= 0, "meshMessageDeliveriesWeight must be <= 0");
    check(meshMessageDeliveriesWeight == 0 || decayOk(meshMessageDeliveriesDecay),
        "meshMessageDeliveriesDecay must be in (0, 1), got " + meshMessageDeliveriesDecay);
    check(meshMessageDeliveriesWeight == 0 || meshMessageDeliveriesCap > 0, "meshMessageDeliveriesCap must be positive");
    check(meshMessageDeliveriesWeight == 0 || meshMessageDeliveriesThreshold > 0,
        "meshMessageDeliveriesThreshold must be positive");
    check(!meshMessageDeliveriesWindow.isNegative(), "meshMessageDeliveriesWindow must be >= 0");
    check(meshMessageDeliveriesWeight == 0 || meshMessageDeliveriesActivation.toMillis() >= 1000,
        "meshMessageDeliveriesActivation must be at least 1 s");
    check(meshFailurePenaltyWeight <= 0, "meshFailurePenaltyWeight must be <= 0");
    check(meshFailurePenaltyWeight == 0 || decayOk(meshFailurePenaltyDecay),
        "meshFailurePenaltyDecay must be in (0, 1), got " + meshFailurePenaltyDecay);
    check(invalidMessageDeliveriesWeight <= 0, "invalidMessageDeliveriesWeight must be <= 0");
    check(invalidMessageDeliveriesWeight == 0 || decayOk(invalidMessageDeliveriesDecay),
        "invalidMessageDeliveriesDecay must be in (0, 1), got " + invalidMessageDeliveriesDecay);
  }

  private static boolean decayOk(double d) {
    return d > 0 && d < 1;
  }

  /**
   * go-header's recommended parameters for the header topic ({@code p2p/gossip_score.go}, exported
   * as {@code GossibSubScore}): topic weight 0.1; time in mesh weight 0.0002778 per 1 s quantum,
   * cap 1; first deliveries weight 5, cap 100, decay {@code ScoreParameterDecay(1h)}; invalid
   * deliveries weight -1000, decay {@code ScoreParameterDecay(1h)}; mesh-delivery penalties (P3,
   * P3b) off.
   */
  public static TopicScoreParams goHeaderDefaults() {
    double hour = PeerScoreParams.decay(Duration.ofHours(1));
    return builder()
        .topicWeight(0.1)
        .timeInMesh(0.0002778, Duration.ofSeconds(1), 1)
        .firstMessageDeliveries(5, hour, 100)
        .invalidMessageDeliveries(-1000, hour)
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link TopicScoreParams}; unset terms are off. */
  public static final class Builder {
    private double topicWeight;
    private double timeInMeshWeight;
    private Duration timeInMeshQuantum = Duration.ofSeconds(1);
    private double timeInMeshCap;
    private double firstWeight;
    private double firstDecay;
    private double firstCap;
    private double meshWeight;
    private double meshDecay;
    private double meshCap;
    private double meshThreshold;
    private Duration meshWindow = Duration.ZERO;
    private Duration meshActivation = Duration.ZERO;
    private double failureWeight;
    private double failureDecay;
    private double invalidWeight;
    private double invalidDecay;

    private Builder() {}

    public Builder topicWeight(double weight) {
      this.topicWeight = weight;
      return this;
    }

    /** P1. */
    public Builder timeInMesh(double weight, Duration quantum, double cap) {
      this.timeInMeshWeight = weight;
      this.timeInMeshQuantum = Objects.requireNonNull(quantum, "quantum == null");
      this.timeInMeshCap = cap;
      return this;
    }

    /** P2. */
    public Builder firstMessageDeliveries(double weight, double decay, double cap) {
      this.firstWeight = weight;
      this.firstDecay = decay;
      this.firstCap = cap;
      return this;
    }

    /** P3: a negative weight, applied once the peer was in the mesh for {@code activation}. */
    public Builder meshMessageDeliveries(double weight, double decay, double cap, double threshold,
        Duration window, Duration activation) {
      this.meshWeight = weight;
      this.meshDecay = decay;
      this.meshCap = cap;
      this.meshThreshold = threshold;
      this.meshWindow = Objects.requireNonNull(window, "window == null");
      this.meshActivation = Objects.requireNonNull(activation, "activation == null");
      return this;
    }

    /** P3b: a negative weight. */
    public Builder meshFailurePenalty(double weight, double decay) {
      this.failureWeight = weight;
      this.failureDecay = decay;
      return this;
    }

    /** P4: a negative weight. */
    public Builder invalidMessageDeliveries(double weight, double decay) {
      this.invalidWeight = weight;
      this.invalidDecay = decay;
      return this;
    }

    /** @throws IllegalArgumentException naming the parameter that is out of range */
    public TopicScoreParams build() {
      return new TopicScoreParams(topicWeight, timeInMeshWeight, timeInMeshQuantum, timeInMeshCap,
          firstWeight, firstDecay, firstCap, meshWeight, meshDecay, meshCap, meshThreshold, meshWindow,
          meshActivation, failureWeight, failureDecay, invalidWeight, invalidDecay);
    }
  }
}
