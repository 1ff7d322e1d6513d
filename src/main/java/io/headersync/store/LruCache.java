package io.headersync.store;

import io.headersync.annotation.Nullable;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A bounded, thread-safe cache with approximate-LRU eviction (the CLOCK algorithm) whose reads take
 * no lock: the store's readers hit it from any number of threads while the writer thread fills it.
 *
 * <ul>
 *   <li><b>Reads</b> ({@link #get}) are a {@link ConcurrentHashMap} lookup and, on a hit, one
 *       volatile write that marks the entry as recently used. They never wait for a writer or for
 *       each other.
 *   <li><b>Writes</b> ({@link #put}, {@link #putAll}, {@link #remove}, {@link #removeAll}, {@link
 *       #clear}) are serialised by one lock, which readers never take.
 *   <li><b>Bound</b>: strict. An entry is evicted before a new one is added to the map, under the
 *       write lock, so the cache never holds more than {@code capacity} entries, not even for a
 *       moment. A capacity of 0 disables the cache (nothing is kept).
 *   <li><b>Eviction order</b>: entries sit in a ring of {@code capacity} slots and a clock hand
 *       moves round it. A put into a full cache evicts the first entry at or after the hand that
 *       was not read since the hand last passed it; an entry that was read loses its mark and is
 *       passed over (a second chance). Hence: with no reads and no removals, entries are evicted in
 *       insertion order; an entry read since the hand last passed it is evicted only after every
 *       entry that was not (unless all of them were read, in which case the hand goes round once
 *       and evicts where it started). It is an approximation of LRU: among read entries, the order
 *       of the reads is not kept.
 * </ul>
 */
final class LruCache<K, V> {
  private static final int INITIAL_SLOTS = 16;

  private final int capacity;
  private final ConcurrentHashMap<K, Node<K, V>> map;
  private final ReentrantLock writeLock = new ReentrantLock();

  // Guarded by writeLock. slots grows (doubling) up to capacity; slot i is in use iff slots[i] !=
  // null.
  private Node<K, V>[] slots;
  private int used; // slots [0, used) have been handed out at least once
  private int[] free = new int[INITIAL_SLOTS]; // slots below `used` emptied by removals
  private int freeCount;
  private int hand;

  @SuppressWarnings("unchecked")
  LruCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("cache capacity must be >= 0: " + capacity);
    }
    this.capacity = capacity;
    this.map = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    this.slots = (Node<K, V>[]) new Node<?, ?>[Math.min(capacity, INITIAL_SLOTS)];
  }

  /** The cached value of {@code key}, or null; marks the entry as recently used. Takes no lock. */
  @Nullable
  V get(K key) {
    if (capacity == 0) {
      return null;
    }
    Node<K, V> n = map.get(key);
    if (n == null) {
      return null;
    }
    if (!n.referenced) {
      n.referenced = true; // skip the write when set: a hot entry's cache line stays shared
    }
    return n.value;
  }

  /**
   * Whether {@code key} is cached, without marking it (a look that leaves the eviction order
   * alone).
   */
  boolean contains(K key) {
    return capacity > 0 && map.containsKey(key);
  }

  void put(K key, V value) {
    if (capacity == 0) {
      return;
    }
    writeLock.lock();
    try {
      putLocked(key, value);
    } finally {
      writeLock.unlock();
    }
  }

  /** Puts {@code key(e) -> value(e)} for every element under one lock acquisition. */
  <E> void putAll(Iterable<E> elements, Function<E, K> key, Function<E, V> value) {
    if (capacity == 0) {
      return;
    }
    writeLock.lock();
    try {
      for (E e : elements) {
        putLocked(key.apply(e), value.apply(e));
      }
    } finally {
      writeLock.unlock();
    }
  }

  void remove(K key) {
    if (capacity == 0) {
      return;
    }
    writeLock.lock();
    try {
      removeLocked(key);
    } finally {
      writeLock.unlock();
    }
  }

  /** Removes {@code key(e)} for every element under one lock acquisition. */
  <E> void removeAll(Iterable<E> elements, Function<E, K> key) {
    if (capacity == 0) {
      return;
    }
    writeLock.lock();
    try {
      for (E e : elements) {
        removeLocked(key.apply(e));
      }
    } finally {
      writeLock.unlock();
    }
  }

  void clear() {
    writeLock.lock();
    try {
      map.clear();
      Arrays.fill(slots, null);
      used = 0;
      freeCount = 0;
      hand = 0;
    } finally {
      writeLock.unlock();
    }
  }

  /** The number of entries, never more than the capacity. */
  int size() {
    return map.size();
  }

  private void putLocked(K key, V value) {
    Node<K, V> old = map.get(key);
    if (old != null) {
      Node<K, V> n = new Node<>(key, value, old.slot);
      n.referenced = true; // written again: as recently used as a read
      slots[old.slot] = n;
      map.put(key, n);
      return;
    }
    int slot = freeSlot();
    if (slot < 0) {
      slot = evict();
    }
    Node<K, V> n = new Node<>(key, value, slot);
    slots[slot] = n;
    map.put(key, n); // after the eviction: the map never exceeds the capacity
  }

  /** A slot that holds nothing, or -1 when all {@code capacity} slots are in use. */
  private int freeSlot() {
    if (freeCount > 0) {
      return free[--freeCount];
    }
    if (used < capacity) {
      if (used == slots.length) {
        slots = Arrays.copyOf(slots, (int) Math.min((long) slots.length * 2, capacity));
      }
      return used++;
    }
    return -1;
  }

  /**
   * Moves the hand to the first entry not read since the hand last passed it, clearing the marks it
   * passes (at most one turn: readers may mark entries again behind it), evicts that entry and
   * returns its slot; the hand is left after it.
   */
  private int evict() {
    for (int turn = 0; turn < capacity; turn++) {
      Node<K, V> n = slots[hand];
      if (!n.referenced) {
        break;
      }
      n.referenced = false;
      hand = (hand + 1) % capacity;
    }
    int slot = hand;
    map.remove(slots[slot].key);
    slots[slot] = null;
    hand = (hand + 1) % capacity;
    return slot;
  }

  private void removeLocked(K key) {
    Node<K, V> n = map.remove(key);
    if (n == null) {
      return;
    }
    slots[n.slot] = null;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, Math.min(free.length * 2, capacity));
    }
    free[freeCount++] = n.slot;
  }

  private static final class Node<K, V> {
    final K key;
    final V value;
    final int slot;
    volatile boolean referenced;

    Node(K key, V value, int slot) {
      this.key = key;
      this.value = value;
      this.slot = slot;
    }
  }
}
