package io.headersync.store;

import io.headersync.annotation.Nullable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.TablePropertiesCollectorFactory;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native side of one {@link RocksDbStore}: the RocksDB (opened from a path and owned, or the
 * node's), the store's {@code ReadOptions} and {@code WriteOptions}, and their life. Every native
 * call goes through {@link #withDb} or {@link #write} under the read side of one lock; {@link
 * #close} takes the write side, so a handle is never closed under a running call, and every call
 * after it throws {@link StoreException} ("store is closed").
 *
 * <p>A node-owned RocksDB is registered per (handle, prefix) in this JVM, so a second open store on
 * the same prefix is refused; the registration ends at {@link #close} (or a failed open).
 */
final class RocksDbHandles {
  private static final Logger log = LoggerFactory.getLogger(RocksDbHandles.class);

  /** Entries per sliding window of the compact-on-deletion marking (see {@link #openPath}). */
  private static final long DELETION_WINDOW = 4_096;

  /** A (node-owned RocksDB, prefix) pair; records compare the RocksDB by identity. */
  private record InUse(RocksDB db, String prefix) {}

  /** The prefixes open in node-owned RocksDBs in this JVM, so a second store on one is refused. */
  private static final Set<InUse> IN_USE = ConcurrentHashMap.newKeySet();

  final RocksDB db;
  private final Keys keys;
  private final @Nullable Options ownedDbOptions;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;

  /** Read: a native handle is in use. Write: close() is closing the handles. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Set (under the write lock) once the native handles are closed. */
  private volatile boolean closed;

  private RocksDbHandles(RocksDB db, Keys keys, @Nullable Options ownedDbOptions) {
    this.db = db;
    this.keys = keys;
    this.ownedDbOptions = ownedDbOptions;
    // The WAL stays on (never disableWAL); no fsync per write: flush() syncs.
    WriteOptions wo = new WriteOptions();
    try {
      this.readOptions = new ReadOptions();
    } catch (RuntimeException | Error e) {
      wo.close();
      throw e;
    }
    this.writeOptions = wo;
  }

  /**
   * The handles on a node-owned RocksDB, which the store never closes.
   *
   * @throws IllegalStateException if a store with this prefix is already open on {@code db}
   */
  static RocksDbHandles nodeOwned(RocksDB db, Keys keys) {
    InUse key = new InUse(db, keys.prefix);
    if (!IN_USE.add(key)) {
      throw new IllegalStateException(
          "a RocksDbStore with prefix \""
              + keys.prefix
              + "\" is already open on this "
              + "RocksDB; two stores under one prefix would overwrite each other's pointers");
    }
    try {
      return new RocksDbHandles(db, keys, null);
    } catch (RuntimeException | Error e) {
      IN_USE.remove(key);
      throw e;
    }
  }

  /**
   * Opens (creating if missing) an embedded RocksDB in {@code path}, owned by the store.
   *
   * @throws StoreException if the directory cannot be created or RocksDB cannot be opened
   */
  static RocksDbHandles openPath(Path path, Keys keys) {
    // LZ4 costs less CPU than the default Snappy for the same job (measured ~10% less CPU per
    // appended header, compactions included); two background jobs suit small machines. The store
    // has one writer thread, so the memtable needs no concurrent inserts (6-8% less writer CPU in
    // the syncer benchmark).
    RocksDbNative.load(); // from the per-user cache, not a new 17 MB copy in the temp dir
    Options dbOptions =
        new Options()
            .setCreateIfMissing(true)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setMaxBackgroundJobs(2)
            .setAllowConcurrentMemtableWrite(false);
    RocksDB db;
    // Pruning deletes the oldest headers with point deletes; their space comes back only when a
    // compaction merges the tombstones with the data, which size-triggered compactions of a store
    // that keeps a window seldom do (a 100,000-header window over 1,000,000 headers kept three
    // quarters of the full store's size on disk). A table file with half its entries deletions, in
    // any run of 4,096, is marked for compaction (RocksDB's CompactOnDeletionCollector).
    // RocksDB keeps its own reference to the factory: the Java handle is closed after the open.
    try (TablePropertiesCollectorFactory onDeletion =
        TablePropertiesCollectorFactory.NewCompactOnDeletionCollectorFactory(
            DELETION_WINDOW, DELETION_WINDOW / 2, 0)) {
      dbOptions.setTablePropertiesCollectorFactory(List.of(onDeletion));
      Files.createDirectories(path); // RocksDB creates only the last level
      db = RocksDB.open(dbOptions, path.toString());
    } catch (IOException e) {
      dbOptions.close();
      throw new StoreException("cannot create the directory " + path + " for RocksDB: " + e, e);
    } catch (RocksDBException e) {
      dbOptions.close();
      throw rocksFailure("cannot open RocksDB at " + path, e);
    }
    try {
      return new RocksDbHandles(db, keys, dbOptions);
    } catch (RuntimeException | Error e) {
      db.close();
      dbOptions.close();
      throw e;
    }
  }

  /** Releases everything after the store failed to open (its pointers did not check out). */
  void releaseAfterFailedOpen() {
    readOptions.close();
    writeOptions.close();
    if (ownedDbOptions != null) {
      db.close();
      ownedDbOptions.close();
    } else {
      IN_USE.remove(new InUse(db, keys.prefix));
    }
  }

  boolean isClosed() {
    return closed;
  }

  static StoreException closedException() {
    return new StoreException("store is closed");
  }

  /** A native call that may fail. */
  interface DbCall<T> {
    @Nullable
    T call() throws RocksDBException;
  }

  /** Reads one key; null if absent. */
  byte @Nullable [] read(byte[] key) {
    return withDb(() -> "reading " + keys.describe(key), () -> db.get(readOptions, key));
  }

  /**
   * Runs a native call unless the handles are closed; wraps RocksDB failures with {@code what}
   * (built only on failure: describing a key costs more than reading it from the cache).
   */
  <T> @Nullable T withDb(Supplier<String> what, DbCall<T> call) {
    ReentrantReadWriteLock.ReadLock l = lock.readLock();
    l.lock();
    try {
      if (closed) {
        throw closedException();
      }
      return call.call();
    } catch (RocksDBException e) {
      throw rocksFailure(what.get() + " failed", e);
    } finally {
      l.unlock();
    }
  }

  /** Writes one batch with the store's write options (the WAL on, no fsync). */
  void write(WriteBatch batch) throws RocksDBException {
    ReentrantReadWriteLock.ReadLock l = lock.readLock();
    l.lock();
    try {
      if (closed) {
        throw closedException();
      }
      db.write(writeOptions, batch);
    } finally {
      l.unlock();
    }
  }

  /** Syncs the WAL to disk. */
  void flushWal() {
    withDb(
        () -> "flushing the WAL",
        () -> {
          db.flushWal(true);
          return null;
        });
  }

  /** The first key in {@code [start, end)}, or null. */
  byte @Nullable [] firstKeyAtOrAfter(byte[] start, byte[] end) {
    return withDb(
        () -> "scanning for keys under prefix " + keys.prefix,
        () -> {
          try (Slice upper = new Slice(end);
              ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
              RocksIterator it = db.newIterator(ro)) {
            it.seek(start);
            if (it.isValid()) {
              return it.key();
            }
            it.status();
            return null;
          }
        });
  }

  /**
   * Syncs the WAL (unless a write failed), then closes the handles in this order: the store's
   * {@code WriteOptions} and {@code ReadOptions}, then (only when opened from a path) the RocksDB
   * and its {@code Options}. Waits for running native calls. Called once.
   *
   * @param afterFailure whether a write failed (RocksDB then refuses to flush; nothing new to
   *     report)
   * @return the first failure to report, or null
   */
  @Nullable
  StoreException close(boolean afterFailure) {
    StoreException err = null;
    lock.writeLock().lock();
    try {
      if (!afterFailure) {
        try {
          db.flushWal(true);
        } catch (RocksDBException e) {
          err = new StoreException("syncing the WAL on close failed: " + e, e);
        }
      }
      closed = true;
      writeOptions.close();
      readOptions.close();
      if (ownedDbOptions != null) {
        try {
          db.closeE();
        } catch (RocksDBException e) {
          if (!afterFailure) {
            err = err != null ? err : new StoreException("closing the RocksDB failed: " + e, e);
          } else {
            // After a failed write RocksDB refuses to flush its memtable on close ("Seen error"):
            // the
            // WAL holds what was written and the next open replays it. Nothing new to report.
            log.debug("closing the RocksDB after a failed write: {}", e.toString());
          }
        }
        ownedDbOptions.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
    if (ownedDbOptions == null) {
      IN_USE.remove(new InUse(db, keys.prefix));
    }
    return err;
  }

  /**
   * A RocksDB failure as a {@link StoreException}; damage to RocksDB's own files (a checksum
   * mismatch in an SST block, a MANIFEST or CURRENT that does not parse, a table file missing or
   * cut short) as a {@link CorruptStoreException} whose message keeps RocksDB's, which names the
   * file.
   */
  static StoreException rocksFailure(String what, RocksDBException e) {
    Status status = e.getStatus();
    String m = String.valueOf(e.getMessage());
    boolean corrupt =
        (status != null && status.getCode() == Status.Code.Corruption)
            || m.contains("Corruption")
            || m.contains("may be corrupted")
            || m.contains("checksum mismatch");
    if (corrupt) {
      return new CorruptStoreException(
          what
              + ": RocksDB's files are damaged ("
              + m
              + "); move the store away "
              + "and sync it again, or restore it from a backup",
          e);
    }
    return new StoreException(what + ": " + e, e);
  }
}
