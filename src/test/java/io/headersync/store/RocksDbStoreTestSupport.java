package io.headersync.store;

import io.headersync.testkit.DummyHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** Raw RocksDB access for tests that inspect or damage what a {@link RocksDbStore} wrote. */
final class RocksDbStoreTestSupport {
  private RocksDbStoreTestSupport() {}

  /** Opens the RocksDB at {@code path} (the store must be closed), runs {@code body}, closes it. */
  static void withRawDb(Path path, RawDbBody body) {
    try (Options o = new Options();
        RocksDB db = RocksDB.open(o, path.toString())) {
      body.run(db);
    } catch (RocksDBException e) {
      throw new AssertionError(e);
    }
  }

  interface RawDbBody {
    void run(RocksDB db) throws RocksDBException;
  }

  /** Every key/value with {@code start <= key < end}. */
  static List<byte[][]> scan(RocksDB db, byte[] start, byte[] end) {
    List<byte[][]> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(start); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (java.util.Arrays.compareUnsigned(k, end) >= 0) {
          break;
        }
        out.add(new byte[][] {k, it.value()});
      }
    }
    return out;
  }

  static void forEachHeaderKey(RocksDB db, Keys keys, Consumer<byte[][]> body) {
    scan(db, keys.headerSectionStart(), keys.headerSectionEnd()).forEach(body);
  }

  static RocksDbStore<DummyHeader> open(Path path) {
    return RocksDbStore.builder(DummyHeader.TYPE).path(path).build();
  }
}
