package io.headersync.exchange.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.exchange.PeerFailure;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * The adaptive in-flight windows against simulated peers, on a {@link MutableClock}: each peer has
 * a base round trip and serves one request at a time at a fixed rate (requests queue at the peer),
 * so both the delay and the bandwidth of the path are known and the outcome is deterministic.
 */
class InFlightWindowsTest {
  private static final int CHUNK = 64;
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * The exchange's defaults: start at 16, between 1 and 128 per peer; session window 64..256
   * chunks.
   */
  private static final InFlightWindows.Limits DEFAULTS =
      new InFlightWindows.Limits(CHUNK, 1, 16, 128, 64, 256);

  private final MutableClock clock = new MutableClock(T0);

  /** A peer with a base round trip and a service rate in headers per second. */
  private static final class SimPeer {
    final String id;
    final long rttNanos;
    final double rate;
    long busyUntil;
    long wakeAt;
    int requests;
    int maxInFlight;

    SimPeer(String id, Duration rtt, double rate) {
      this.id = id;
      this.rttNanos = rtt.toNanos();
      this.rate = rate;
    }
  }

  private record Answer(long at, long order, SimPeer peer, InFlightWindows<String>.Ticket ticket)
      implements Comparable<Answer> {
    @Override
    public int compareTo(Answer o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
    }
  }

  /**
   * Sends to the peers (first listed first) while their windows have room; answers in time order.
   */
  private final class Sim {
    final InFlightWindows<String> windows;
    final List<SimPeer> peers;
    final PriorityQueue<Answer> answers = new PriorityQueue<>();

    /** Answers to turn into timeouts instead, by peer, while positive. */
    final Map<String, Integer> timeouts = new HashMap<>();

    long order;
    long delivered;
    int maxSessionWindow;

    Sim(InFlightWindows.Limits limits, SimPeer... peers) {
      this.windows = new InFlightWindows<>(limits, clock);
      this.peers = List.of(peers);
    }

    long now() {
      Instant i = clock.instant();
      return (i.getEpochSecond() - T0.getEpochSecond()) * 1_000_000_000L + i.getNano();
    }

    void fill() {
      List<String> ids = peers.stream().map(p -> p.id).toList();
      maxSessionWindow = Math.max(maxSessionWindow, windows.sessionWindow(ids));
      for (SimPeer p : peers) {
        while (windows.hasRoom(p.id)) {
          InFlightWindows<String>.Ticket t = windows.onSend(p.id);
          long now = now();
          long start = Math.max(now + p.rttNanos / 2, p.busyUntil);
          p.busyUntil = start + (long) (CHUNK / p.rate * 1e9);
          answers.add(new Answer(p.busyUntil + p.rttNanos / 2, order++, p, t));
          p.requests++;
          p.maxInFlight = Math.max(p.maxInFlight, windows.inFlight(p.id));
          assertTrue(windows.inFlight(p.id) <= DEFAULTS.maxDepth(), "never past the hard bound");
        }
        long wait = windows.pacingDelayNanos(p.id);
        if (wait >= 0
            && p.wakeAt
                <= now()) { // pacing holds the next request: wake then, as the session's timer does
          p.wakeAt = now() + wait;
          answers.add(new Answer(p.wakeAt, order++, p, null));
        }
      }
    }

    /**
     * Runs until {@code seconds} of simulated time passed; returns headers per second over the run.
     */
    double run(double seconds) {
      long start = now();
      long startDelivered = delivered;
      long end = start + (long) (seconds * 1e9);
      fill();
      while (!answers.isEmpty() && answers.peek().at <= end) {
        Answer a = answers.poll();
        clock.set(T0.plusNanos(a.at));
        if (a.ticket == null) {
          fill();
          continue;
        }
        Integer left = timeouts.get(a.peer.id);
        if (left != null && left > 0) {
          timeouts.put(a.peer.id, left - 1);
          windows.onFailure(a.ticket, PeerFailure.TIMEOUT);
        } else {
          windows.onSuccess(a.ticket, CHUNK);
          delivered += CHUNK;
        }
        fill();
      }
      clock.set(T0.plusNanos(end));
      return (delivered - startDelivered) / seconds;
    }
  }

  @Test
  void growsUnderA50MillisecondRoundTripUntilThePathIsFull() {
    // 200k headers/s behind a 50 ms round trip: the bandwidth-delay product is 10,000 headers, 156
    // requests, more than the hard bound of 128.
    SimPeer far = new SimPeer("far", Duration.ofMillis(50), 200_000);
    Sim sim = new Sim(DEFAULTS, far);
    assertEquals(16, sim.windows.window("far"), "starts at perPeerDepth");
    sim.run(0.06);
    assertTrue(
        sim.windows.window("far") >= 32,
        "doubled after one round trip: " + sim.windows.snapshot("far"));
    sim.run(1);
    InFlightWindows.Snapshot s = sim.windows.snapshot("far");
    assertEquals(128, s.window(), "grew to the hard bound: " + s);
    assertEquals(128, far.maxInFlight);
    double rate = sim.run(1);
    // 128 requests per 50 ms round trip (plus 0.32 ms serving each) is 160k headers/s.
    assertTrue(rate > 150_000, "latency-bound at the bound: " + rate);
    assertEquals(50.3, s.minRttMillis(), 0.1);
    assertEquals(
        256, sim.windows.sessionWindow(List.of("far")), "session window: 2 x 128, within 256");
  }

  @Test
  void theFixedDepthOfBeforeIsLatencyBound() {
    SimPeer far = new SimPeer("far", Duration.ofMillis(50), 200_000);
    Sim sim = new Sim(InFlightWindows.Limits.fixed(CHUNK, 16, 64), far);
    sim.run(0.5);
    double rate = sim.run(1);
    assertEquals(16, sim.windows.window("far"));
    assertTrue(rate < 21_000, "16 x 64 headers per 50 ms: " + rate);
  }

