package io.headersync.store;

import io.headersync.annotation.Nullable;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * A bounded, thread-safe, direct-mapped cache: each key has exactly one slot, chosen from its hash
 * code, and a put replaces whatever the slot held. No lock, no map, no eviction walk: a read is one
 * array load and an {@code equals}, a put one allocation and one array store.
 *
 * <ul>
 *   <li><b>Bound</b>: strict. The cache has {@code capacity} rounded down to a power of two slots
 *       and never holds more entries than that. A capacity of 0 disables it (nothing is kept).
 *   <li><b>Which entries stay</b>: the last one put into each slot. For the store's height keys the
 *       slot is the height modulo the slot count (for heights in one aligned run of 65,536), so the
 *       most recent {@code capacity} consecutive heights are all kept: the headers a node serves
 *       most (the ones near its head) never push each other out, which an LRU of the same size only
 *       approximates and pays a map update per header for. For the hash keys (random bytes) it
 *       behaves as any direct-mapped cache: a new key displaces the one that shared its slot.
 *   <li><b>Concurrency</b>: any thread may read or write; entries are immutable and published with
 *       the array's volatile semantics, so a reader sees either a whole entry or none. Racing puts
 *       to one slot leave one of them. Correctness never depends on a hit: the store checks what it
 *       reads from here against its bounds and hashes, as it did with the LRU it replaced.
 * </ul>
 *
 * <p>Replaces an approximate LRU (CLOCK over a {@code ConcurrentHashMap}) whose fill cost the
 * store's writer thread about 0.3 µs per appended header (two map inserts and two evictions); see
 * {@code docs/benchmarks.md}, "Store cache".
 *
 * @param <K> the key type; its {@code hashCode} picks the slot
 * @param <V> the value type
 */
final class DirectMappedCache<K, V> {
  private final @Nullable AtomicReferenceArray<Entry<K, V>> slots;
  private final int mask;

  /**
   * @param capacity the most entries kept, rounded down to a power of two; 0 keeps nothing
   * @throws IllegalArgumentException if {@code capacity} is negative
   */
  DirectMappedCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("cache capacity must be >= 0: " + capacity);
    }
    int n = capacity == 0 ? 0 : Integer.highestOneBit(capacity);
    this.slots = n == 0 ? null : new AtomicReferenceArray<>(n);
    this.mask = n - 1;
  }

  /** The number of slots: the capacity rounded down to a power of two. */
  int slotCount() {
    return slots == null ? 0 : slots.length();
  }

  /** The cached value of {@code key}, or null. */
  @Nullable
  V get(K key) {
    AtomicReferenceArray<Entry<K, V>> s = slots;
    if (s == null) {
      return null;
    }
    Entry<K, V> e = s.get(index(key));
    return e != null && e.key.equals(key) ? e.value : null;
  }

  /** Caches {@code key -> value}, replacing what the key's slot held. */
  void put(K key, V value) {
    AtomicReferenceArray<Entry<K, V>> s = slots;
    if (s != null) {
      s.set(index(key), new Entry<>(key, value));
    }
  }

  /** Puts {@code key(e) -> value(e)} for every element, in order (a later one wins its slot). */
  <E> void putAll(Iterable<E> elements, Function<E, K> key, Function<E, V> value) {
    if (slots == null) {
      return;
    }
    for (E e : elements) {
      put(key.apply(e), value.apply(e));
    }
  }

  /** Drops {@code key} if its slot holds it (and leaves another key's entry alone). */
  void remove(K key) {
    AtomicReferenceArray<Entry<K, V>> s = slots;
    if (s == null) {
      return;
    }
    int i = index(key);
    Entry<K, V> e = s.get(i);
    if (e != null && e.key.equals(key)) {
      s.compareAndSet(i, e, null); // a racing put of a newer entry stays
    }
  }

  /** Drops {@code key(e)} for every element. */
  <E> void removeAll(Iterable<E> elements, Function<E, K> key) {
    if (slots == null) {
      return;
    }
    for (E e : elements) {
      remove(key.apply(e));
    }
  }

  /** Drops every entry. */
  void clear() {
    AtomicReferenceArray<Entry<K, V>> s = slots;
    if (s != null) {
      for (int i = 0; i < s.length(); i++) {
        s.set(i, null);
      }
    }
  }

  /** The number of entries (a walk over the slots; for tests and diagnostics). */
  int size() {
    AtomicReferenceArray<Entry<K, V>> s = slots;
    int n = 0;
    if (s != null) {
      for (int i = 0; i < s.length(); i++) {
        if (s.get(i) != null) {
          n++;
        }
      }
    }
    return n;
  }

  private int index(K key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & mask;
  }

  private static final class Entry<K, V> {
    final K key;
    final V value;

    Entry(K key, V value) {
      this.key = key;
      this.value = value;
    }
  }
}
