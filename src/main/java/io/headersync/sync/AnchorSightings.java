package io.headersync.sync;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * When an anchored {@link Syncer} saw its anchor reach which height, so that a height the anchor
 * reached less than the gossip grace ago is left to gossip (ev-node gossips data right after its
 * header) and fetched only once the grace has passed. Bounded: the latest {@value #MAX_SEEN}
 * sightings. Not thread-safe: used under the syncer's lock.
 */
final class AnchorSightings {
  private static final int MAX_SEEN = 256;

  private final Clock clock;
  private final Duration grace;

  /** The anchor heights seen and when (clock millis), oldest first. */
  private final ArrayDeque<long[]> seen = new ArrayDeque<>();

  AnchorSightings(Clock clock, Duration grace) {
    this.clock = clock;
    this.grace = grace;
  }

  /** The highest height seen, 0 if none. */
  long latest() {
    long[] last = seen.peekLast();
    return last == null ? 0 : last[0];
  }

  /** Records that the anchor holds {@code height} at {@code millis}. */
  void observe(long height, long millis) {
    long[] last = seen.peekLast();
    if (last != null && last[0] >= height) {
      return;
    }
    seen.addLast(new long[] {height, millis});
    while (seen.size() > MAX_SEEN) {
      seen.pollFirst();
    }
  }

  /** The highest height the anchor has held for at least the gossip grace. */
  long staleHeight() {
    long cutoff = clock.millis() - grace.toMillis();
    long stale = 0;
    while (seen.size() > 1) {
      long[] first = seen.pollFirst();
      if (seen.peekFirst()[1] > cutoff) {
        seen.addFirst(first);
        break;
      }
      // else superseded by a later observation that is old enough too
    }
    long[] first = seen.peekFirst();
    if (first != null && first[1] <= cutoff) {
      stale = first[0];
    }
    return stale;
  }

  /** When the anchor was first seen at or above {@code height}, in clock millis; now if never. */
  long seenAt(long height) {
    for (long[] e : seen) {
      if (e[0] >= height) {
        return e[1];
      }
    }
    return clock.millis();
  }

  /** Milliseconds until the grace of {@code height} has passed, at least 1. */
  long graceLeftMillis(long height) {
    return Math.max(1, seenAt(height) + grace.toMillis() - clock.millis());
  }
}
