package io.headersync.store;

import io.headersync.libp2p.internal.encoding.Uvarint;
import java.util.Arrays;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Put records serialised in RocksDB's own write-batch format, so that a whole batch crosses JNI
 * once ({@code new WriteBatch(byte[])}) instead of once per put: the writer thread's cost per
 * header drops by the two JNI calls, and the encoding runs on the appending thread.
 *
 * <p>The format is RocksDB's {@code WriteBatch::rep_} (documented in {@code db/write_batch.cc}):
 *
 * <pre>
 *   rep    := sequence (fixed64 LE) | count (fixed32 LE) | record*
 *   record := kTypeValue (0x01) | varint32 key length | key | varint32 value length | value
 * </pre>
 *
 * {@link #SUPPORTED} compares this encoding with RocksJava's own ({@link WriteBatch#data()}) once
 * when the class loads; should a RocksDB upgrade ever change it, the store falls back to {@link
 * WriteBatch#put} and nothing else changes.
 */
final class BatchRecords {
  static final int HEADER = 12;
  private static final byte TYPE_VALUE = 0x01;

  /** Whether this encoding matches the loaded RocksDB's (checked once). */
  static final boolean SUPPORTED = selfCheck();

  private byte[] buf;
  private int size;
  private int count;

  BatchRecords(int expectedBytes) {
    buf = new byte[Math.max(16, expectedBytes)];
  }

  void put(byte[] key, byte[] value) {
    ensure(1 + 5 + key.length + 5 + value.length);
    buf[size++] = TYPE_VALUE;
    size = Uvarint.write(key.length, buf, size);
    System.arraycopy(key, 0, buf, size, key.length);
    size += key.length;
    size = Uvarint.write(value.length, buf, size);
    System.arraycopy(value, 0, buf, size, value.length);
    size += value.length;
    count++;
  }

  int size() {
    return size;
  }

  int count() {
    return count;
  }

  /** Copies the records (without the 12-byte batch header) into {@code dst} at {@code off}. */
  void copyTo(byte[] dst, int off) {
    System.arraycopy(buf, 0, dst, off, size);
  }

  /** A full {@code rep}: a header for {@code count} records (sequence 0; RocksDB assigns it). */
  static void writeHeader(byte[] rep, int count) {
    Arrays.fill(rep, 0, 8, (byte) 0);
    rep[8] = (byte) count;
    rep[9] = (byte) (count >>> 8);
    rep[10] = (byte) (count >>> 16);
    rep[11] = (byte) (count >>> 24);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf =
          Arrays.copyOf(
              buf,
              (int) Math.min(Math.max(buf.length * 2L, (long) size + more), Integer.MAX_VALUE - 8));
    }
  }

  private static boolean selfCheck() {
    RocksDbNative.load(); // idempotent; this class may be loaded before RocksDbStore
    byte[] k1 = {1, 2, 3};
    byte[] v1 = new byte[300]; // a two-byte varint length
    Arrays.fill(v1, (byte) 7);
    byte[] k2 = new byte[200];
    byte[] v2 = {9};
    BatchRecords ours = new BatchRecords(64);
    ours.put(k1, v1);
    ours.put(k2, v2);
    byte[] rep = new byte[HEADER + ours.size()];
    writeHeader(rep, ours.count());
    ours.copyTo(rep, HEADER);
    try (WriteBatch theirs = new WriteBatch()) {
      theirs.put(k1, v1);
      theirs.put(k2, v2);
      if (!Arrays.equals(theirs.data(), rep)) {
        return false;
      }
    } catch (RocksDBException | RuntimeException e) {
      return false;
    }
    try (WriteBatch parsed = new WriteBatch(rep)) {
      return parsed.count() == 2;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
