package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The store's cache: a strict bound, the eviction order its Javadoc promises, lock-free reads. */
class LruCacheTest {
  private static final long T = 30;

  @Test
  void evictsTheLeastRecentlyUsedOfTwo() {
    LruCache<Integer, String> c = new LruCache<>(2);
    c.put(1, "a");
    c.put(2, "b");
    assertEquals("a", c.get(1)); // 1 read: 2 goes first
    c.put(3, "c");
    assertNull(c.get(2));
    assertEquals("a", c.get(1));
    assertEquals("c", c.get(3));
    assertEquals(2, c.size());
  }

  @Test
  void zeroCapacityKeepsNothingAndANegativeOneIsRefused() {
    LruCache<Integer, String> off = new LruCache<>(0);
    off.put(1, "a");
    off.putAll(List.of(2, 3), k -> k, k -> "x");
    assertNull(off.get(1));
    assertEquals(0, off.size());
    off.remove(1);
    off.clear();
    assertThrows(IllegalArgumentException.class, () -> new LruCache<Integer, String>(-1));
  }

  @Test
  void withoutReadsEntriesAreEvictedInInsertionOrder() {
    int cap = 37; // not a power of two, and more than the initial 16 slots: the ring grows
    LruCache<Integer, Integer> c = new LruCache<>(cap);
    for (int i = 0; i < 500; i++) {
      c.put(i, i * 7);
      assertEquals(Math.min(i + 1, cap), c.size());
      assertTrue(i < cap || !c.contains(i - cap), "the oldest entry goes first");
    }
    for (int i = 0; i < 500; i++) {
      if (i < 500 - cap) {
        assertNull(c.get(i), "evicted " + i);
      } else {
        assertEquals(i * 7, c.get(i));
      }
    }
  }

  @Test
  void anEntryReadSinceTheHandPassedGetsASecondChance() {
    LruCache<Integer, String> c = new LruCache<>(3);
    c.put(1, "a");
    c.put(2, "b");
    c.put(3, "c");
    c.get(1);
    c.put(4, "d"); // the hand passes 1 (read: its mark is cleared) and evicts 2
    assertEquals(List.of(1, 3, 4), present(c, 1, 2, 3, 4, 5, 6, 7));
    c.put(5, "e"); // evicts 3, not read
    assertEquals(List.of(1, 4, 5), present(c, 1, 2, 3, 4, 5, 6, 7));
    c.put(6, "f"); // 1's second chance is used up: evicted
    assertEquals(List.of(4, 5, 6), present(c, 1, 2, 3, 4, 5, 6, 7));
    c.get(4);
    c.get(5);
    c.get(6);
    c.put(7, "g"); // every entry read: the hand goes round once and evicts where it started (4)
    assertEquals(List.of(5, 6, 7), present(c, 1, 2, 3, 4, 5, 6, 7));
  }

  @Test
  void aReadEntryOutlivesEveryUnreadOne() {
    int cap = 50;
    LruCache<Integer, Integer> c = new LruCache<>(cap);
    for (int i = 0; i < cap; i++) {
      c.put(i, i);
    }
    List<Integer> hot = List.of(3, 17, 49);
    hot.forEach(c::get);
    for (int i = 0; i < cap - hot.size(); i++) {
      c.put(1_000 + i, i); // evicts every unread entry first
    }
    for (int h : hot) {
      assertEquals(h, c.get(h), "read entry " + h + " was evicted before an unread one");
    }
    for (int i = 0; i < cap; i++) {
      if (!hot.contains(i)) {
        assertNull(c.get(i));
      }
    }
  }

  @Test
  void putReplacesRemoveFreesASlotAndClearEmpties() {
    LruCache<Integer, String> c = new LruCache<>(3);
    c.putAll(List.of(1, 2, 3), k -> k, k -> "v" + k);
    c.put(2, "two");
    assertEquals("two", c.get(2));
    assertEquals(3, c.size());
    c.removeAll(List.of(1, 3), k -> k);
    c.remove(42); // absent: nothing happens
    assertEquals(1, c.size());
    c.put(4, "d");
    c.put(5, "e"); // fills the freed slots, evicts nothing
    assertEquals(List.of(2, 4, 5), present(c, 1, 2, 3, 4, 5));
    c.clear();
    assertEquals(0, c.size());
    assertNull(c.get(2));
    for (int i = 0; i < 10; i++) {
      c.put(i, "x");
    }
    assertEquals(3, c.size());
  }

  @Test
  void readsDoNotWaitForAWriterHoldingTheLock() throws Exception {
    LruCache<Integer, String> c = new LruCache<>(8);
    c.put(1, "a");
    CountDownLatch insideLock = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer =
          pool.submit(
              () ->
                  c.putAll(
                      List.of(2),
                      k -> {
                        insideLock.countDown();
                        await(release);
                        return k;
                      },
                      k -> "b"));
      assertTrue(insideLock.await(T, TimeUnit.SECONDS));
      // The writer holds the write lock until released: a read on another thread still completes.
      Future<String> read = pool.submit(() -> c.get(1));
      assertEquals("a", read.get(T, TimeUnit.SECONDS));
      release.countDown();
      writer.get(T, TimeUnit.SECONDS);
      assertEquals("b", c.get(2));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentReadersAndWritersKeepTheBoundAndTheValues() throws Exception {
    int cap = 64;
    int keys = 512;
    int threads = 6;
    int ops = 20_000;
    LruCache<Integer, Integer> c = new LruCache<>(cap);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger overBound = new AtomicInteger();
    AtomicInteger wrongValue = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random r = new Random(100 + t);
        boolean writer = t < 2;
        done.add(
            pool.submit(
                () -> {
                  await(start);
                  for (int i = 0; i < ops; i++) {
                    int k = r.nextInt(keys);
                    int op = r.nextInt(10);
                    if (writer && op < 6) {
                      c.put(k, k * 3);
                    } else if (writer && op < 7) {
                      c.remove(k);
                    } else if (writer && op < 8) {
                      c.putAll(IntStream.range(k, k + 5).boxed().toList(), x -> x, x -> x * 3);
                    } else {
                      Integer v = c.get(k);
                      if (v != null && v != k * 3) {
                        wrongValue.incrementAndGet();
                      }
                    }
                    if (c.size() > cap) {
                      overBound.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(T, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, overBound.get(), "the cache held more than its capacity");
    assertEquals(0, wrongValue.get(), "a read returned another key's value");
    int found = 0;
    for (int k = 0; k < keys + 5; k++) {
      Integer v = c.get(k);
      if (v != null) {
        assertEquals(k * 3, v);
        found++;
      }
    }
    assertEquals(c.size(), found, "map and ring disagree");
    assertTrue(found <= cap);
    // Still a working cache after the storm: a full round of new keys evicts everything old.
    for (int k = 0; k < cap; k++) {
      c.put(10_000 + k, k);
    }
    assertEquals(cap, c.size());
    for (int k = 0; k < cap; k++) {
      assertEquals(k, c.get(10_000 + k));
    }
  }

  /** The keys cached, looked at without marking them. */
  private static List<Integer> present(LruCache<Integer, String> c, int... keys) {
    List<Integer> out = new ArrayList<>();
    for (int k : keys) {
      if (c.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(T, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
