package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The store's cache: a strict bound, the recent heights kept, any thread reading and writing. */
class DirectMappedCacheTest {
  private static final long T = 30;

  @Test
  void theCapacityIsRoundedDownToAPowerOfTwoAndZeroKeepsNothing() {
    assertEquals(4096, new DirectMappedCache<Long, String>(4096).slotCount());
    assertEquals(4096, new DirectMappedCache<Long, String>(5000).slotCount());
    assertEquals(1, new DirectMappedCache<Long, String>(1).slotCount());
    DirectMappedCache<Long, String> off = new DirectMappedCache<>(0);
    off.put(1L, "a");
    off.putAll(List.of(2L, 3L), k -> k, k -> "x");
    assertNull(off.get(1L));
    assertEquals(0, off.size());
    off.remove(1L);
    off.removeAll(List.of(2L), k -> k);
    off.clear();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new DirectMappedCache<Long, String>(-1));
    assertTrue(e.getMessage().contains("capacity"), e.getMessage());
  }

  @Test
  void theLastCapacityConsecutiveHeightsAreAllKept() {
    // Heights as a syncing store appends them, across an aligned run of 65,536 and beyond.
    for (long start : new long[] {1, 60_000, 1L << 32, Long.MAX_VALUE - 10_000}) {
      DirectMappedCache<Long, Long> c = new DirectMappedCache<>(1024);
      List<Long> heights = LongStream.range(start, start + 5_000).boxed().toList();
      c.putAll(heights, h -> h, h -> h * 2);
      assertTrue(c.size() <= 1024);
      int kept = 0;
      for (long h = start + 5_000 - 1024; h < start + 5_000; h++) {
        if (c.get(h) != null) {
          assertEquals(h * 2, c.get(h));
          kept++;
        }
      }
      // Within one aligned run of 65,536 heights every recent one has its own slot; a window that
      // straddles a run boundary may lose a few.
      assertTrue(kept >= 1024 - 64, "kept " + kept + " of the last 1024 from " + start);
      if (start == 1) {
        assertEquals(1024, kept);
        assertNull(c.get(start), "the oldest heights make room");
      }
    }
  }

  @Test
  void aPutReplacesItsSlotAndRemoveTakesOnlyItsOwnKey() {
    DirectMappedCache<Long, String> c = new DirectMappedCache<>(8);
    c.put(3L, "three");
    c.put(3L, "THREE");
    assertEquals("THREE", c.get(3L));
    c.put(11L, "eleven"); // 11 and 3 share a slot of 8
    assertNull(c.get(3L));
    assertEquals("eleven", c.get(11L));
    c.remove(3L); // not there any more: 11 stays
    assertEquals("eleven", c.get(11L));
    c.removeAll(List.of(11L, 42L), k -> k);
    assertNull(c.get(11L));
    c.putAll(List.of(1L, 2L, 4L), k -> k, k -> "v" + k);
    assertEquals(3, c.size());
    c.clear();
    assertEquals(0, c.size());
    assertNull(c.get(1L));
  }

  @Test
  void hashKeysFindTheirHeights() {
    DirectMappedCache<Hash, Long> c = new DirectMappedCache<>(16_384);
    Random r = new Random(7);
    List<Hash> hashes = new ArrayList<>();
    for (int i = 0; i < 4_096; i++) {
      byte[] b = new byte[32];
      r.nextBytes(b);
      hashes.add(Hash.of(b));
    }
    c.putAll(hashes, h -> h, h -> (long) hashes.indexOf(h));
    int hits = 0;
    for (int i = 0; i < hashes.size(); i++) {
      Long v = c.get(hashes.get(i));
      if (v != null) {
        assertEquals(i, v);
        hits++;
      }
    }
    // 4,096 random keys in 16,384 slots: about 1 - e^(-1/4), 88%, stay on their own.
    assertTrue(hits > 3_400, "hits " + hits);
    byte[] other = new byte[32];
    r.nextBytes(other);
    assertNull(c.get(Hash.of(other)));
  }

  @Test
  void concurrentReadersAndWritersKeepTheBoundAndTheValues() throws Exception {
    int cap = 64;
    int keys = 512;
    int threads = 6;
    int ops = 20_000;
    DirectMappedCache<Integer, Integer> c = new DirectMappedCache<>(cap);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger overBound = new AtomicInteger();
    AtomicInteger wrongValue = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random r = new Random(100 + t);
        boolean writer = t < 3;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < ops; i++) {
                    int k = r.nextInt(keys);
                    int op = r.nextInt(10);
                    if (writer && op < 6) {
                      c.put(k, k * 3);
                    } else if (writer && op < 7) {
                      c.remove(k);
                    } else {
                      Integer v = c.get(k);
                      if (v != null && v != k * 3) {
                        wrongValue.incrementAndGet();
                      }
                    }
                    if (i % 256 == 0 && c.size() > cap) {
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
  }
}
