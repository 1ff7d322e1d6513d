package io.headersync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void reproducesTheDelaysEachRetryLoopHadBefore() {
    // HeaderSyncService's initial fetch: 1 s doubling to 10 s.
    assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L), millis(s(1), s(10), 6));
    // Syncer jobs (SyncerOptions defaults): 500 ms doubling to 30 s.
    assertEquals(
        List.of(500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L),
        millis(ms(500), s(30), 8));
    // P2PClient seed re-dials (P2PConfig defaults): 1 s doubling to 30 s.
    assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L), millis(s(1), s(30), 6));
    // RangeSession chunk retries (and Exchange's range sessions): 50 ms doubling to 2 s.
    assertEquals(
        List.of(50L, 100L, 200L, 400L, 800L, 1_600L, 2_000L, 2_000L), millis(ms(50), s(2), 8));
  }

  @Test
  void isCappedAtEveryStepAndSafeForHugeAttemptCounts() {
    Backoff b = Backoff.exponential(Duration.ofNanos(3), s(30));
    assertEquals(s(30), b.delay(Integer.MAX_VALUE));
    assertEquals(Duration.ofNanos(3L << 20), b.delay(21));
    Backoff forever = Backoff.exponential(s(1), Duration.ofSeconds(Long.MAX_VALUE));
    assertEquals(Duration.ofNanos(Long.MAX_VALUE), forever.delay(Integer.MAX_VALUE));
    // Zero never grows and a multiplier of 1 is constant: both return at once for any attempt.
    assertEquals(Duration.ZERO, Backoff.exponential(Duration.ZERO, s(1)).delay(Integer.MAX_VALUE));
    assertEquals(
        ms(7), Backoff.exponential(ms(7), s(1)).withMultiplier(1).delay(Integer.MAX_VALUE));
    assertEquals(ms(7), Backoff.exponential(ms(7), ms(7)).delay(5));
  }

  @Test
  void anotherMultiplier() {
    Backoff b = Backoff.exponential(ms(100), s(1)).withMultiplier(1.5);
    assertEquals(
        List.of(
            ms(100),
            ms(150),
            ms(225),
            Duration.ofNanos(337_500_000),
            Duration.ofNanos(506_250_000),
            Duration.ofNanos(759_375_000),
            s(1)),
        delays(b, 7));
  }

  @Test
  void jitterIsDrawnFromTheInjectedRandomAndNeverExceedsTheDelay() {
    Backoff plain = Backoff.exponential(ms(50), s(2));
    Backoff a = plain.withJitter(0.5, new Random(42));
    Backoff b = plain.withJitter(0.5, new Random(42));
    List<Duration> first = delays(a, 10);
    assertEquals(first, delays(b, 10), "the same seed gives the same delays");
    for (int n = 1; n <= 10; n++) {
      Duration d = first.get(n - 1);
      Duration full = plain.delay(n);
      assertTrue(
          d.compareTo(full) <= 0 && d.compareTo(full.dividedBy(2)) >= 0,
          n + ": " + d + " vs " + full);
    }
    assertEquals(delays(plain, 10), delays(plain.withJitter(0, new Random(1)), 10));
  }

  @Test
  void refusesNonsenseNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(s(2), s(1)));
    assertTrue(e.getMessage().contains("max PT1S is below the initial delay PT2S"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(ms(-1), s(1)));
    Backoff b = Backoff.exponential(ms(1), s(1));
    assertThrows(IllegalArgumentException.class, () -> b.withMultiplier(0.5));
    assertThrows(IllegalArgumentException.class, () -> b.withMultiplier(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> b.withJitter(1.5, new Random(1)));
    e = assertThrows(IllegalArgumentException.class, () -> b.delay(0));
    assertTrue(e.getMessage().contains("attempt must be >= 1: 0"), e.getMessage());
  }

  private static List<Long> millis(Duration initial, Duration max, int n) {
    List<Long> out = new ArrayList<>();
    for (Duration d : delays(Backoff.exponential(initial, max), n)) {
      out.add(d.toMillis());
    }
    return out;
  }

  private static List<Duration> delays(Backoff b, int n) {
    List<Duration> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(b.delay(i));
    }
    return out;
  }

  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