  @Test
  void staysSmallWhenThePeerIsTheBottleneckAndNotTheRoundTrip() {
    // 150k headers/s one millisecond away (loopback, CPU-bound): queueing more requests only adds
    // delay. Start-up ends when the round trip grows; the window settles near twice the product.
    SimPeer near = new SimPeer("near", Duration.ofMillis(1), 150_000);
    Sim sim = new Sim(DEFAULTS, near);
    sim.run(2);
    InFlightWindows.Snapshot s = sim.windows.snapshot("near");
    assertFalse(s.startup(), s.toString());
    assertTrue(s.window() <= 16, "no deeper than it started: " + s);
    double rate = sim.run(1);
    assertTrue(rate > 0.97 * 150_000, "still keeps the peer busy: " + rate + ", " + s);
    // Our server serves 32 requests per peer at once by default: start-up stays below.
    assertTrue(near.maxInFlight <= 32, "start-up overshoot bounded: " + near.maxInFlight);
  }

  @Test
  void halvesOnATimeoutOncePerRoundAndGrowsBackSlowly() {
    SimPeer far = new SimPeer("far", Duration.ofMillis(50), 200_000);
    Sim sim = new Sim(DEFAULTS, far);
    sim.run(1);
    assertEquals(128, sim.windows.window("far"));
    // Ten answers of the same flight time out: one back-off, not ten.
    sim.timeouts.put("far", 10);
    sim.run(0.01);
    InFlightWindows.Snapshot after = sim.windows.snapshot("far");
    // 64, then a few answers of the same 10 ms regrow it (below 85% of 128 it grows by one per
    // answer).
    assertTrue(after.window() >= 64 && after.window() < 72, "halved once: " + after);
    assertFalse(after.startup());
    // Fast back to 85% of where it failed (108), then one request per round trip: ~10 in 0.5 s.
    sim.run(0.5);
    int later = sim.windows.window("far");
    assertTrue(later >= 108 && later <= 108 + 12, "additive growth above 85%: " + later);
    // Timeouts again and again: down to the floor, never below.
    for (int i = 0; i < 12; i++) {
      sim.timeouts.put("far", 1_000);
      sim.run(0.1);
    }
    assertEquals(1, sim.windows.window("far"), "the floor, minPerPeerDepth");
    sim.timeouts.clear();
    sim.run(0.2);
    assertTrue(sim.windows.window("far") >= 1);
  }

  @Test
  void aResetHalvesNotFoundDoesNot() {
    InFlightWindows<String> w = new InFlightWindows<>(DEFAULTS, clock);
    List<InFlightWindows<String>.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tickets.add(w.onSend("a"));
    }
    assertFalse(w.hasRoom("a"));
    clock.advance(Duration.ofMillis(5));
    w.onFailure(tickets.get(0), PeerFailure.NOT_FOUND);
    assertEquals(16, w.window("a"));
    assertEquals(15, w.inFlight("a"));
    w.onFailure(tickets.get(1), PeerFailure.INVALID);
    assertEquals(16, w.window("a"));
    w.onFailure(tickets.get(2), PeerFailure.RESET);
    assertEquals(8, w.window("a"));
    w.onFailure(tickets.get(3), PeerFailure.RESET);
    assertEquals(8, w.window("a"), "same flight: halved once");
    w.onAbandon(tickets.get(4));
    w.onAbandon(tickets.get(4));
    assertEquals(11, w.inFlight("a"), "a ticket frees its slot once");
  }

  @Test
  void aSlowPeerGetsFewerRequestsThanAFastOne() {
    // Same 50 ms round trip; "slow" serves a tenth of "fast"'s rate. The slow one is listed first
    // (as if it had the better score), so only the windows keep it from taking as many requests.
    SimPeer slow = new SimPeer("slow", Duration.ofMillis(50), 20_000);
    SimPeer fast = new SimPeer("fast", Duration.ofMillis(50), 200_000);
    Sim sim = new Sim(DEFAULTS, slow, fast);
    sim.run(3);
    int slowWindow = sim.windows.window("slow");
    int fastWindow = sim.windows.window("fast");
    assertTrue(
        slowWindow < fastWindow / 3,
        "slow " + sim.windows.snapshot("slow") + ", fast " + sim.windows.snapshot("fast"));
    assertTrue(
        slow.requests * 5 < fast.requests,
        "requests: slow " + slow.requests + ", fast " + fast.requests);
    // Twice the slow peer's product (20k/s x 50 ms = 16 requests): about 32, not the hard bound.
    assertTrue(slowWindow >= 16 && slowWindow <= 48, sim.windows.snapshot("slow").toString());
    assertEquals(256, sim.maxSessionWindow, "the session window grew to its bound and no further");
  }

  @Test
  void theSessionWindowFollowsThePeersWithinItsBounds() {
    InFlightWindows<String> w = new InFlightWindows<>(DEFAULTS, clock);
    assertEquals(64, w.sessionWindow(List.of()), "the floor with no peer");
    assertEquals(64, w.sessionWindow(List.of("a")), "2 x 16 is below the floor");
    assertEquals(96, w.sessionWindow(List.of("a", "b", "c")));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add("p" + i);
    }
    assertEquals(256, w.sessionWindow(many), "the hard bound");
    InFlightWindows<String> fixed =
        new InFlightWindows<>(InFlightWindows.Limits.fixed(CHUNK, 4, 32), clock);
    assertEquals(32, fixed.sessionWindow(many));
  }
}
