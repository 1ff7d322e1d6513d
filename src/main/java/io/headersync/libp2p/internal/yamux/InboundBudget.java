package io.headersync.libp2p.internal.yamux;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes received on Yamux streams and not yet delivered to their readers, counted across every
 * session of a host, with a limit. A stream's own window bounds what one stream can buffer (256
 * KiB, auto-tuned up to 16 MiB), but a peer can open a thousand streams per connection and fill
 * every window without reading; this budget bounds the sum. When it is spent, a data frame that
 * would add to it is not buffered and its stream is reset (the session stays up; go-libp2p's
 * resource manager refuses memory reservations the same way). Thread-safe: sessions on different
 * event loops share it, so the total can pass the limit by at most one frame per event loop.
 */
public final class InboundBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  /** A budget of {@code limit} bytes (positive). */
  public InboundBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("inbound buffer budget must be positive, got " + limit);
    }
    this.limit = limit;
  }

  /** An unlimited budget (for a session on its own, e.g. in tests). */
  public static InboundBudget unlimited() {
    return new InboundBudget(Long.MAX_VALUE);
  }

  /** Whether {@code bytes} more fit; counts a refusal when they do not. */
  boolean admits(long bytes) {
    if (used.get() + bytes <= limit) {
      return true;
    }
    refusals.incrementAndGet();
    return false;
  }

  void add(long bytes) {
    used.addAndGet(bytes);
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes buffered now. */
  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }

  /** Data frames refused because the budget was spent (each reset its stream). */
  public long refusals() {
    return refusals.get();
  }
}
