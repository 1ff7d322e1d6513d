package io.headersync.internal;

import io.headersync.annotation.Nullable;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff, the one used by every retry loop (the service's initial fetch, the syncer's
 * jobs, the seed re-dials, the range session's chunk retries): the delay before retry {@code n} is
 * {@code initial * multiplier^(n - 1)}, at most {@code max}.
 *
 * <p>Immutable and stateless: the caller counts its attempts (resetting the count on success) and
 * asks {@link #delay(int)}, so the same instance can serve many retry loops at once. With
 * {@linkplain #withJitter jitter} each delay is scaled by a factor drawn from the injected {@link
 * Random} (seed it in tests), never above {@code max}.
 *
 * <p>Delays are computed in whole nanoseconds, growing step by step (capped at every step); a
 * multiplier of 2 doubles exactly.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final double multiplier;
  private final double jitter;
  private final @Nullable Random random;

  private Backoff(
      Duration initial, Duration max, double multiplier, double jitter, @Nullable Random random) {
    this.initial = initial;
    this.max = max;
    this.multiplier = multiplier;
    this.jitter = jitter;
    this.random = random;
  }

  /**
   * A backoff doubling from {@code initial} up to {@code max}, without jitter.
   *
   * @throws IllegalArgumentException if {@code initial} is negative or above {@code max}
   */
  public static Backoff exponential(Duration initial, Duration max) {
    Objects.requireNonNull(initial, "initial == null");
    Objects.requireNonNull(max, "max == null");
    if (initial.isNegative()) {
      throw new IllegalArgumentException("backoff initial delay must not be negative: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff max " + max + " is below the initial delay " + initial);
    }
    return new Backoff(initial, max, 2, 0, null);
  }

  /**
   * This backoff with another growth factor per attempt.
   *
   * @throws IllegalArgumentException unless {@code 1 <= multiplier <= 1000} (and finite)
   */
  public Backoff withMultiplier(double multiplier) {
    if (!(multiplier >= 1 && multiplier <= 1000)) {
      throw new IllegalArgumentException("backoff multiplier must be in [1, 1000]: " + multiplier);
    }
    return new Backoff(initial, max, multiplier, jitter, random);
  }

  /**
   * This backoff with jitter: each delay is multiplied by a factor drawn uniformly from {@code [1 -
   * fraction, 1]} using {@code random}, so retries of many clients spread out and none waits longer
   * than without jitter.
   *
   * @throws IllegalArgumentException unless {@code 0 <= fraction <= 1}
   */
  public Backoff withJitter(double fraction, Random random) {
    Objects.requireNonNull(random, "random == null");
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("backoff jitter fraction must be in [0, 1]: " + fraction);
    }
    return new Backoff(initial, max, multiplier, fraction, random);
  }

  /** The delay before the first retry. */
  public Duration initial() {
    return initial;
  }

  /** The longest delay. */
  public Duration max() {
    return max;
  }

  /**
   * The delay before retry number {@code attempt} (1 for the first retry): {@code initial *
   * multiplier^(attempt - 1)}, at most {@link #max()}, then jittered if configured.
   *
   * @throws IllegalArgumentException if {@code attempt < 1}
   */
  public Duration delay(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("backoff attempt must be >= 1: " + attempt);
    }
    long maxNanos = saturatedNanos(max);
    long nanos = saturatedNanos(initial);
    for (int i = 1; i < attempt && nanos < maxNanos; i++) {
      long next;
      if (multiplier == 2) {
        next = nanos > maxNanos / 2 ? maxNanos : nanos * 2; // exact
      } else {
        double d = nanos * multiplier;
        next = d >= maxNanos ? maxNanos : (long) d;
      }
      if (next == nanos) {
        break; // zero, a multiplier of 1, or a tiny factor truncated away: it would never grow
      }
      nanos = next;
    }
    if (random != null && jitter > 0) {
      double factor = 1 - jitter * random.nextDouble();
      nanos = (long) (nanos * factor);
    }
    return Duration.ofNanos(nanos);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // over 292 years: "forever"
    }
  }

  @Override
  public String toString() {
    return "Backoff["
        + initial
        + " x"
        + multiplier
        + " up to "
        + max
        + (random == null || jitter == 0 ? "" : ", jitter " + jitter)
        + "]";
  }
}
