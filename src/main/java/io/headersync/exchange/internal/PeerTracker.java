package io.headersync.exchange.internal;

import io.headersync.exchange.PeerFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The peers the exchange client may ask for headers, with a score for each.
 *
 * <p>Only peers that support the exchange protocol (identify says so) are tracked, which go-header
 * does not check. The score is an exponentially weighted moving average of measured throughput in
 * headers per second; failures scale it down (NOT_FOUND by 20% as go-header, timeouts and resets by
 * half). Peers start at {@link #DEFAULT_SCORE}. A disconnected peer keeps its score for {@code
 * retention} in case it returns, then is forgotten. At most {@code maxPeers} peers are tracked
 * (connected and disconnected together); when full, the oldest disconnected peer makes room, and a
 * new peer is refused when all are connected.
 *
 * <p>Thread-safe; every method is short and never blocks.
 *
 * @param <P> the peer identity type
 */
public final class PeerTracker<P> {
  /** The score of a peer not measured yet (go-header's {@code defaultScore}). */
  public static final double DEFAULT_SCORE = 1.0;

  /** Weight of a new throughput sample in the moving average. */
  static final double EWMA_ALPHA = 0.3;

  private final Clock clock;
  private final int maxPeers;
  private final Duration retention;
  private final BiConsumer<P, String> blocker;
  private final Map<P, Entry> peers = new LinkedHashMap<>();

  /**
   * @param clock time source for retention
   * @param maxPeers the most peers tracked, connected or not; positive
   * @param retention how long a disconnected peer's score is kept
   * @param blocker called (on the caller's thread) when a peer is blocked, with the reason; it
   *     should block the peer in the connection gater and close its connections
   */
  public PeerTracker(Clock clock, int maxPeers, Duration retention, BiConsumer<P, String> blocker) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
    if (maxPeers <= 0) {
      throw new IllegalArgumentException("maxPeers must be positive: " + maxPeers);
    }
    this.maxPeers = maxPeers;
    this.retention = Objects.requireNonNull(retention, "retention == null");
    this.blocker = Objects.requireNonNull(blocker, "blocker == null");
  }

  /** A peer that supports the exchange protocol connected. Returns false when there is no room. */
  public synchronized boolean connected(P peer) {
    Objects.requireNonNull(peer, "peer == null");
    Entry e = peers.get(peer);
    if (e != null) {
      e.connected = true;
      e.disconnectedAt = null;
      return true;
    }
    if (peers.size() >= maxPeers && !evictOneDisconnected()) {
      return false;
    }
    peers.put(peer, new Entry());
    return true;
  }

  /** A peer disconnected; its score is kept for the retention period. */
  public synchronized void disconnected(P peer) {
    Entry e = peers.get(peer);
    if (e != null && e.connected) {
      e.connected = false;
      e.disconnectedAt = clock.instant();
    }
  }

  /** Connected peers, best score first (ties keep the order peers connected in). */
  public synchronized List<P> usablePeers() {
    pruneExpired();
    List<Map.Entry<P, Entry>> list = new ArrayList<>();
    for (Map.Entry<P, Entry> e : peers.entrySet()) {
      if (e.getValue().connected) {
        list.add(e);
      }
    }
    list.sort(Comparator.comparingDouble((Map.Entry<P, Entry> e) -> e.getValue().score).reversed());
    List<P> out = new ArrayList<>(list.size());
    for (Map.Entry<P, Entry> e : list) {
      out.add(e.getKey());
    }
    return out;
  }

  /** The peer's score, or {@link Double#NaN} if it is not tracked. */
  public synchronized double score(P peer) {
    Entry e = peers.get(peer);
    return e == null ? Double.NaN : e.score;
  }

  /** Number of tracked peers that are disconnected, their scores kept for the retention period. */
  public synchronized int disconnectedCount() {
    pruneExpired();
    int n = 0;
    for (Entry e : peers.values()) {
      if (!e.connected) {
        n++;
      }
    }
    return n;
  }

  /** Number of peers tracked, connected or not. */
  public synchronized int size() {
    return peers.size();
  }

  /** A request to {@code peer} returned {@code headers} headers after {@code latency}. */
  public synchronized void onSuccess(P peer, int headers, Duration latency) {
    Entry e = peers.get(peer);
    if (e == null || headers <= 0) {
      return;
    }
    double seconds = Math.max(latency.toNanos(), 1_000_000L) / 1e9; // floor at 1 ms
    double sample = headers / seconds;
    e.score = e.measured ? (1 - EWMA_ALPHA) * e.score + EWMA_ALPHA * sample : sample;
    e.measured = true;
  }

  /**
   * A request to {@code peer} failed. {@link PeerFailure#INVALID} blocks the peer (see {@link
   * #block}); the others lower its score.
   */
  public void onFailure(P peer, PeerFailure failure, String reason) {
    if (failure == PeerFailure.INVALID) {
      block(peer, reason);
      return;
    }
    synchronized (this) {
      Entry e = peers.get(peer);
      if (e == null) {
        return;
      }
      switch (failure) {
        case NOT_FOUND:
        case SOFT_VERIFICATION:
          e.score *= 0.8;
          break;
        default:
          e.score *= 0.5;
          break;
      }
    }
  }

  /**
   * Forgets {@code peer} and asks the blocker to block it. Idempotent: a peer that is not tracked
   * (e.g. already blocked) is not blocked again.
   *
   * @return true if the peer was tracked and is now blocked
   */
  public boolean block(P peer, String reason) {
    synchronized (this) {
      if (peers.remove(peer) == null) {
        return false;
      }
    }
    blocker.accept(peer, reason);
    return true;
  }

  private void pruneExpired() {
    Instant now = clock.instant();
    Iterator<Entry> it = peers.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (!e.connected
          && e.disconnectedAt != null
          && !now.isBefore(e.disconnectedAt.plus(retention))) {
        it.remove();
      }
    }
  }

  private boolean evictOneDisconnected() {
    pruneExpired();
    P oldest = null;
    Instant oldestAt = null;
    for (Map.Entry<P, Entry> e : peers.entrySet()) {
      Instant at = e.getValue().disconnectedAt;
      if (!e.getValue().connected && (oldestAt == null || at.isBefore(oldestAt))) {
        oldest = e.getKey();
        oldestAt = at;
      }
    }
    if (oldest == null) {
      return false;
    }
    peers.remove(oldest);
    return true;
  }

  private static final class Entry {
    double score = DEFAULT_SCORE;
    boolean measured;
    boolean connected = true;
    Instant disconnectedAt;
  }
}
