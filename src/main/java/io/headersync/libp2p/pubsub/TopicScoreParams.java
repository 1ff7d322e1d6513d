package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.PeerScoreThresholds.check;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The per-topic part of the gossipsub v1.1 score (Go's {@code TopicScoreParams}). A peer's topic
 * score is {@code topicWeight * (P1*w1 + P2*w2 + P3*w3 + P3b*w3b + P4*w4)} where
 *
 * <ul>
 *   <li>P1 = time in the mesh in quanta, capped;
 *   <li>P2 = first deliveries of valid messages (decaying, capped);
 *   <li>P3 = the square of the deficit of mesh deliveries under the threshold, once the peer was in
 *       the mesh longer than the activation time (P3b: the sticky penalty left on prune);
 *   <li>P4 = the square of the count of invalid messages delivered (decaying).
 * </ul>
 *
 * Decay factors are multiplied in once per {@link PeerScoreParams#decayInterval()}; see {@link
 * PeerScoreParams#decay(Duration)}. Build with {@link #builder()}; the defaults are all zero
 * (nothing scored) except the quantum (1 s). {@link Builder#build()} checks Go's rules and names
 * the setting that breaks one; {@link #toBuilder()} starts from these settings. Immutable.
 *
 * <p>Why ~650 lines: 17 settings, each with a field, an accessor, a builder setter, their Javadoc
 * and Go's validation rule, as {@link GossipSubParams}; no logic to move out.
 */
public final class TopicScoreParams {
  private final double topicWeight;
  private final double timeInMeshWeight;
  private final Duration timeInMeshQuantum;
  private final double timeInMeshCap;
  private final double firstMessageDeliveriesWeight;
  private final double firstMessageDeliveriesDecay;
  private final double firstMessageDeliveriesCap;
  private final double meshMessageDeliveriesWeight;
  private final double meshMessageDeliveriesDecay;
  private final double meshMessageDeliveriesCap;
  private final double meshMessageDeliveriesThreshold;
  private final Duration meshMessageDeliveriesWindow;
  private final Duration meshMessageDeliveriesActivation;
  private final double meshFailurePenaltyWeight;
  private final double meshFailurePenaltyDecay;
  private final double invalidMessageDeliveriesWeight;
  private final double invalidMessageDeliveriesDecay;

  private TopicScoreParams(Builder b) {
    this.topicWeight = b.topicWeight;
    this.timeInMeshWeight = b.timeInMeshWeight;
    this.timeInMeshQuantum = b.timeInMeshQuantum;
    this.timeInMeshCap = b.timeInMeshCap;
    this.firstMessageDeliveriesWeight = b.firstMessageDeliveriesWeight;
    this.firstMessageDeliveriesDecay = b.firstMessageDeliveriesDecay;
    this.firstMessageDeliveriesCap = b.firstMessageDeliveriesCap;
    this.meshMessageDeliveriesWeight = b.meshMessageDeliveriesWeight;
    this.meshMessageDeliveriesDecay = b.meshMessageDeliveriesDecay;
    this.meshMessageDeliveriesCap = b.meshMessageDeliveriesCap;
    this.meshMessageDeliveriesThreshold = b.meshMessageDeliveriesThreshold;
    this.meshMessageDeliveriesWindow = b.meshMessageDeliveriesWindow;
    this.meshMessageDeliveriesActivation = b.meshMessageDeliveriesActivation;
    this.meshFailurePenaltyWeight = b.meshFailurePenaltyWeight;
    this.meshFailurePenaltyDecay = b.meshFailurePenaltyDecay;
    this.invalidMessageDeliveriesWeight = b.invalidMessageDeliveriesWeight;
    this.invalidMessageDeliveriesDecay = b.invalidMessageDeliveriesDecay;
  }

  /**
   * @return the topic's weight in the score
   */
  public double topicWeight() {
    return topicWeight;
  }

  /**
   * @return the weight of P1, time in the mesh
   */
  public double timeInMeshWeight() {
    return timeInMeshWeight;
  }

  /**
   * @return the quantum P1 counts time in
   */
  public Duration timeInMeshQuantum() {
    return timeInMeshQuantum;
  }

  /**
   * @return the cap of P1
   */
  public double timeInMeshCap() {
    return timeInMeshCap;
  }

  /**
   * @return the weight of P2, first deliveries
   */
  public double firstMessageDeliveriesWeight() {
    return firstMessageDeliveriesWeight;
  }

  /**
   * @return the decay of P2
   */
  public double firstMessageDeliveriesDecay() {
    return firstMessageDeliveriesDecay;
  }

  /**
   * @return the cap of P2
   */
  public double firstMessageDeliveriesCap() {
    return firstMessageDeliveriesCap;
  }

  /**
   * @return the (negative) weight of P3, the mesh delivery deficit
   */
  public double meshMessageDeliveriesWeight() {
    return meshMessageDeliveriesWeight;
  }

  /**
   * @return the decay of P3's counter
   */
  public double meshMessageDeliveriesDecay() {
    return meshMessageDeliveriesDecay;
  }

  /**
   * @return the cap of P3's counter
   */
  public double meshMessageDeliveriesCap() {
    return meshMessageDeliveriesCap;
  }

  /**
   * @return the deliveries under which P3 applies
   */
  public double meshMessageDeliveriesThreshold() {
    return meshMessageDeliveriesThreshold;
  }

  /**
   * @return the window in which a duplicate still counts as a mesh delivery
   */
  public Duration meshMessageDeliveriesWindow() {
    return meshMessageDeliveriesWindow;
  }

  /**
   * @return the time in the mesh after which P3 applies
   */
  public Duration meshMessageDeliveriesActivation() {
    return meshMessageDeliveriesActivation;
  }

  /**
   * @return the (negative) weight of P3b, the sticky mesh failure penalty
   */
  public double meshFailurePenaltyWeight() {
    return meshFailurePenaltyWeight;
  }

  /**
   * @return the decay of P3b
   */
  public double meshFailurePenaltyDecay() {
    return meshFailurePenaltyDecay;
  }

  /**
   * @return the (negative) weight of P4, invalid deliveries
   */
  public double invalidMessageDeliveriesWeight() {
    return invalidMessageDeliveriesWeight;
  }

  /**
   * @return the decay of P4
   */
  public double invalidMessageDeliveriesDecay() {
    return invalidMessageDeliveriesDecay;
  }

  /**
   * A builder starting from these settings, to change a few.
   *
   * @return a new builder holding every setting of this one
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.topicWeight = topicWeight;
    b.timeInMeshWeight = timeInMeshWeight;
    b.timeInMeshQuantum = timeInMeshQuantum;
    b.timeInMeshCap = timeInMeshCap;
    b.firstMessageDeliveriesWeight = firstMessageDeliveriesWeight;
    b.firstMessageDeliveriesDecay = firstMessageDeliveriesDecay;
    b.firstMessageDeliveriesCap = firstMessageDeliveriesCap;
    b.meshMessageDeliveriesWeight = meshMessageDeliveriesWeight;
    b.meshMessageDeliveriesDecay = meshMessageDeliveriesDecay;
    b.meshMessageDeliveriesCap = meshMessageDeliveriesCap;
    b.meshMessageDeliveriesThreshold = meshMessageDeliveriesThreshold;
    b.meshMessageDeliveriesWindow = meshMessageDeliveriesWindow;
    b.meshMessageDeliveriesActivation = meshMessageDeliveriesActivation;
    b.meshFailurePenaltyWeight = meshFailurePenaltyWeight;
    b.meshFailurePenaltyDecay = meshFailurePenaltyDecay;
    b.invalidMessageDeliveriesWeight = invalidMessageDeliveriesWeight;
    b.invalidMessageDeliveriesDecay = invalidMessageDeliveriesDecay;
    return b;
  }

  /** Equal when every setting is. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TopicScoreParams x && values().equals(x.values());
  }

  /** A hash of every setting. */
  @Override
  public int hashCode() {
    return values().hashCode();
  }

  /** Every setting, by name. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TopicScoreParams{");
    String[] names = {
      "topicWeight",
      "timeInMeshWeight",
      "timeInMeshQuantum",
      "timeInMeshCap",
      "firstMessageDeliveriesWeight",
      "firstMessageDeliveriesDecay",
      "firstMessageDeliveriesCap",
      "meshMessageDeliveriesWeight",
      "meshMessageDeliveriesDecay",
      "meshMessageDeliveriesCap",
      "meshMessageDeliveriesThreshold",
      "meshMessageDeliveriesWindow",
      "meshMessageDeliveriesActivation",
      "meshFailurePenaltyWeight",
      "meshFailurePenaltyDecay",
      "invalidMessageDeliveriesWeight",
      "invalidMessageDeliveriesDecay"
    };
    List<Object> values = values();
    for (int k = 0; k < names.length; k++) {
      s.append(k == 0 ? "" : ", ").append(names[k]).append('=').append(values.get(k));
    }
    return s.append('}').toString();
  }

  private List<Object> values() {
    return Arrays.asList(
        topicWeight,
        timeInMeshWeight,
        timeInMeshQuantum,
        timeInMeshCap,
        firstMessageDeliveriesWeight,
        firstMessageDeliveriesDecay,
        firstMessageDeliveriesCap,
        meshMessageDeliveriesWeight,
        meshMessageDeliveriesDecay,
        meshMessageDeliveriesCap,
        meshMessageDeliveriesThreshold,
        meshMessageDeliveriesWindow,
        meshMessageDeliveriesActivation,
        meshFailurePenaltyWeight,
        meshFailurePenaltyDecay,
        invalidMessageDeliveriesWeight,
        invalidMessageDeliveriesDecay);
  }

  /** Builds {@link TopicScoreParams}; unset terms are off (every default here). Not thread-safe. */
  public static final class Builder {
    private double topicWeight;
    private double timeInMeshWeight;
    private Duration timeInMeshQuantum = Duration.ofSeconds(1);
    private double timeInMeshCap;
    private double firstMessageDeliveriesWeight;
    private double firstMessageDeliveriesDecay;
    private double firstMessageDeliveriesCap;
    private double meshMessageDeliveriesWeight;
    private double meshMessageDeliveriesDecay;
    private double meshMessageDeliveriesCap;
    private double meshMessageDeliveriesThreshold;
    private Duration meshMessageDeliveriesWindow = Duration.ZERO;
    private Duration meshMessageDeliveriesActivation = Duration.ZERO;
    private double meshFailurePenaltyWeight;
    private double meshFailurePenaltyDecay;
    private double invalidMessageDeliveriesWeight;
    private double invalidMessageDeliveriesDecay;

    private Builder() {}

    /**
     * Sets the topic's weight in the score.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder topicWeight(double value) {
      this.topicWeight = value;
      return this;
    }

    /**
     * Sets the weight of P1, time in the mesh.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder timeInMeshWeight(double value) {
      this.timeInMeshWeight = value;
      return this;
    }

    /**
     * Sets the quantum P1 counts time in.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder timeInMeshQuantum(Duration value) {
      this.timeInMeshQuantum = Objects.requireNonNull(value, "timeInMeshQuantum == null");
      return this;
    }

    /**
     * Sets the cap of P1.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder timeInMeshCap(double value) {
      this.timeInMeshCap = value;
      return this;
    }

    /**
     * Sets the weight of P2, first deliveries.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder firstMessageDeliveriesWeight(double value) {
      this.firstMessageDeliveriesWeight = value;
      return this;
    }

    /**
     * Sets the decay of P2.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder firstMessageDeliveriesDecay(double value) {
      this.firstMessageDeliveriesDecay = value;
      return this;
    }

    /**
     * Sets the cap of P2.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder firstMessageDeliveriesCap(double value) {
      this.firstMessageDeliveriesCap = value;
      return this;
    }

    /**
     * Sets the (negative) weight of P3, the mesh delivery deficit.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshMessageDeliveriesWeight(double value) {
      this.meshMessageDeliveriesWeight = value;
      return this;
    }

    /**
     * Sets the decay of P3's counter.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshMessageDeliveriesDecay(double value) {
      this.meshMessageDeliveriesDecay = value;
      return this;
    }

    /**
     * Sets the cap of P3's counter.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshMessageDeliveriesCap(double value) {
      this.meshMessageDeliveriesCap = value;
      return this;
    }

    /**
     * Sets the deliveries under which P3 applies.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshMessageDeliveriesThreshold(double value) {
      this.meshMessageDeliveriesThreshold = value;
      return this;
    }

    /**
     * Sets the window in which a duplicate still counts as a mesh delivery.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshMessageDeliveriesWindow(Duration value) {
      this.meshMessageDeliveriesWindow =
          Objects.requireNonNull(value, "meshMessageDeliveriesWindow == null");
      return this;
    }

    /**
     * Sets the time in the mesh after which P3 applies.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshMessageDeliveriesActivation(Duration value) {
      this.meshMessageDeliveriesActivation =
          Objects.requireNonNull(value, "meshMessageDeliveriesActivation == null");
      return this;
    }

    /**
     * Sets the (negative) weight of P3b, the sticky mesh failure penalty.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshFailurePenaltyWeight(double value) {
      this.meshFailurePenaltyWeight = value;
      return this;
    }

    /**
     * Sets the decay of P3b.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder meshFailurePenaltyDecay(double value) {
      this.meshFailurePenaltyDecay = value;
      return this;
    }

    /**
     * Sets the (negative) weight of P4, invalid deliveries.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder invalidMessageDeliveriesWeight(double value) {
      this.invalidMessageDeliveriesWeight = value;
      return this;
    }

    /**
     * Sets the decay of P4.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder invalidMessageDeliveriesDecay(double value) {
      this.invalidMessageDeliveriesDecay = value;
      return this;
    }

    /**
     * P1: time in the mesh.
     *
     * @param weight {@link TopicScoreParams#timeInMeshWeight()}
     * @param quantum {@link TopicScoreParams#timeInMeshQuantum()}
     * @param cap {@link TopicScoreParams#timeInMeshCap()}
     * @return this builder
     */
    public Builder timeInMesh(double weight, Duration quantum, double cap) {
      this.timeInMeshWeight = weight;
      this.timeInMeshQuantum = Objects.requireNonNull(quantum, "timeInMeshQuantum == null");
      this.timeInMeshCap = cap;
      return this;
    }

    /**
     * P2: first deliveries of valid messages.
     *
     * @param weight {@link TopicScoreParams#firstMessageDeliveriesWeight()}
     * @param decay {@link TopicScoreParams#firstMessageDeliveriesDecay()}
     * @param cap {@link TopicScoreParams#firstMessageDeliveriesCap()}
     * @return this builder
     */
    public Builder firstMessageDeliveries(double weight, double decay, double cap) {
      this.firstMessageDeliveriesWeight = weight;
      this.firstMessageDeliveriesDecay = decay;
      this.firstMessageDeliveriesCap = cap;
      return this;
    }

    /**
     * P3: a negative weight, applied once the peer was in the mesh for {@code activation}.
     *
     * @param weight {@link TopicScoreParams#meshMessageDeliveriesWeight()}
     * @param decay {@link TopicScoreParams#meshMessageDeliveriesDecay()}
     * @param cap {@link TopicScoreParams#meshMessageDeliveriesCap()}
     * @param threshold {@link TopicScoreParams#meshMessageDeliveriesThreshold()}
     * @param window {@link TopicScoreParams#meshMessageDeliveriesWindow()}
     * @param activation {@link TopicScoreParams#meshMessageDeliveriesActivation()}
     * @return this builder
     */
    public Builder meshMessageDeliveries(
        double weight,
        double decay,
        double cap,
        double threshold,
        Duration window,
        Duration activation) {
      this.meshMessageDeliveriesWeight = weight;
      this.meshMessageDeliveriesDecay = decay;
      this.meshMessageDeliveriesCap = cap;
      this.meshMessageDeliveriesThreshold = threshold;
      this.meshMessageDeliveriesWindow =
          Objects.requireNonNull(window, "meshMessageDeliveriesWindow == null");
      this.meshMessageDeliveriesActivation =
          Objects.requireNonNull(activation, "meshMessageDeliveriesActivation == null");
      return this;
    }

    /**
     * P3b: a negative weight.
     *
     * @param weight {@link TopicScoreParams#meshFailurePenaltyWeight()}
     * @param decay {@link TopicScoreParams#meshFailurePenaltyDecay()}
     * @return this builder
     */
    public Builder meshFailurePenalty(double weight, double decay) {
      this.meshFailurePenaltyWeight = weight;
      this.meshFailurePenaltyDecay = decay;
      return this;
    }

    /**
     * P4: a negative weight.
     *
     * @param weight {@link TopicScoreParams#invalidMessageDeliveriesWeight()}
     * @param decay {@link TopicScoreParams#invalidMessageDeliveriesDecay()}
     * @return this builder
     */
    public Builder invalidMessageDeliveries(double weight, double decay) {
      this.invalidMessageDeliveriesWeight = weight;
      this.invalidMessageDeliveriesDecay = decay;
      return this;
    }

    /**
     * The settings, checked.
     *
     * @return the immutable settings
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public TopicScoreParams build() {
      check(topicWeight >= 0, "topicWeight must be >= 0, got " + topicWeight);
      check(
          !timeInMeshQuantum.isZero() && !timeInMeshQuantum.isNegative(),
          "timeInMeshQuantum must be positive");
      check(timeInMeshWeight >= 0, "timeInMeshWeight must be >= 0, got " + timeInMeshWeight);
      check(
          timeInMeshWeight == 0 || timeInMeshCap > 0,
          "timeInMeshCap must be positive, got " + timeInMeshCap);
      check(firstMessageDeliveriesWeight >= 0, "firstMessageDeliveriesWeight must be >= 0");
      check(
          firstMessageDeliveriesWeight == 0 || decayOk(firstMessageDeliveriesDecay),
          "firstMessageDeliveriesDecay must be in (0, 1), got " + firstMessageDeliveriesDecay);
      check(
          firstMessageDeliveriesWeight == 0 || firstMessageDeliveriesCap > 0,
          "firstMessageDeliveriesCap must be positive, got " + firstMessageDeliveriesCap);
      check(meshMessageDeliveriesWeight <= 0, "meshMessageDeliveriesWeight must be <= 0");
      check(
          meshMessageDeliveriesWeight == 0 || decayOk(meshMessageDeliveriesDecay),
          "meshMessageDeliveriesDecay must be in (0, 1), got " + meshMessageDeliveriesDecay);
      check(
          meshMessageDeliveriesWeight == 0 || meshMessageDeliveriesCap > 0,
          "meshMessageDeliveriesCap must be positive");
      check(
          meshMessageDeliveriesWeight == 0 || meshMessageDeliveriesThreshold > 0,
          "meshMessageDeliveriesThreshold must be positive");
      check(!meshMessageDeliveriesWindow.isNegative(), "meshMessageDeliveriesWindow must be >= 0");
      check(
          meshMessageDeliveriesWeight == 0 || meshMessageDeliveriesActivation.toMillis() >= 1000,
          "meshMessageDeliveriesActivation must be at least 1 s");
      check(meshFailurePenaltyWeight <= 0, "meshFailurePenaltyWeight must be <= 0");
      check(
          meshFailurePenaltyWeight == 0 || decayOk(meshFailurePenaltyDecay),
          "meshFailurePenaltyDecay must be in (0, 1), got " + meshFailurePenaltyDecay);
      check(invalidMessageDeliveriesWeight <= 0, "invalidMessageDeliveriesWeight must be <= 0");
      check(
          invalidMessageDeliveriesWeight == 0 || decayOk(invalidMessageDeliveriesDecay),
          "invalidMessageDeliveriesDecay must be in (0, 1), got " + invalidMessageDeliveriesDecay);
      return new TopicScoreParams(this);
    }
  }

  /**
   * go-header's recommended parameters for the header topic ({@code p2p/gossip_score.go}, exported
   * as {@code GossibSubScore}): topic weight 0.1; time in mesh weight 0.0002778 per 1 s quantum,
   * cap 1; first deliveries weight 5, cap 100, decay {@code ScoreParameterDecay(1h)}; invalid
   * deliveries weight -1000, decay {@code ScoreParameterDecay(1h)}; mesh-delivery penalties (P3,
   * P3b) off.
   *
   * @return go-header's header-topic parameters
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

  /**
   * A builder with every term off.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private static boolean decayOk(double d) {
    return d > 0 && d < 1;
  }
}
