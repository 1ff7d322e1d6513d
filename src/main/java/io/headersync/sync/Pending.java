package io.headersync.sync;

import io.headersync.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bounded set of verified headers above the store head, by height (go-header's {@code ranges}).
 * The highest is the sync target (the subjective head) and is never evicted. Not thread-safe: the
 * syncer guards it.
 *
 * <p>Bounds: a header more than {@code maxAhead} heights above the store head is dropped unless it
 * is the highest (the range session fetches those heights anyway); beyond {@code maxSize} headers
 * the lowest are evicted (their heights are fetched too). A newcomer at or below the highest is
 * refused, as go-header's {@code ranges.Add} ignores headers "in wrong order".
 */
final class Pending<H extends Header> {
  private final TreeMap<Long, H> byHeight = new TreeMap<>();
  private final int maxSize;
  private final long maxAhead;

  Pending(int maxSize, long maxAhead) {
    this.maxSize = maxSize;
    this.maxAhead = maxAhead;
  }

  /** The highest pending header, or null. */
  H highest() {
    Map.Entry<Long, H> e = byHeight.lastEntry();
    return e == null ? null : e.getValue();
  }

  /**
   * Adds {@code h}, which must be above the highest, and applies the bounds.
   *
   * @return how many headers were evicted; -1 if {@code h} was refused
   */
  int add(H h, long storeHeight) {
    H top = highest();
    if (top != null && h.height() <= top.height()) {
      return -1;
    }
    byHeight.put(h.height(), h);
    int evicted = 0;
    // Drop headers far ahead of the store, except the new target.
    long window = storeHeight + maxAhead;
    if (window < h.height()) {
      var far = byHeight.subMap(window, false, h.height(), false);
      evicted += far.size();
      far.clear();
    }
    while (byHeight.size() > maxSize) {
      byHeight.pollFirstEntry();
      evicted++;
    }
    return evicted;
  }

  /**
   * Adds {@code h}, verified against its anchor, at any height above the store head: an anchored
   * syncer's target is the anchor's height, so pending headers are not targets and may arrive in
   * any order. Refused when it is already there, more than {@code maxAhead} above the store head,
   * or the set is full (the range session fetches refused heights).
   *
   * @return whether it was added
   */
  boolean addAnchored(H h, long storeHeight) {
    long height = h.height();
    if (height <= storeHeight
        || height > storeHeight + maxAhead
        || byHeight.size() >= maxSize
        || byHeight.containsKey(height)) {
      return false;
    }
    byHeight.put(height, h);
    return true;
  }

  /** Whether a header at {@code height} is pending. */
  boolean contains(long height) {
    return byHeight.containsKey(height);
  }

  /** The pending header at {@code height}, or null. */
  H get(long height) {
    return byHeight.get(height);
  }

  /** Removes every header at or below {@code height}. */
  void dropAtOrBelow(long height) {
    byHeight.headMap(height, true).clear();
  }

  /** Removes the header at {@code height}, if any. */
  void remove(long height) {
    byHeight.remove(height);
  }

  /** The lowest pending height above {@code height}, or -1. */
  long lowestAbove(long height) {
    Long k = byHeight.higherKey(height);
    return k == null ? -1 : k;
  }

  /** The contiguous run of pending headers starting at {@code from}, up to {@code to} inclusive. */
  List<H> run(long from, long to) {
    List<H> out = new ArrayList<>();
    for (long h = from; h <= to; h++) {
      H header = byHeight.get(h);
      if (header == null) {
        break;
      }
      out.add(header);
    }
    return out;
  }

  int size() {
    return byHeight.size();
  }

  void clear() {
    byHeight.clear();
  }
}
