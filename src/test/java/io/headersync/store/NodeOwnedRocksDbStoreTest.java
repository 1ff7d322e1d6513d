package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The contract against stores living under prefixes inside one RocksDB the "node" owns. The node's
 * own key is checked to survive, and the node's RocksDB to stay usable, after every test.
 */
class NodeOwnedRocksDbStoreTest extends StoreContractTest {
  private static final byte[] NODE_KEY = "/node/own/key".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private Options options;
  private RocksDB nodeDb;
  private int next;
  private final Map<Store<DummyHeader>, String> prefixes = new IdentityHashMap<>();
  private final Map<Store<DummyHeader>, StoreOptions> optionsOf = new IdentityHashMap<>();

  @BeforeEach
  void openNodeDb() throws RocksDBException {
    options = new Options().setCreateIfMissing(true);
    nodeDb = RocksDB.open(options, dir.resolve("node").toString());
    nodeDb.put(NODE_KEY, NODE_KEY);
  }

  @AfterEach
  void closeNodeDb() throws RocksDBException {
    closeStores(); // stores first: the node closes its RocksDB only after them
    assertArrayEquals(NODE_KEY, nodeDb.get(NODE_KEY));
    nodeDb.closeE();
    options.close();
  }

  @Override
  protected Store<DummyHeader> createStore(StoreOptions storeOptions) {
    // Prefixes that are prefixes of each other, to show the namespaces do not overlap.
    return open(next++ % 2 == 0 ? "headerEx" + next : "headerEx" + next + "tra", storeOptions);
  }

  @Override
  protected boolean persists() {
    return true;
  }

  @Override
  protected Store<DummyHeader> reopenStore(Store<DummyHeader> closed) {
    return open(prefixes.get(closed), optionsOf.get(closed));
  }

  private Store<DummyHeader> open(String prefix, StoreOptions storeOptions) {
    RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE)
            .database(nodeDb)
            .prefix(prefix)
            .options(storeOptions)
            .build();
    prefixes.put(s, prefix);
    optionsOf.put(s, storeOptions);
    return s;
  }
}
