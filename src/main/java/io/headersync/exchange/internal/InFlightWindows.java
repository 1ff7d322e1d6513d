package io.headersync.exchange.internal;

import io.headersync.exchange.PeerFailure;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How many range requests each peer may have in flight: an adaptive window per peer, sized from the
 * peer's measured bandwidth-delay product, and the range session's window (chunks requested ahead
 * of the next undelivered height) sized from the peers' windows. Both stay within hard bounds.
 *
 * <p>Per peer, from every completed request: the round-trip time (send to answer; smoothed as TCP's
 * {@code srtt}, and the minimum over the last {@link #MIN_RTT_WINDOW_NANOS}), and the delivery rate
 * in headers per second measured as BBR does (headers delivered between this request's send and its
 * answer, over that interval), with the largest rate of the last {@link #RATE_ROUNDS} rounds kept.
 * A <em>round</em> ends when a request sent after the previous round ended is answered, i.e. about
 * once per round trip.
 *
 * <ul>
 *   <li><b>Start-up</b>: every peer starts at {@code initialDepth}; while the peer's window is full
 *       (it was filled since the request was sent), each answer adds one request, which doubles the
 *       window per round trip, as TCP's slow start. Start-up ends when the delivery rate stopped
 *       growing by {@link #FULL_RATE_GROWTH} for {@link #FULL_RATE_ROUNDS} rounds (BBR's full-pipe
 *       check), when an answer's round trip exceeds the smallest by an eighth of it (at least 4 ms,
 *       at most 16 ms; the threshold of HyStart++'s delay check: the requests now queue somewhere),
 *       or on a failure. Leaving start-up early costs little: after it the window still doubles per
 *       round trip while the round trip stays near its minimum (see below).
 *   <li><b>After start-up</b>: the window moves towards {@link #GAIN} (1.25) times the
 *       bandwidth-delay product, {@code maxRate * minRtt / chunkSize} requests, plus {@link
 *       #HEADROOM}, but not below {@code initialDepth} (a failure can take it lower, down to {@code
 *       minDepth}): up by one per answer while the window is full, down by one per answer. While
 *       the path is latency-bound (the round trip stays near its minimum) the measured product
 *       grows with the window, so the window keeps growing by a quarter per round trip; once
 *       requests queue (the round trip grows, the rate does not) it settles where they queue for
 *       about a quarter of the smallest round trip.
 *   <li><b>Pacing</b> (windows above {@link #UNPACED_WINDOW}): requests leave at most {@link
 *       #PACING_GAIN} windows per smallest round trip ({@link #STARTUP_PACING_GAIN} in start-up), a
 *       few back to back ({@link #PACING_BURST}, or a quarter of the window), so that a stall on
 *       our side (a slow sink, a pause) does not hand the peer a burst of requests at once: a
 *       server refuses requests past a per-peer limit (ours 32 at once, go-libp2p's resource
 *       manager 64 streams per protocol). The session arms a timer for a peer that only pacing
 *       holds back ({@link #pacingDelayNanos}).
 *   <li><b>Back-off</b>: a timeout or a reset halves the window (at most once per round: only a
 *       request sent after the last decrease can decrease it again) and ends start-up; the window
 *       then grows by one per answer up to {@link #CEILING_SHARE} of where it failed, and above
 *       that by one request per round (TCP's congestion avoidance). Other failures (NOT_FOUND,
 *       invalid answers) say nothing about capacity and only free the slot.
 *   <li><b>Bounds</b>: a peer's window is always within {@code [minDepth, maxDepth]}. The session's
 *       window is {@link #SESSION_GAIN} times the sum of its usable peers' windows (requests in
 *       flight, and as many answered chunks waiting for a lower one), within {@code
 *       [minWindowChunks, maxWindowChunks]}: so at most {@code maxWindowChunks * chunkSize} headers
 *       are buffered.
 * </ul>
 *
 * <p>Time comes from the injected {@link Clock}. Not thread-safe: the range session calls it under
 * its lock. Peers are remembered for the session's life (at most the tracker's peers).
 *
 * @param <P> the peer identity type
 */
final class InFlightWindows<P> {
  /**
   * The window after start-up, in bandwidth-delay products (plus {@link #HEADROOM}). More than 1
   * keeps the path full while the round trip varies and lets a latency-bound window grow; little
   * more, so that requests queue at the peer for at most about a quarter of the round trip (a
   * server limits the requests it holds per peer). BBR uses 2 for its cap, but paces at 1.
   */
  static final double GAIN = 1.25;

  /** Sends are paced at this many windows per smallest round trip after start-up... */
  static final double PACING_GAIN = 1.25;

  /** ... and at this many during start-up, so that the window may double per round trip. */
  static final double STARTUP_PACING_GAIN = 2.0;

  /**
   * Windows up to this many requests are not paced: a whole window at once is within what a server
   * accepts from one peer (ours: 32 requests), and near peers (small windows) pay no timer
   * wake-ups.
   */
  static final int UNPACED_WINDOW = 32;

  /**
   * Requests that may leave back to back before pacing spaces them (or a quarter of the window, if
   * more).
   */
  static final int PACING_BURST = 4;

  /** Requests added to the window after start-up, for jitter when the product is a few requests. */
  static final int HEADROOM = 2;

  /**
   * After a back-off, the window grows fast again up to this share of where it failed, then by one
   * per round.
   */
  static final double CEILING_SHARE = 0.85;

  /** The session's window, in sums of the peers' windows. */
  static final int SESSION_GAIN = 2;

  /** Rounds whose largest delivery rate is remembered. */
  static final int RATE_ROUNDS = 10;

  /** How long the smallest round trip is remembered before a new sample replaces it. */
  static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;

  /**
   * Start-up goes on while the rate grows by this factor within {@link #FULL_RATE_ROUNDS} rounds.
   */
  static final double FULL_RATE_GROWTH = 1.25;

  /** Rounds without {@link #FULL_RATE_GROWTH} after which start-up ends. */
  static final int FULL_RATE_ROUNDS = 2;

  /**
   * The delay check's threshold: a round trip above the smallest by this share of it (4 to 16 ms).
   */
  static final int RTT_GROWTH_DIVISOR = 8;

  static final long RTT_GROWTH_MIN_NANOS = 4_000_000L;
  static final long RTT_GROWTH_MAX_NANOS = 16_000_000L;

  /**
   * The bounds: every value at least 1, {@code minDepth <= initialDepth <= maxDepth}, {@code
   * minWindowChunks <= maxWindowChunks}.
   */
  record Limits(
      int chunkSize,
      int minDepth,
      int initialDepth,
      int maxDepth,
      int minWindowChunks,
      int maxWindowChunks) {
    Limits {
      if (chunkSize < 1 || minDepth < 1 || minWindowChunks < 1) {
        throw new IllegalArgumentException(
            "chunkSize, minDepth and minWindowChunks must be positive");
      }
      if (initialDepth < minDepth || initialDepth > maxDepth) {
        throw new IllegalArgumentException(
            "depths must be min <= initial <= max: "
                + minDepth
                + ", "
                + initialDepth
                + ", "
                + maxDepth);
      }
      if (maxWindowChunks < minWindowChunks) {
        throw new IllegalArgumentException(
            "maxWindowChunks " + maxWindowChunks + " below minWindowChunks " + minWindowChunks);
      }
    }

    /** A fixed depth and window: nothing adapts. */
    static Limits fixed(int chunkSize, int depth, int windowChunks) {
      return new Limits(chunkSize, depth, depth, depth, windowChunks, windowChunks);
    }
  }

  /** One request in flight: what the window needs to account for its answer. */
  final class Ticket {
    final long seq;
    final long sentNanos;
    final long deliveredAtSend;
    final long deliveredNanosAtSend;
    private final Peer peer;
    private boolean done;

    private Ticket(Peer peer, long seq, long sentNanos) {
      this.peer = peer;
      this.seq = seq;
      this.sentNanos = sentNanos;
      this.deliveredAtSend = peer.delivered;
      this.deliveredNanosAtSend = peer.deliveredNanos;
    }
  }

  /** What the window knows of one peer, for tests and diagnostics. */
  record Snapshot(
      int window,
      int inFlight,
      boolean startup,
      double smoothedRttMillis,
      double minRttMillis,
      double maxRate,
      long rounds) {}

  private final Limits limits;

  /** Whether sends are paced: only when the window adapts (fixed limits behave as before). */
  private final boolean pacing;

  private final Clock clock;
  private final Map<P, Peer> peers = new HashMap<>();

  InFlightWindows(Limits limits, Clock clock) {
    this.limits = Objects.requireNonNull(limits, "limits == null");
    this.pacing = limits.maxDepth() > limits.minDepth();
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  Limits limits() {
    return limits;
  }

  /** Whether {@code peer} may be sent another request now. */
  boolean hasRoom(P peer) {
    Peer p = peers.get(peer);
    if (p == null || p.inFlight == 0) {
      return true;
    }
    if (p.inFlight < p.window()
        && (!pacing || p.window() <= UNPACED_WINDOW || p.nextSendNanos <= nanos())) {
      return true;
    }
    // A request waits for this peer's window or pacing: what its answers measure is the peer's
    // capacity, not a session short of work.
    p.lastFullSeq = p.sendSeq - 1;
    return false;
  }

  /**
   * How long until pacing lets {@code peer} be sent another request, when only pacing holds it back
   * (its window has room); else -1. The session arms a timer for it.
   */
  long pacingDelayNanos(P peer) {
    Peer p = peers.get(peer);
    if (!pacing
        || p == null
        || p.inFlight == 0
        || p.inFlight >= p.window()
        || p.window() <= UNPACED_WINDOW) {
      return -1;
    }
    long wait = p.nextSendNanos - nanos();
    return wait > 0 ? wait : -1;
  }

  /** The peer's window: requests it may have in flight. */
  int window(P peer) {
    Peer p = peers.get(peer);
    return p == null ? limits.initialDepth : p.window();
  }

  /** Requests in flight to the peer. */
  int inFlight(P peer) {
    Peer p = peers.get(peer);
    return p == null ? 0 : p.inFlight;
  }

  /**
   * The session's window in chunks: {@link #SESSION_GAIN} times the sum of the windows of {@code
   * usable} (the peers requests may go to), within the limits.
   */
  int sessionWindow(Collection<P> usable) {
    long sum = 0;
    for (P peer : usable) {
      sum += window(peer);
      if (sum * SESSION_GAIN >= limits.maxWindowChunks) {
        return limits.maxWindowChunks;
      }
    }
    return (int)
        Math.max(limits.minWindowChunks, Math.min(limits.maxWindowChunks, sum * SESSION_GAIN));
  }

  /** A request goes to {@code peer} now; hand the ticket back with its outcome. */
  Ticket onSend(P peer) {
    Peer p = peers.computeIfAbsent(peer, k -> new Peer());
    long now = nanos();
    if (p.inFlight == 0) {
      // After idling, the rate is measured from this send, not from the last answer long ago.
      p.deliveredNanos = now;
    }
    p.inFlight++;
    Ticket t = new Ticket(p, p.sendSeq++, now);
    if (p.inFlight >= p.window()) {
      p.lastFullSeq = t.seq;
    }
    if (pacing && p.minRttNanos != Long.MAX_VALUE && p.window() > UNPACED_WINDOW) {
      // The window spread over the smallest round trip: pacing never sends slower than the window
      // allows, it only spaces the requests, so that a peer is not handed a burst of them at once.
      double interval =
          p.minRttNanos / ((p.startup ? STARTUP_PACING_GAIN : PACING_GAIN) * p.window());
      // A late timer or answer may catch up a few requests at once: a quarter of the window, at
      // least 4.
      int burst = Math.max(PACING_BURST, p.window() / 4);
      double base = Math.max(p.nextSendNanos, now - (burst - 1) * interval);
      p.nextSendNanos = (long) (base + interval);
    }
    return t;
  }

  /** The request was answered with {@code headers} headers. */
  void onSuccess(Ticket t, int headers) {
    Peer p = release(t);
    if (p == null) {
      return;
    }
    long now = nanos();
    long rtt = Math.max(1_000, now - t.sentNanos);
    p.sampleRtt(rtt, now);
    p.delivered += Math.max(0, headers);
    long interval = Math.max(rtt, now - t.deliveredNanosAtSend);
    double rate = (p.delivered - t.deliveredAtSend) * 1e9 / interval;
    p.deliveredNanos = now;
    // The window, not the session, limited sending when it was filled at or after this request's
    // send; otherwise the sample says less about the path (BBR's "application-limited").
    boolean windowLimited = p.lastFullSeq >= t.seq;
    if (windowLimited || rate > p.maxRate()) {
      p.roundRate = Math.max(p.roundRate, rate);
    }
    p.roundWindowLimited |= windowLimited;
    if (p.startup
        && rtt
            > p.minRttNanos
                + Math.max(
                    RTT_GROWTH_MIN_NANOS,
                    Math.min(RTT_GROWTH_MAX_NANOS, p.minRttNanos / RTT_GROWTH_DIVISOR))) {
      p.startup = false; // the requests queue somewhere: the window is past the path's product
    }
    if (t.seq >= p.roundEndSeq) {
      p.endRound();
    }
    p.grow(windowLimited);
  }

  /** The request failed; a timeout or a reset shrinks the window. */
  void onFailure(Ticket t, PeerFailure failure) {
    Peer p = release(t);
    if (p == null) {
      return;
    }
    if (failure == PeerFailure.TIMEOUT || failure == PeerFailure.RESET) {
      p.backOff(t);
    }
    if (t.seq >= p.roundEndSeq) {
      p.endRound();
    }
  }

  /** The request was abandoned (the session ended): only its slot is freed. */
  void onAbandon(Ticket t) {
    release(t);
  }

  Snapshot snapshot(P peer) {
    Peer p = peers.get(peer);
    if (p == null) {
      return new Snapshot(limits.initialDepth, 0, true, Double.NaN, Double.NaN, 0, 0);
    }
    return new Snapshot(
        p.window(),
        p.inFlight,
        p.startup,
        p.srttNanos / 1e6,
        p.minRttNanos == Long.MAX_VALUE ? Double.NaN : p.minRttNanos / 1e6,
        p.maxRate(),
        p.rounds);
  }

  private Peer release(Ticket t) {
    if (t.done) {
      return null;
    }
    t.done = true;
    Peer p = t.peer;
    if (p.inFlight > 0) {
      p.inFlight--;
    }
    return p;
  }

  private long nanos() {
    Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private final class Peer {
    /** The window, fractional so that growth by one per round is one over the window per answer. */
    double cwnd = limits.initialDepth;

    /** Above this, growth is one request per round; set by a back-off. */
    double ceiling = Double.MAX_VALUE;

    boolean startup = true;
    int inFlight;
    long sendSeq;

    /** Pacing: the earliest time the next request may leave (unless none is in flight). */
    long nextSendNanos = Long.MIN_VALUE / 2;

    /** The sequence number of the last request that filled the window; -1: never filled. */
    long lastFullSeq = -1;

    /** A request with a sequence number at or above this ends the round. */
    long roundEndSeq;

    long rounds;

    /**
     * The smallest request sequence number that may shrink the window (later than the last
     * back-off).
     */
    long backOffSeq;

    long delivered;
    long deliveredNanos;
    double srttNanos = Double.NaN;
    long minRttNanos = Long.MAX_VALUE;
    long minRttStamp;
    double roundRate;
    boolean roundWindowLimited;
    final double[] rateRounds = new double[RATE_ROUNDS];
    int rateIndex;
    double fullRate;
    int roundsWithoutGrowth;

    int window() {
      return (int) Math.max(limits.minDepth, Math.min(limits.maxDepth, Math.floor(cwnd)));
    }

    double maxRate() {
      double max = roundRate;
      for (double r : rateRounds) {
        max = Math.max(max, r);
      }
      return max;
    }

    void sampleRtt(long rtt, long now) {
      srttNanos = Double.isNaN(srttNanos) ? rtt : 0.875 * srttNanos + 0.125 * rtt;
      if (rtt <= minRttNanos || now - minRttStamp > MIN_RTT_WINDOW_NANOS) {
        minRttNanos = rtt;
        minRttStamp = now;
      }
    }

    /** The window after start-up: GAIN bandwidth-delay products, in requests, within the bounds. */
    double target() {
      double rate = maxRate();
      if (rate <= 0 || minRttNanos == Long.MAX_VALUE) {
        return cwnd;
      }
      double bdp = rate * minRttNanos / 1e9 / limits.chunkSize;
      // Never below where every peer starts: a short product (a near peer) gains nothing from a
      // smaller
      // window, and the fixed depth of before was measured as fast as any at zero delay.
      return Math.max(
          limits.initialDepth, Math.min(limits.maxDepth, Math.ceil(GAIN * bdp) + HEADROOM));
    }

    void grow(boolean windowLimited) {
      if (startup) {
        if (windowLimited) {
          cwnd = Math.min(limits.maxDepth, cwnd + 1);
        }
        return;
      }
      double target = target();
      if (cwnd < target) {
        if (windowLimited) {
          // Below the ceiling a back-off left: doubling per round; above it, one request per round.
          cwnd = Math.min(target, cwnd < ceiling ? cwnd + 1 : cwnd + 1 / cwnd);
        }
      } else if (cwnd > target) {
        cwnd = Math.max(target, cwnd - 1);
      }
    }

    void backOff(Ticket t) {
      startup = false;
      if (t.seq < backOffSeq) {
        return; // sent before the last back-off: the same congestion
      }
      ceiling = Math.max(limits.minDepth, Math.floor(cwnd * CEILING_SHARE));
      cwnd = Math.max(limits.minDepth, Math.floor(cwnd / 2));
      backOffSeq = sendSeq;
    }

    void endRound() {
      rounds++;
      roundEndSeq = sendSeq;
      double rate = maxRate();
      rateRounds[rateIndex] = roundRate;
      rateIndex = (rateIndex + 1) % RATE_ROUNDS;
      roundRate = 0;
      if (startup && roundWindowLimited) {
        if (rate >= fullRate * FULL_RATE_GROWTH) {
          fullRate = rate;
          roundsWithoutGrowth = 0;
        } else if (++roundsWithoutGrowth >= FULL_RATE_ROUNDS) {
          startup = false;
        }
      }
      roundWindowLimited = false;
    }
  }
}
