package io.headersync.exchange.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.exchange.PeerFailure;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerTrackerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<String> blocked = new ArrayList<>();
  private final PeerTracker<String> tracker =
      new PeerTracker<>(
          clock, 3, Duration.ofHours(1), (p, reason) -> blocked.add(p + ": " + reason));

  @Test
  void ordersPeersByMeasuredThroughput() {
    tracker.connected("slow");
    tracker.connected("fast");
    tracker.onSuccess("slow", 64, Duration.ofMillis(640));
    tracker.onSuccess("fast", 64, Duration.ofMillis(64));
    assertEquals(List.of("fast", "slow"), tracker.usablePeers());
    assertEquals(1000.0, tracker.score("fast"), 1e-9);
  }

  @Test
  void movingAverageSmoothsSamples() {
    tracker.connected("a");
    tracker.onSuccess("a", 100, Duration.ofSeconds(1));
    tracker.onSuccess("a", 200, Duration.ofSeconds(1));
    assertEquals(0.7 * 100 + 0.3 * 200, tracker.score("a"), 1e-9);
  }

  @Test
  void failuresLowerTheScoreAndInvalidAnswersBlock() {
    tracker.connected("a");
    tracker.onFailure("a", PeerFailure.NOT_FOUND, "x");
    assertEquals(0.8, tracker.score("a"), 1e-9);
    tracker.onFailure("a", PeerFailure.TIMEOUT, "x");
    assertEquals(0.4, tracker.score("a"), 1e-9);
    tracker.onFailure("a", PeerFailure.INVALID, "bad header");
    assertEquals(List.of("a: bad header"), blocked);
    assertTrue(tracker.usablePeers().isEmpty());
    tracker.onFailure("a", PeerFailure.INVALID, "again");
    assertEquals(1, blocked.size(), "blocking is idempotent");
  }

  @Test
  void keepsScoreOfDisconnectedPeerUntilRetentionEnds() {
    tracker.connected("a");
    tracker.onSuccess("a", 50, Duration.ofSeconds(1));
    tracker.disconnected("a");
    assertTrue(tracker.usablePeers().isEmpty());
    clock.advance(Duration.ofMinutes(59));
    tracker.connected("a");
    assertEquals(50.0, tracker.score("a"), 1e-9, "score kept across a reconnect");
    tracker.disconnected("a");
    clock.advance(Duration.ofHours(1));
    tracker.usablePeers();
    assertTrue(Double.isNaN(tracker.score("a")), "forgotten after the retention period");
  }

  @Test
  void isBoundedAndMakesRoomFromDisconnectedPeers() {
    assertTrue(tracker.connected("a"));
    assertTrue(tracker.connected("b"));
    assertTrue(tracker.connected("c"));
    assertFalse(tracker.connected("d"), "full of connected peers");
    tracker.disconnected("b");
    assertTrue(tracker.connected("d"), "the disconnected peer makes room");
    assertEquals(3, tracker.size());
    assertEquals(List.of("a", "c", "d"), tracker.usablePeers());
  }
}
