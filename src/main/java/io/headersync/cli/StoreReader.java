package io.headersync.cli;

import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderType;
import io.headersync.store.RocksDbStore;
import io.headersync.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A RocksDB store directory opened read-only: nothing is created or written (a directory that holds
 * no RocksDB is an error, not a new empty store), and a store a running node holds open can be read
 * alongside it. Stores under a prefix are read through {@link RocksDbStore}'s public API on the
 * read-only database.
 */
final class StoreReader implements AutoCloseable {
  private final Path dir;
  private final Options options;
  private final RocksDB db;
  private final List<RocksDbStore<?>> stores = new ArrayList<>();

  private StoreReader(Path dir, Options options, RocksDB db) {
    this.dir = dir;
    this.options = options;
    this.db = db;
  }

  /** Whether {@code dir} holds a RocksDB (its {@code CURRENT} file). */
  static boolean isStore(Path dir) {
    return Files.isRegularFile(dir.resolve("CURRENT"));
  }

  /**
   * Opens the RocksDB in {@code dir} read-only.
   *
   * @throws HeaderSyncException if {@code dir} does not exist, holds no RocksDB, or cannot be read
   */
  static StoreReader open(Path dir) {
    if (!Files.exists(dir)) {
      throw new HeaderSyncException("no store at " + dir.toAbsolutePath() + ": no such directory");
    }
    if (!Files.isDirectory(dir)) {
      throw new HeaderSyncException("no store at " + dir.toAbsolutePath() + ": not a directory");
    }
    if (!isStore(dir)) {
      throw new HeaderSyncException("no store at " + dir.toAbsolutePath() + ": not a RocksDB directory (no CURRENT file)");
    }
    RocksDB.loadLibrary();
    Options options = new Options().setCreateIfMissing(false);
    try {
      return new StoreReader(dir, options, RocksDB.openReadOnly(options, dir.toString()));
    } catch (RocksDBException e) {
      options.close();
      throw new HeaderSyncException("cannot read the store at " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  /** The store under {@code prefix}, if it holds any header. */
  <H extends Header> Optional<RocksDbStore<H>> store(HeaderType<H> type, String prefix) {
    RocksDbStore<H> s = RocksDbStore.builder(type).database(db).prefix(prefix).build();
    stores.add(s);
    return s.head().isPresent() ? Optional.of(s) : Optional.empty();
  }

  @Override
  public void close() {
    for (RocksDbStore<?> s : stores) {
      try {
        s.close();
      } catch (StoreException e) {
        // A read-only RocksDB has no WAL of ours to sync on close; nothing was written.
      }
    }
    db.close();
    options.close();
  }
}
