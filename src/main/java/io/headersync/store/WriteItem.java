package io.headersync.store;

import io.headersync.annotation.Nullable;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One append, prepend, deletion or flush barrier waiting in a {@link RocksDbWriter}'s queue. The
 * future of an append, prepend or deletion is the one the store hands out (completed on the store's
 * callback executor); a barrier's is internal ({@code flush()} waits for it) and completes on the
 * writer.
 *
 * @param <H> the header type
 */
final class WriteItem<H> {
  final List<H> headers;

  /** The headers' records when {@link BatchRecords#SUPPORTED}, encoded by the appending thread. */
  final @Nullable BatchRecords records;

  final boolean barrier;

  /** Whether the headers go below the tail ({@code prepend}). */
  final boolean prepend;

  /** Set for a deletion of {@code [from, to)}: what it does to the range. */
  final Deletes.@Nullable Shape delete;

  final long from;
  final long to;
  final CompletableFuture<Void> future = new CompletableFuture<>();

  private WriteItem(
      List<H> headers,
      @Nullable BatchRecords records,
      boolean barrier,
      boolean prepend,
      Deletes.@Nullable Shape delete,
      long from,
      long to) {
    this.headers = headers;
    this.records = records;
    this.barrier = barrier;
    this.prepend = prepend;
    this.delete = delete;
    this.from = from;
    this.to = to;
  }

  /** An append of {@code headers} (records null when the writer puts them one by one). */
  static <H> WriteItem<H> append(List<H> headers, @Nullable BatchRecords records) {
    return new WriteItem<>(headers, records, false, false, null, 0, 0);
  }

  /** Headers that extend the tail downwards. */
  static <H> WriteItem<H> prepend(List<H> headers, BatchRecords records) {
    return new WriteItem<>(headers, records, false, true, null, 0, 0);
  }

  /**
   * A checked deletion of {@code [from, to)}; {@code from == to} deletes nothing (an ordering
   * no-op).
   */
  static <H> WriteItem<H> delete(long from, long to, Deletes.Shape shape) {
    return new WriteItem<>(List.of(), null, false, false, shape, from, to);
  }

  /** A flush barrier: completes once everything queued before it is written and the WAL synced. */
  static <H> WriteItem<H> barrier() {
    return new WriteItem<>(List.of(), null, true, false, null, 0, 0);
  }

  /** Whether the writer applies this item in a batch of its own (deletions and prepends). */
  boolean alone() {
    return delete != null || prepend;
  }
}
