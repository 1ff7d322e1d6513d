package io.headersync.store;

import io.headersync.annotation.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small thread-safe LRU map: a {@link LinkedHashMap} in access order behind one monitor. Good
 * enough for caches hit by a few threads; a size of 0 disables the cache.
 */
final class LruCache<K, V> {
  private final int capacity;
  private final LinkedHashMap<K, V> map;

  LruCache(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > LruCache.this.capacity;
      }
    };
  }

  @Nullable
  synchronized V get(K key) {
    return capacity == 0 ? null : map.get(key);
  }

  synchronized void put(K key, V value) {
    if (capacity > 0) {
      map.put(key, value);
    }
  }

  /** Puts {@code key(e) -> value(e)} for every element under one lock acquisition. */
  synchronized <E> void putAll(Iterable<E> elements, java.util.function.Function<E, K> key,
      java.util.function.Function<E, V> value) {
    if (capacity > 0) {
      for (E e : elements) {
        map.put(key.apply(e), value.apply(e));
      }
    }
  }

  synchronized void remove(K key) {
    map.remove(key);
  }

  /** Removes {@code key(e)} for every element under one lock acquisition. */
  synchronized <E> void removeAll(Iterable<E> elements, java.util.function.Function<E, K> key) {
    for (E e : elements) {
      map.remove(key.apply(e));
    }
  }

  synchronized void clear() {
    map.clear();
  }

  synchronized int size() {
    return map.size();
  }
}
