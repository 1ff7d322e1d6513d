package io.headersync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * go-header's header verification: the mandatory checks followed by the header type's own check.
 *
 * <p>{@link #verify} runs, in go-header's order: zero header, chain id (exact compare), known
 * header (untrusted height not above trusted), unordered time (untrusted before trusted; equal is
 * fine), from the future (more than {@link #DEFAULT_CLOCK_DRIFT} past {@code clock.instant()}),
 * then {@link HeaderType#verify}. The mandatory checks fail hard. A failure of the type's check is
 * soft when the pair is not adjacent (go-header cannot tell a non-adjacent header is really wrong),
 * and is kept as the type reported it when the pair is adjacent. For a type that does not
 * {@linkplain HeaderType#verifiesNonAdjacent() verify non-adjacent pairs}, a non-adjacent pair that
 * passes the mandatory checks fails softly with {@link
 * VerifyException.Reason#NON_ADJACENT_UNSUPPORTED} without calling the type ({@link #verifyRange}
 * accepts it for the range's first header).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param <H> the header type
 */
public final class Verification<H extends Header> {
  /** How far a header's time may be ahead of now: go-header's {@code clockDrift}, 10 s. */
  public static final Duration DEFAULT_CLOCK_DRIFT = Duration.ofSeconds(10);

  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX").withZone(ZoneOffset.UTC);

  private final HeaderType<H> type;
  private final Clock clock;
  private final Duration clockDrift;

  /**
   * Verification with go-header's clock drift, {@link #DEFAULT_CLOCK_DRIFT}.
   *
   * @param type the header type whose own check runs last
   * @param clock the source of "now" for the from-the-future check
   */
  public Verification(HeaderType<H> type, Clock clock) {
    this(type, clock, DEFAULT_CLOCK_DRIFT);
  }

  /**
   * Verification with another clock drift, for chains whose producers' clocks are known to drift
   * further (or tests).
   *
   * @param type the header type whose own check runs last
   * @param clock the source of "now" for the from-the-future check
   * @param clockDrift how far ahead of now a header's time may be; not negative
   * @throws IllegalArgumentException if {@code clockDrift} is negative
   */
  public Verification(HeaderType<H> type, Clock clock, Duration clockDrift) {
    this.type = Objects.requireNonNull(type, "type == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.clockDrift = Objects.requireNonNull(clockDrift, "clockDrift == null");
    if (clockDrift.isNegative()) {
      throw new IllegalArgumentException("clockDrift is negative: " + clockDrift);
    }
  }

  /** {@return the header type this verification delegates to} */
  public HeaderType<H> type() {
    return type;
  }

  /** {@return the clock used for the from-the-future check} */
  public Clock clock() {
    return clock;
  }

  /**
   * Verifies {@code untrusted} against {@code trusted}.
   *
   * @param trusted a header already trusted, e.g. the store head
   * @param untrusted a header above it to check
   * @throws VerifyException if any check fails; see the class comment for which are soft
   */
  public void verify(H trusted, H untrusted) {
    Objects.requireNonNull(trusted, "trusted == null");
    Objects.requireNonNull(untrusted, "untrusted == null");
    checkMandatory(trusted, untrusted);
    if (!type.verifiesNonAdjacent() && untrusted.height() != trusted.height() + 1) {
      throw new VerifyException(
          VerifyException.Reason.NON_ADJACENT_UNSUPPORTED,
          type.name() + " " + untrusted.height() + " against " + trusted.height(),
          true);
    }
    try {
      type.verify(trusted, untrusted);
    } catch (VerifyException e) {
      boolean adjacent = untrusted.height() == trusted.height() + 1;
      throw adjacent ? e : e.asSoft();
    } catch (RuntimeException e) {
      // A type check that fails with anything else still fails verification, never escapes it.
      VerifyException v =
          new VerifyException(
              VerifyException.Reason.TYPE_CHECK,
              String.valueOf(e.getMessage()),
              untrusted.height() != trusted.height() + 1);
      v.initCause(e);
      throw v;
    }
  }

  /**
   * Verifies a range against {@code trusted}: the first header may be non-adjacent to {@code
   * trusted}, every later one must follow its predecessor by exactly one height. Stops at the first
   * failure and returns the headers verified before it together with the failure, as go-header's
   * {@code VerifyRange}.
   *
   * @param trusted a header already trusted, below the range
   * @param range the headers, in height order
   * @return the headers verified and the failure that stopped verification, if any; verification of
   *     an empty range fails with {@link VerifyException.Reason#EMPTY_RANGE}
   */
  public RangeResult<H> verifyRange(H trusted, List<? extends H> range) {
    Objects.requireNonNull(trusted, "trusted == null");
    Objects.requireNonNull(range, "range == null");
    if (range.isEmpty()) {
      return new RangeResult<>(
          List.of(), new VerifyException(VerifyException.Reason.EMPTY_RANGE, "", false));
    }
    List<H> verified = new ArrayList<>(range.size());
    H current = trusted;
    for (int i = 0; i < range.size(); i++) {
      H next = Objects.requireNonNull(range.get(i), "range contains null");
      try {
        verify(current, next);
      } catch (VerifyException e) {
        // A type that cannot judge non-adjacent pairs: the first header passed the mandatory
        // checks,
        // and the rest of the range is verified adjacently from it (the caller links the first).
        if (i > 0 || e.reason() != VerifyException.Reason.NON_ADJACENT_UNSUPPORTED) {
          return new RangeResult<>(verified, e);
        }
      }
      if (i > 0 && current.height() + 1 != next.height()) {
        String detail =
            "trusted: "
                + current.height()
                + ", expected_untrusted: "
                + (current.height() + 1)
                + ", received_untrusted: "
                + next.height();
        return new RangeResult<>(
            verified,
            new VerifyException(VerifyException.Reason.NON_ADJACENT_RANGE, detail, false));
      }
      verified.add(next);
      current = next;
    }
    return new RangeResult<>(verified, null);
  }

  /**
   * go-header's mandatory checks alone (zero header, chain id, known header, unordered time, from
   * the future), without the type's own check: what can be said of a non-adjacent pair whose type
   * does not {@linkplain HeaderType#verifiesNonAdjacent() verify non-adjacently}.
   *
   * @param trusted a header already trusted
   * @param untrusted a header above it
   * @throws VerifyException (hard) if one fails
   */
  public void verifyMandatory(H trusted, H untrusted) {
    Objects.requireNonNull(trusted, "trusted == null");
    Objects.requireNonNull(untrusted, "untrusted == null");
    checkMandatory(trusted, untrusted);
  }

  private void checkMandatory(H trusted, H untrusted) {
    if (trusted.isZero() || untrusted.isZero()) {
      throw new VerifyException(VerifyException.Reason.ZERO_HEADER, "", false);
    }
    if (!untrusted.chainId().equals(trusted.chainId())) {
      throw new VerifyException(
          VerifyException.Reason.WRONG_CHAIN_ID,
          "'" + untrusted.chainId() + "' != '" + trusted.chainId() + "'",
          false);
    }
    if (untrusted.height() <= trusted.height()) {
      throw new VerifyException(
          VerifyException.Reason.KNOWN_HEADER,
          "'" + untrusted.height() + "' <= current '" + trusted.height() + "'",
          false);
    }
    Instant untrustedTime = untrusted.time();
    if (untrustedTime.isBefore(trusted.time())) {
      throw new VerifyException(
          VerifyException.Reason.UNORDERED_TIME,
          "timestamp '" + format(untrustedTime) + "' < current '" + format(trusted.time()) + "'",
          false);
    }
    Instant now = clock.instant();
    if (untrustedTime.isAfter(now.plus(clockDrift))) {
      throw new VerifyException(
          VerifyException.Reason.FROM_FUTURE,
          "timestamp '"
              + format(untrustedTime)
              + "' > now '"
              + format(now)
              + "', clock_drift '"
              + clockDrift
              + "'",
          false);
    }
  }

  private static String format(Instant t) {
    return RFC3339.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The outcome of {@link #verifyRange}: the verified prefix and, if verification stopped early,
   * why.
   *
   * @param <H> the header type
   */
  public static final class RangeResult<H extends Header> {
    private final List<H> verified;
    private final VerifyException error;

    RangeResult(List<H> verified, VerifyException error) {
      this.verified = List.copyOf(verified);
      this.error = error;
    }

    /** {@return the headers verified before the first failure; all of them on success} */
    public List<H> verified() {
      return verified;
    }

    /** {@return the failure that stopped verification, if any} */
    public Optional<VerifyException> error() {
      return Optional.ofNullable(error);
    }

    /** {@return true when every header verified} */
    public boolean isComplete() {
      return error == null;
    }
  }
}
