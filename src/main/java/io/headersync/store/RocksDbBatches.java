package io.headersync.store;

import io.headersync.Header;
import java.util.List;
import java.util.Objects;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The write batches of one {@link RocksDbStore}'s appends and prepends: the headers, their
 * hash-index entries and the moved pointer(s) in one {@code WriteBatch}, so a crash never leaves a
 * pointer past what is stored. Headers are encoded by the appending thread into RocksDB's own batch
 * format ({@link BatchRecords}); the writer only concatenates them. A fallback (tests, or a RocksDB
 * whose batch format we do not know) puts each key with one JNI call.
 *
 * @param <H> the header type
 */
final class RocksDbBatches<H extends Header> {
  private final Keys keys;
  private final RocksDbHandles handles;

  /** {@link BatchRecords#SUPPORTED}, unless a test asked for {@code WriteBatch.put}. */
  final boolean serialized;

  RocksDbBatches(Keys keys, RocksDbHandles handles, boolean serialized) {
    this.keys = keys;
    this.handles = handles;
    this.serialized = serialized && BatchRecords.SUPPORTED;
  }

  /** The header and hash-index records of {@code headers}, in RocksDB's batch format. */
  BatchRecords encode(List<H> headers) {
    BatchRecords r = new BatchRecords((int) Math.min(headers.size() * 480L, 1 << 24));
    byte[] headerKey = keys.header(0);
    int off = keys.heightOffset();
    byte[] height = new byte[8];
    for (H h : headers) {
      Keys.putLong(headerKey, off, h.height());
      Keys.putLong(height, 0, h.height());
      r.put(headerKey, h.encode());
      r.put(keys.hash(h.hash()), height);
    }
    return r;
  }

  /**
   * Writes the appended {@code headers} (those of {@code group}, in order), their index entries and
   * the head pointer in one batch; the tail pointer too when {@code init} (the store was empty).
   */
  void writeAppend(List<WriteItem<H>> group, List<H> headers, boolean init)
      throws RocksDBException {
    byte[] head = Keys.encodeHeight(headers.get(headers.size() - 1).height());
    if (serialized) {
      BatchRecords pointers = new BatchRecords(64);
      pointers.put(keys.head(), head);
      if (init) {
        pointers.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
      }
      int bytes = BatchRecords.HEADER + pointers.size();
      int count = pointers.count();
      for (WriteItem<H> it : group) {
        if (it.records != null) {
          bytes += it.records.size();
          count += it.records.count();
        }
      }
      byte[] rep = new byte[bytes];
      BatchRecords.writeHeader(rep, count);
      int off = BatchRecords.HEADER;
      for (WriteItem<H> it : group) {
        if (it.records != null) {
          it.records.copyTo(rep, off);
          off += it.records.size();
        }
      }
      pointers.copyTo(rep, off);
      try (WriteBatch batch = new WriteBatch(rep)) {
        handles.write(batch);
      }
      return;
    }
    // Fallback: one JNI call per put. Keys and values are copied by put, so the arrays are reused.
    byte[] headerKey = keys.header(0);
    int off = keys.heightOffset();
    byte[] height = new byte[8];
    try (WriteBatch batch = new WriteBatch()) {
      for (H h : headers) {
        Keys.putLong(headerKey, off, h.height());
        Keys.putLong(height, 0, h.height());
        batch.put(headerKey, h.encode());
        batch.put(keys.hash(h.hash()), height);
      }
      batch.put(keys.head(), head);
      if (init) {
        batch.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
      }
      handles.write(batch);
    }
  }

  /** Writes prepended headers, their index entries and the tail pointer in one batch. */
  void writePrepend(WriteItem<H> item) throws RocksDBException {
    List<H> headers = item.headers;
    BatchRecords pointer = new BatchRecords(64);
    pointer.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
    BatchRecords records = Objects.requireNonNull(item.records);
    byte[] rep = new byte[BatchRecords.HEADER + records.size() + pointer.size()];
    BatchRecords.writeHeader(rep, records.count() + pointer.count());
    records.copyTo(rep, BatchRecords.HEADER);
    pointer.copyTo(rep, BatchRecords.HEADER + records.size());
    if (serialized) {
      try (WriteBatch batch = new WriteBatch(rep)) {
        handles.write(batch);
      }
    } else {
      try (WriteBatch batch = new WriteBatch()) {
        for (H h : headers) {
          batch.put(keys.header(h.height()), h.encode());
          batch.put(keys.hash(h.hash()), Keys.encodeHeight(h.height()));
        }
        batch.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
        handles.write(batch);
      }
    }
  }
}
