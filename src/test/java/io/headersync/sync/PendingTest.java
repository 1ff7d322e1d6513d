package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded pending set: go-header's {@code ranges} rules plus our bounds. */
class PendingTest {
  private final List<DummyHeader> chain =
      new DummyChain(Instant.parse("2026-01-01T00:00:00Z")).next(200);

  private DummyHeader h(long height) {
    return chain.get((int) height - 1);
  }

  @Test
  void refusesHeadersAtOrBelowTheHighest() {
    Pending<DummyHeader> p = new Pending<>(10, 1_000);
    assertNull(p.highest());
    assertEquals(0, p.add(h(20), 10));
    assertEquals(-1, p.add(h(20), 10));
    assertEquals(-1, p.add(h(15), 10));
    assertEquals(h(20), p.highest());
    assertEquals(1, p.size());
  }

  @Test
  void evictsTheLowestBeyondItsSizeAndNeverTheTarget() {
    Pending<DummyHeader> p = new Pending<>(3, 1_000);
    for (long height = 11; height <= 15; height++) {
      p.add(h(height), 10);
    }
    assertEquals(3, p.size());
    assertEquals(13, p.lowestAbove(10));
    assertEquals(h(15), p.highest());
  }

  @Test
  void dropsHeadersFarAheadOfTheStoreExceptTheTarget() {
    Pending<DummyHeader> p = new Pending<>(100, 50);
    p.add(h(20), 10);
    p.add(h(70), 10); // beyond the window of 50, but the target
    assertEquals(2, p.size());
    assertEquals(1, p.add(h(150), 10)); // 70 is no longer the target and is beyond 60: dropped
    assertEquals(List.of(h(20)), p.run(20, 150));
    assertEquals(150, p.lowestAbove(20));
  }

  @Test
  void runsAreContiguousAndBoundedByTheTarget() {
    Pending<DummyHeader> p = new Pending<>(100, 1_000);
    for (long height : new long[] {11, 12, 13, 15, 16}) {
      p.add(h(height), 10);
    }
    assertEquals(List.of(h(11), h(12), h(13)), p.run(11, 16));
    assertEquals(List.of(h(11), h(12)), p.run(11, 12));
    p.dropAtOrBelow(12);
    assertEquals(13, p.lowestAbove(0));
    p.remove(13);
    assertEquals(15, p.lowestAbove(0));
  }
}
