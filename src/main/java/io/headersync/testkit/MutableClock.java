package io.headersync.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A {@link Clock} a test moves by hand, for the components that take a clock ({@code
 * HeaderSyncService.Builder.clock}, {@code Syncer}, {@code PubSub}, header validation). Its zone is
 * UTC. Thread-safe: components may read it from any thread while the test advances it.
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
 * clock.advance(Duration.ofSeconds(5));
 * }</pre>
 */
public final class MutableClock extends Clock {
  private volatile Instant now;

  /**
   * A clock that reads {@code start} until moved.
   *
   * @param start the first instant it reads
   */
  public MutableClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start == null");
  }

  /**
   * Moves the clock forward (or back, for a negative duration) by {@code d}.
   *
   * @param d how far to move
   */
  public synchronized void advance(Duration d) {
    now = now.plus(Objects.requireNonNull(d, "d == null"));
  }

  /**
   * Sets the clock to {@code t}.
   *
   * @param t the instant it reads from now on
   */
  public synchronized void set(Instant t) {
    now = Objects.requireNonNull(t, "t == null");
  }

  /** The current instant, as last set or advanced. */
  @Override
  public Instant instant() {
    return now;
  }

  /** UTC. */
  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** This clock: its zone does not change what it reads. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
