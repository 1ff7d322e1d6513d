package io.headersync.store;

import io.headersync.instrument.Histogram;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one {@link RocksDbStore} measures, as go-header's store does: the time of each write batch
 * ({@code hdr_store_flush_time_hist}, with {@code amount} = headers / 100 and {@code failed}), of
 * each single-header read that missed the cache ({@code hdr_store_read_time_hist}), and the appends
 * that had to wait for room in the write queue ({@code hdr_store_writes_blocked_counter}).
 */
final class RocksDbMetrics {
  private final Histogram flushTime =
      new Histogram(
          "hdr_store_flush_time_hist",
          "header store flush time in seconds",
          "s",
          Histogram.SECONDS,
          "amount",
          "failed");
  private final Histogram readTime =
      new Histogram(
          "hdr_store_read_time_hist",
          "header store single header read time from datastore in seconds and ignoring cache",
          "s",
          Histogram.SECONDS,
          "failed");
  private final AtomicLong writesBlocked = new AtomicLong();

  /** Records a write batch of {@code headers} headers that took {@code nanos}. */
  void recordWrite(long nanos, int headers, boolean failed) {
    flushTime.record(nanos / 1e9, Integer.toString(headers / 100), Boolean.toString(failed));
  }

  /** Records a single-header read from disk that took {@code nanos}. */
  void recordRead(long nanos, boolean failed) {
    readTime.record(nanos / 1e9, Boolean.toString(failed));
  }

  void writeBlocked() {
    writesBlocked.incrementAndGet();
  }

  long writesBlocked() {
    return writesBlocked.get();
  }

  List<Histogram> histograms() {
    return List.of(flushTime, readTime);
  }
}
