package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract against the fallback write path ({@code WriteBatch.put} per key), used should {@link
 * BatchRecords}' encoding ever stop matching RocksDB's.
 */
class RocksDbStoreJniPutTest extends StoreContractTest {
  @TempDir Path dir;

  private int next;
  private final Map<Store<DummyHeader>, Path> paths = new IdentityHashMap<>();

  @Override
  protected Store<DummyHeader> createStore(StoreOptions options) {
    Path path = dir.resolve("db" + next++);
    RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE)
            .path(path)
            .options(options)
            .serializedBatches(false)
            .build();
    paths.put(s, path);
    return s;
  }

  @Override
  protected boolean persists() {
    return true;
  }

  @Override
  protected Store<DummyHeader> reopenStore(Store<DummyHeader> closed) {
    // Reopen with the fast path: both paths write the same bytes.
    Path path = paths.get(closed);
    RocksDbStore<DummyHeader> s = RocksDbStore.builder(DummyHeader.TYPE).path(path).build();
    paths.put(s, path);
    return s;
  }

  @Test
  void serialisedBatchFormatMatchesTheLoadedRocksDb() {
    assertTrue(
        BatchRecords.SUPPORTED, "BatchRecords no longer matches RocksDB's WriteBatch format");
  }
}
