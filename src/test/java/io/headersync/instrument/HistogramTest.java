package io.headersync.instrument;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HistogramTest {
  private static Histogram.Series only(Histogram h) {
    List<Histogram.Series> s = h.series();
    assertEquals(1, s.size(), s.toString());
    return s.get(0);
  }

  @Test
  void valuesLandInTheFirstBucketWhoseUpperBoundHoldsThem() {
    Histogram h = new Histogram("t_seconds", "test", "s", List.of(1.0, 2.0, 5.0));
    for (double v : new double[] {-1, 0, 1, 1.5, 2, 4.999, 5, 5.001, 1e9}) {
      h.record(v);
    }
    Histogram.Series s = only(h);
    // (..1] holds -1, 0, 1; (1..2] holds 1.5, 2; (2..5] holds 4.999, 5; above: 5.001, 1e9
    assertArrayEquals(new long[] {3, 2, 2, 2}, s.counts());
    assertEquals(9, s.count());
    assertEquals(-1 + 0 + 1 + 1.5 + 2 + 4.999 + 5 + 5.001 + 1e9, s.sum(), 1e-6);
    assertEquals(Map.of(), s.attributes());
    assertEquals(List.of(1.0, 2.0, 5.0), s.bounds());
  }

  @Test
  void oneSeriesPerAttributeCombination() {
    Histogram h = new Histogram("t", "test", "s", Histogram.SECONDS, "failed", "kind");
    h.record(0.01, "false", "head");
    h.record(0.02, "false", "head");
    h.record(0.5, "true", "range");
    Map<Map<String, String>, Long> counts = new java.util.HashMap<>();
    for (Histogram.Series s : h.series()) {
      counts.put(s.attributes(), s.count());
    }
    assertEquals(
        Map.of(
            Map.of("failed", "false", "kind", "head"),
            2L,
            Map.of("failed", "true", "kind", "range"),
            1L),
        counts);
  }

  @Test
  void seriesAreBoundedAndTheRestOverflowIntoOne() {
    Histogram h = new Histogram("t", "test", "By", Histogram.BYTES, "peer");
    for (int i = 0; i < Histogram.MAX_SERIES + 10; i++) {
      h.record(100, "p" + i);
    }
    h.record(100, "p0"); // an existing series still records into itself
    List<Histogram.Series> series = h.series();
    assertEquals(Histogram.MAX_SERIES + 1, series.size());
    Histogram.Series overflow = series.get(series.size() - 1);
    assertEquals(Map.of("otel.metric.overflow", "true"), overflow.attributes());
    assertEquals(10, overflow.count());
    assertEquals(
        2,
        series.stream()
            .filter(s -> s.attributes().equals(Map.of("peer", "p0")))
            .findFirst()
            .orElseThrow()
            .count());
  }

  @Test
  void badUseIsRefusedWithWhatWasWrong() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Histogram("t", "test", "s", List.of(1.0, 1.0)));
    assertTrue(e.getMessage().contains("ascend strictly"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Histogram("t", "test", "s", List.of()));
    assertThrows(
        IllegalArgumentException.class, () -> new Histogram(" ", "test", "s", List.of(1.0)));
    Histogram h = new Histogram("t", "test", "s", List.of(1.0), "failed");
    e = assertThrows(IllegalArgumentException.class, () -> h.record(1));
    assertTrue(e.getMessage().contains("takes 1 attribute values [failed], got 0"), e.getMessage());
    assertThrows(NullPointerException.class, () -> h.record(1, (String) null));
    assertEquals(List.of(), h.series());
  }

  @Test
  void observersSeeEachValueUntilClosed() throws Exception {
    Histogram h = new Histogram("t", "test", "s", List.of(1.0), "failed");
    List<String> seen = new ArrayList<>();
    AutoCloseable sub = h.subscribe((v, a) -> seen.add(v + " " + a));
    h.record(0.5, "false");
    sub.close();
    h.record(0.7, "true");
    assertEquals(List.of("0.5 {failed=false}"), seen);
    assertEquals(2, h.series().stream().mapToLong(Histogram.Series::count).sum());
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    Histogram h = new Histogram("t", "test", "s", List.of(1.0, 2.0), "thread");
    int threads = 4;
    int each = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    try {
      for (int t = 0; t < threads; t++) {
        String name = "t" + (t % 2);
        pool.execute(
            () -> {
              try {
                start.await();
                for (int i = 0; i < each; i++) {
                  h.record(i % 3, name);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                done.countDown();
              }
            });
      }
      start.countDown();
      assertTrue(done.await(60, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    List<Histogram.Series> series = h.series();
    assertEquals(2, series.size());
    for (Histogram.Series s : series) {
      assertEquals(2L * each, s.count());
      long[] c = s.counts();
      assertEquals(c[0] + c[1] + c[2], s.count());
    }
  }
}
