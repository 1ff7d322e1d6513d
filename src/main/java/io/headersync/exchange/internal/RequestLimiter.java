package io.headersync.exchange.internal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Admission control for a server, in two phases: a request is admitted to be <em>read</em> ({@link
 * #tryAcquire}: a token bucket and a concurrency count per peer, and a global count of requests
 * being read), then to be <em>served</em> once it was read ({@link #startServing}: a global count
 * of requests being answered). A peer that opens streams and sends nothing only holds reading
 * slots, which expire with the server's read deadline, never the slots honest requests are served
 * from. Every admitted request must be {@link #release}d once. At most {@code maxPeers} peers are
 * remembered (least recently seen first out; a forgotten peer starts again with a full bucket).
 * Thread-safe.
 *
 * @param <P> the peer identity type
 */
public final class RequestLimiter<P> {
  private final Clock clock;
  private final double ratePerSecond;
  private final int burst;
  private final int maxPerPeer;
  private final int maxTotal;
  private final int maxReading;
  private final Map<P, Bucket> buckets;
  private int total;
  private int reading;

  /**
   * @param maxPerPeer requests one peer may have open, read or served
   * @param maxTotal requests being served (read, answered from the store, written)
   * @param maxReading requests still being read
   */
  public RequestLimiter(
      Clock clock,
      double ratePerSecond,
      int burst,
      int maxPerPeer,
      int maxTotal,
      int maxReading,
      int maxPeers) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxPerPeer = maxPerPeer;
    this.maxTotal = maxTotal;
    this.maxReading = maxReading;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<P, Bucket> eldest) {
            return size() > maxPeers && eldest.getValue().inFlight == 0;
          }
        };
  }

  /**
   * Admits a request from {@code peer} to be read; returns null if admitted, else why it was
   * refused.
   */
  public synchronized String tryAcquire(P peer) {
    if (reading >= maxReading) {
      return "server busy: " + reading + " requests being read (limit " + maxReading + ")";
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
    reading++;
    return null;
  }

  /**
   * Moves an admitted request that was read to being served; returns null if it may be served, else
   * why not (it then stays counted as reading until {@link #release}d).
   */
  public synchronized String startServing() {
    if (total >= maxTotal) {
      return "server busy: " + total + " requests being served (limit " + maxTotal + ")";
    }
    reading--;
    total++;
    return null;
  }

  /** Ends an admitted request; {@code served} if {@link #startServing} admitted it. */
  public synchronized void release(P peer, boolean served) {
    Bucket b = buckets.get(peer);
    if (b != null && b.inFlight > 0) {
      b.inFlight--;
    }
    if (served) {
      total = Math.max(0, total - 1);
    } else {
      reading = Math.max(0, reading - 1);
    }
  }

  /** Requests being served. */
  public synchronized int inFlight() {
    return total;
  }

  /** Requests being read. */
  public synchronized int reading() {
    return reading;
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
