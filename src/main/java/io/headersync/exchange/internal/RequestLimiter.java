package io.headersync.exchange.internal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Admission control for a server: a token bucket and a concurrency count per peer, and a global
 * concurrency count. {@link #tryAcquire} admits a request or says why not; every admitted request
 * must be {@link #release}d once. At most {@code maxPeers} peers are remembered (least recently seen
 * first out; a forgotten peer starts again with a full bucket). Thread-safe.
 *
 * @param <P> the peer identity type
 */
public final class RequestLimiter<P> {
  private final Clock clock;
  private final double ratePerSecond;
  private final int burst;
  private final int maxPerPeer;
  private final int maxTotal;
  private final Map<P, Bucket> buckets;
  private int total;

  public RequestLimiter(Clock clock, double ratePerSecond, int burst, int maxPerPeer, int maxTotal, int maxPeers) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxPerPeer = maxPerPeer;
    this.maxTotal = maxTotal;
    this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<P, Bucket> eldest) {
        return size() > maxPeers && eldest.getValue().inFlight == 0;
      }
    };
  }

  /** Admits a request from {@code peer}; returns null if admitted, else why it was refused. */
  public synchronized String tryAcquire(P peer) {
    if (total >= maxTotal) {
      return "server busy: " + total + " requests in flight (limit " + maxTotal + ")";
    }
    long nowNanos = nanos();
    Bucket b = buckets.computeIfAbsent(peer, p -> new Bucket(burst, nowNanos));
    if (b.inFlight >= maxPerPeer) {
      return "peer has " + b.inFlight + " requests in flight (limit " + maxPerPeer + ")";
    }
    b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) / 1e9 * ratePerSecond);
    b.lastNanos = nowNanos;
    if (b.tokens < 1) {
      return "peer exceeds " + ratePerSecond + " requests/s (burst " + burst + ")";
    }
    b.tokens -= 1;
    b.inFlight++;
    total++;
    return null;
  }

  /** Ends an admitted request. */
  public synchronized void release(P peer) {
    Bucket b = buckets.get(peer);
    if (b != null && b.inFlight > 0) {
      b.inFlight--;
    }
    if (total > 0) {
      total--;
    }
  }

  /** Requests in flight in total. */
  public synchronized int inFlight() {
    return total;
  }

  private long nanos() {
    java.time.Instant t = clock.instant();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static final class Bucket {
    double tokens;
    long lastNanos;
    int inFlight;

    Bucket(double tokens, long lastNanos) {
      this.tokens = tokens;
      this.lastNanos = lastNanos;
    }
  }
}
