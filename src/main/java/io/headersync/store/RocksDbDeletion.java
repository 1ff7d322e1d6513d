package io.headersync.store;

import io.headersync.Header;
import io.headersync.annotation.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Applies one deletion of a {@link RocksDbStore} on its writer thread ({@code deleteRange}, and
 * {@code deleteTo}'s steps moving the tail up): reads the doomed headers (for their hash-index
 * keys) and the header that becomes the tail or head, publishes the smaller range (readers stop at
 * it), then deletes the headers, their index entries and moves the pointer in one write batch, and
 * drops the cache entries. A crash before the batch leaves the old range; after it, the new one.
 *
 * <p>Point deletes rather than a range tombstone: pruning deletes a few headers per appended batch,
 * and a tombstone per step would pile up in front of every read until compaction.
 *
 * @param <H> the header type
 */
final class RocksDbDeletion<H extends Header> {
  private final Keys keys;
  private final RocksDbHandles handles;
  private final RocksDbReads<H> reads;

  RocksDbDeletion(Keys keys, RocksDbHandles handles, RocksDbReads<H> reads) {
    this.keys = keys;
    this.handles = handles;
    this.reads = reads;
  }

  /**
   * Deletes {@code [item.from, item.to)} as checked when it was queued; nothing when the range is
   * empty (a {@code deleteTo} at or below the tail, queued behind earlier writes).
   *
   * @throws RocksDBException if RocksDB refuses the batch (the range was published already)
   */
  void apply(WriteItem<H> item) throws RocksDBException {
    long from = item.from;
    long to = item.to;
    Deletes.Shape shape = Objects.requireNonNull(item.delete);
    if (from == to) {
      return;
    }
    Bounds<H> old = Objects.requireNonNull(reads.bounds(), "checked non-empty when queued");
    List<H> doomed = new ArrayList<>((int) (to - from));
    for (long h = from; h < to; h++) {
      H c = reads.cached(h, old);
      if (c == null) {
        reads.scan(h, to, doomed);
        break;
      }
      doomed.add(c);
    }
    @Nullable Bounds<H> next;
    switch (shape) {
      case WIPE:
        next = null;
        break;
      case TAIL_UP:
        next = new Bounds<>(reads.headerAt(to, old), old.head);
        break;
      default:
        next = new Bounds<>(old.tail, reads.headerAt(from - 1, old));
        break;
    }
    reads.publish(next);
    try (WriteBatch batch = new WriteBatch()) {
      for (H h : doomed) {
        batch.delete(keys.header(h.height()));
        batch.delete(keys.hash(h.hash()));
      }
      switch (shape) {
        case WIPE:
          batch.delete(keys.head());
          batch.delete(keys.tail());
          break;
        case TAIL_UP:
          batch.put(keys.tail(), Keys.encodeHeight(to));
          break;
        default:
          batch.put(keys.head(), Keys.encodeHeight(from - 1));
          break;
      }
      handles.write(batch);
    }
    reads.uncache(doomed);
  }
}
