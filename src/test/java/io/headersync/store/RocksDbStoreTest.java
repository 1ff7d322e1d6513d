package io.headersync.store;

import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The contract against an embedded RocksDB opened from a path (the store owns it). */
class RocksDbStoreTest extends StoreContractTest {
  @TempDir Path dir;

  private int next;
  private final Map<Store<DummyHeader>, Path> paths = new IdentityHashMap<>();
  private final Map<Store<DummyHeader>, StoreOptions> optionsOf = new IdentityHashMap<>();

  @Override
  protected Store<DummyHeader> createStore(StoreOptions options) {
    return open(dir.resolve("db" + next++), options);
  }

  @Override
  protected boolean persists() {
    return true;
  }

  @Override
  protected Store<DummyHeader> reopenStore(Store<DummyHeader> closed) {
    return open(paths.get(closed), optionsOf.get(closed));
  }

  private Store<DummyHeader> open(Path path, StoreOptions options) {
    RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE).path(path).options(options).build();
    paths.put(s, path);
    optionsOf.put(s, options);
    return s;
  }
}
