package io.headersync.store;

import io.headersync.Header;
import io.headersync.HeaderType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A RocksDB store directory opened read-only, for tools that look at a node's stores without
 * changing them ({@code headersync inspect}): nothing is created or written (a directory that holds
 * no RocksDB is an error, not a new empty store), and stores a running node holds open can be read
 * alongside it (RocksDB's read-only mode takes no lock). The stores under each prefix are {@link
 * RocksDbStore}s on the read-only database, built through its public builder; only reads work on
 * them.
 *
 * <p>Not thread-safe; close it when done (it closes the stores it opened).
 */
public final class RocksDbReader implements AutoCloseable {
  private final Path dir;
  private final Options options;
  private final RocksDB db;
  private final List<RocksDbStore<?>> stores = new ArrayList<>();

  private RocksDbReader(Path dir, Options options, RocksDB db) {
    this.dir = dir;
    this.options = options;
    this.db = db;
  }

  /**
   * {@return whether {@code dir} holds a RocksDB (its {@code CURRENT} file)}
   *
   * @param dir the directory; need not exist
   */
  public static boolean isStore(Path dir) {
    return Files.isRegularFile(dir.resolve("CURRENT"));
  }

  /**
   * Opens the RocksDB in {@code dir} read-only.
   *
   * @param dir the store directory, e.g. a node's {@code data/} directory
   * @return the reader; close it when done
   * @throws StoreException if {@code dir} does not exist, holds no RocksDB, or cannot be read
   */
  public static RocksDbReader open(Path dir) {
    if (!Files.exists(dir)) {
      throw new StoreException("no store at " + dir.toAbsolutePath() + ": no such directory");
    }
    if (!Files.isDirectory(dir)) {
      throw new StoreException("no store at " + dir.toAbsolutePath() + ": not a directory");
    }
    if (!isStore(dir)) {
      throw new StoreException(
          "no store at " + dir.toAbsolutePath() + ": not a RocksDB directory (no CURRENT file)");
    }
    RocksDbNative.load();
    Options options = new Options().setCreateIfMissing(false);
    try {
      return new RocksDbReader(dir, options, RocksDB.openReadOnly(options, dir.toString()));
    } catch (RocksDBException e) {
      options.close();
      throw new StoreException(
          "cannot read the store at " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** {@return the directory} */
  public Path dir() {
    return dir;
  }

  /**
   * {@return the store under {@code prefix}, if it holds any header; read it only}
   *
   * @param <H> the header type stored under {@code prefix}
   * @param type decodes the stored headers
   * @param prefix the store's key prefix, e.g. {@link
   *     io.headersync.service.NetworkProfile#storePrefix}'s
   * @throws CorruptStoreException if its pointers do not match its headers
   */
  public <H extends Header> Optional<RocksDbStore<H>> store(HeaderType<H> type, String prefix) {
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
