package io.headersync.store;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.annotation.Nullable;
import io.headersync.instrument.Histogram;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.rocksdb.RocksDB;

/**
 * A {@link Store} in RocksDB: either inside the node's own RocksDB under a key prefix, or in an
 * embedded RocksDB that the store opens at a path and owns.
 *
 * <pre>{@code
 * // Inside the node's datastore (the node keeps owning and closing its RocksDB):
 * RocksDbStore<P2PSignedHeader> headers = RocksDbStore.builder(P2PSignedHeader.TYPE)
 *     .database(nodeDb)        // org.rocksdb.RocksDB, opened by the node
 *     .prefix("headerEx")      // the default; a data twin uses e.g. "blockEx"
 *     .build();
 *
 * // Embedded, owned by the store (closed by store.close()):
 * RocksDbStore<DummyHeader> store = RocksDbStore.builder(DummyHeader.TYPE).path(dir).build();
 * }</pre>
 *
 * <p>{@link Builder#database(RocksDB)} is the one place where a RocksDB type appears in
 * headersync's public API; only this package imports {@code org.rocksdb}.
 *
 * <h2>Layout</h2>
 *
 * Keys are binary, under a length-prefixed namespace so that one prefix can never be a prefix of
 * another ({@code headerEx} and {@code headerExtra} cannot collide):
 *
 * <pre>
 *   len(prefix) | prefix | 0x01 | height (8 bytes big-endian)  -> encoded header
 *   len(prefix) | prefix | 0x02 | hash                          -> height (8 bytes big-endian)
 *   len(prefix) | prefix | 0x03 | "head" or "tail"              -> height (8 bytes big-endian)
 * </pre>
 *
 * One write batch holds the headers, their hash-index entries and the head pointer (and the tail
 * pointer when the batch initialises the store), so after a crash the head pointer never points
 * past what is stored and the stored range is still contiguous.
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>{@link #append} checks contiguity on the caller's thread against the head <em>including
 *       queued appends</em>, encodes the headers (into RocksDB's own write-batch format, see {@code
 *       BatchRecords}), queues them and returns. It blocks while the queue holds {@link
 *       StoreOptions#writeQueueHeaders()} headers (backpressure).
 *   <li>One writer thread, {@code headersync-store-writer-<prefix>}, takes everything queued (up to
 *       {@link StoreOptions#maxBatchHeaders()} headers) into one {@code WriteBatch}, writes it with
 *       the WAL on and without fsync, makes the headers readable, and then hands the completion of
 *       the append futures and of the {@link #awaitHeight} futures it satisfied to the <b>callback
 *       executor</b> ({@link Builder#callbackExecutor}; by default a thread of the store's own,
 *       {@code headersync-store-callbacks-<prefix>}). Every future this store returns completes
 *       there (or on the caller's thread when it is returned already complete), never on the
 *       writer, so a slow callback does not hold up writes. An executor that refuses the work (shut
 *       down) fails the future with a {@link StoreException}; it is never completed normally on the
 *       writer.
 *   <li>With a direct callback executor ({@code Runnable::run}) callbacks run on the writer thread
 *       again: keep them short; an {@code append} called from one does not block on a full queue
 *       (it may overfill it) and {@link #flush()} or {@link #close()} called from one throw {@link
 *       IllegalStateException}, since they would wait for the writer itself.
 *   <li>Reads run on the caller's thread, concurrently with the writer. A reader sees a published
 *       {@code [tail, head]} snapshot that is only advanced after the batch is in RocksDB, so a
 *       header at or below the head a reader saw is always found.
 * </ul>
 *
 * <h2>Inside</h2>
 *
 * The store is a facade over package-private parts, one per concern: {@code RocksDbHandles} (the
 * RocksDB, its options and their life), {@code RocksDbReads} (the published range, the caches,
 * every read and the pointer check at open), {@code RocksDbWriter} (the queue and the writer
 * thread), {@code RocksDbBatches} (the write batches of appends and prepends), {@code
 * RocksDbDeletion} (applying a deletion), {@code RocksDbMetrics} and {@code StoreCallbacks} (where
 * futures complete).
 *
 * <h2>Durability</h2>
 *
 * A completed append future means readable, and written to RocksDB's WAL in the OS page cache: it
 * survives a crash of the JVM but not of the machine (unless a node-owned RocksDB was opened with
 * {@code manual_wal_flush}, which keeps the WAL in memory until flushed). {@link #flush()} syncs
 * the WAL to disk.
 *
 * <h2>Corruption</h2>
 *
 * A stored value that cannot be decoded, a missing header inside {@code [tail, head]}, or head/tail
 * pointers that do not match the stored headers at open, fail with {@link CorruptStoreException}
 * naming the key (readable and hex) and the cause; never with a silent empty result.
 *
 * <h2>Pitfalls</h2>
 *
 * <ul>
 *   <li>When the node owns the RocksDB it must close this store <em>before</em> closing its
 *       RocksDB.
 *   <li>Two stores must not share one prefix in one RocksDB; the second would overwrite the first's
 *       pointers. {@link Builder#build()} refuses a second open store on the same node-owned
 *       RocksDB handle and prefix in one JVM (an embedded RocksDB is protected by its own lock
 *       file).
 *   <li>After a failed RocksDB write the store accepts no more appends (each throws the failure);
 *       reads keep working. Reopen it to recover from what is stored.
 *   <li>The writer is a daemon thread: a JVM that exits without {@link #close()} loses the queued
 *       appends, exactly as in a crash (what is stored stays consistent).
 * </ul>
 *
 * @param <H> the header type
 */
public final class RocksDbStore<H extends Header> implements Store<H> {
  /**
   * The default key prefix, {@value}: that of the header store in headersync's seed network profile
   * (go-header itself defaults to {@code /headers}; ev-node's data twin uses another prefix).
   */
  public static final String DEFAULT_PREFIX = "headerEx";

  static {
    // Before any RocksJava class loads the library its own way (a new 17 MB copy in the temp dir).
    RocksDbNative.load();
  }

  private final Keys keys;
  private final StoreOptions options;
  private final RocksDbHandles handles;
  private final RocksDbMetrics metrics = new RocksDbMetrics();
  private final RocksDbReads<H> reads;
  private final StoreCallbacks callbacks;
  private final HeightWaiters<H> waiters;
  private final RocksDbWriter<H> writer;
  private final CountDownLatch closeDone = new CountDownLatch(1);

  /** Takes over {@code handles}: releases them if the store cannot open. */
  private RocksDbStore(
      HeaderType<H> type,
      Keys keys,
      StoreOptions options,
      RocksDbHandles handles,
      StoreCallbacks callbacks,
      boolean serializedBatches) {
    this.keys = keys;
    this.options = options;
    this.handles = handles;
    this.callbacks = callbacks;
    try {
      this.reads = new RocksDbReads<>(type, keys, handles, options, metrics);
    } catch (RuntimeException | Error e) {
      handles.releaseAfterFailedOpen();
      callbacks.shutdown();
      throw e;
    }
    this.waiters = new HeightWaiters<>(options.maxWaiters(), reads::bounds, callbacks);
    RocksDbBatches<H> batches = new RocksDbBatches<>(keys, handles, serializedBatches);
    RocksDbDeletion<H> deletion = new RocksDbDeletion<>(keys, handles, reads);
    this.writer =
        new RocksDbWriter<>(
            keys.prefix, options, handles, reads, batches, deletion, metrics, waiters, callbacks);
  }

  /**
   * A builder for a store of headers of {@code type}.
   *
   * @param <H> the header type
   * @param type the type of the stored headers (how they are encoded and decoded)
   * @return a builder; give it {@link Builder#database(RocksDB)} or {@link Builder#path(Path)}
   */
  public static <H extends Header> Builder<H> builder(HeaderType<H> type) {
    return new Builder<>(Objects.requireNonNull(type, "type == null"));
  }

  /**
   * The key prefix of this store.
   *
   * @return the prefix given to the builder
   */
  public String prefix() {
    return keys.prefix;
  }

  /**
   * The options this store was built with.
   *
   * @return the options
   */
  public StoreOptions options() {
    return options;
  }

  // ---- reads (RocksDbReads) ----

  @Override
  public Optional<H> head() {
    Bounds<H> b = reads.openBounds();
    return b == null ? Optional.empty() : Optional.of(b.head);
  }

  @Override
  public Optional<H> tail() {
    Bounds<H> b = reads.openBounds();
    return b == null ? Optional.empty() : Optional.of(b.tail);
  }

  @Override
  public long height() {
    Bounds<H> b = reads.openBounds();
    return b == null ? 0 : b.headHeight();
  }

  @Override
  public boolean hasAt(long height) {
    Bounds<H> b = reads.openBounds();
    return b != null && b.contains(height);
  }

  @Override
  public Optional<H> getByHeight(long height) {
    return reads.getByHeight(height);
  }

  @Override
  public Optional<H> get(Hash hash) {
    return reads.get(hash);
  }

  @Override
  public boolean has(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    reads.openBounds(); // throws when closed
    return get(hash).isPresent();
  }

  @Override
  public List<H> getRange(long from, long to) {
    return reads.getRange(from, to);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A pending future completes on the store's callback executor once the writer published the
   * height; one for a height already stored is returned complete.
   */
  @Override
  public CompletableFuture<H> awaitHeight(long height) {
    InMemoryStore.requirePositive(height);
    if (handles.isClosed()) {
      return CompletableFuture.failedFuture(RocksDbHandles.closedException());
    }
    CompletableFuture<H> f = waiters.register(height);
    if (f != null) {
      return f;
    }
    try {
      Bounds<H> b = reads.openBounds();
      if (b == null || height < b.tailHeight()) {
        return CompletableFuture.failedFuture(
            new HeaderNotFoundException(
                "height "
                    + height
                    + " is below the store's tail "
                    + (b == null ? "?" : b.tailHeight())
                    + "; it will never be stored"));
      }
      return CompletableFuture.completedFuture(reads.headerAt(height, b));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * go-header's store histograms: the time of each write batch ({@code hdr_store_flush_time_hist},
   * with {@code amount} = headers / 100 and {@code failed}) and of each single-header read that
   * missed the cache ({@code hdr_store_read_time_hist}).
   *
   * @return the two histograms, live
   */
  public List<Histogram> histograms() {
    return metrics.histograms();
  }

  /**
   * How many appends had to wait for room in the write queue (go-header's {@code
   * hdr_store_writes_blocked_counter}).
   *
   * @return the count since the store opened
   */
  public long writesBlocked() {
    return metrics.writesBlocked();
  }

  // ---- writes (RocksDbWriter) ----

  /**
   * {@inheritDoc}
   *
   * <p>The future completes on the store's callback executor.
   */
  @Override
  public CompletableFuture<Void> append(List<? extends H> headers) {
    return writer.append(headers);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The future completes on the store's callback executor.
   */
  @Override
  public CompletableFuture<Void> prepend(List<? extends H> headers) {
    return writer.prepend(headers);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The future completes on the store's callback executor.
   */
  @Override
  public CompletableFuture<Void> deleteRange(long from, long to) {
    return writer.deleteRange(from, to);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The future completes on the store's callback executor (at once when nothing is queued and
   * nothing is to be deleted).
   */
  @Override
  public CompletableFuture<Long> deleteTo(long to) {
    return writer.deleteTo(to);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if called on the writer thread (from a future callback, with a
   *     direct callback executor)
   */
  @Override
  public void flush() {
    writer.flush();
  }

  // ---- lifecycle ----

  /**
   * Waits for queued appends to be written, syncs the WAL, fails pending {@link #awaitHeight}
   * futures, and closes the native handles in this order: the store's {@code WriteOptions} and
   * {@code ReadOptions}, then (only when the store opened it from a path) the RocksDB and its
   * {@code Options}. A node-owned RocksDB is left open. Reads wait for the handles; after close
   * every method but {@code close} throws {@link StoreException}. The store's own callback thread
   * ends once it delivered the last completions; a callback executor given to the builder is left
   * running. Idempotent; a second caller waits for the first to finish.
   *
   * @throws IllegalStateException if called on the writer thread (from a future callback, with a
   *     direct callback executor)
   * @throws StoreException if the final WAL sync or closing the RocksDB failed (resources are
   *     released anyway)
   */
  @Override
  public void close() {
    if (writer.isWriterThread()) {
      throw new IllegalStateException(
          "close() called on the store's writer thread (from a future callback); "
              + "it would wait for itself. Call it from another thread.");
    }
    if (!writer.beginClose()) {
      awaitUninterruptibly(closeDone);
      return;
    }
    writer.join();
    StoreException err = handles.close(writer.failed());
    reads.clearCaches();
    waiters.closeAll(RocksDbHandles.closedException());
    callbacks.shutdown();
    closeDone.countDown();
    if (err != null) {
      throw err;
    }
  }

  @Override
  public String toString() {
    return "RocksDbStore{"
        + keys.prefix
        + (handles.isClosed() ? ", closed" : ", " + reads.bounds())
        + "}";
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Builds a {@link RocksDbStore}. Give exactly one of {@link #database(RocksDB)} and {@link
   * #path(Path)}.
   *
   * @param <H> the header type
   */
  public static final class Builder<H extends Header> {
    private final HeaderType<H> type;
    private String prefix = DEFAULT_PREFIX;
    private StoreOptions options = StoreOptions.defaults();
    private @Nullable RocksDB database;
    private @Nullable Path path;
    private @Nullable Executor callbackExecutor;
    private boolean serializedBatches = true;

    private Builder(HeaderType<H> type) {
      this.type = type;
    }

    /**
     * The key prefix, {@value RocksDbStore#DEFAULT_PREFIX} by default; 1 to 255 UTF-8 bytes. Use a
     * distinct prefix per store in one RocksDB, e.g. {@code "blockEx"} for the data twin.
     *
     * @param prefix the namespace of the store's keys
     * @return this builder
     */
    public Builder<H> prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix == null");
      return this;
    }

    /**
     * The limits; {@link StoreOptions#defaults()} unless set.
     *
     * @param options the store's limits
     * @return this builder
     */
    public Builder<H> options(StoreOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Use the node's open RocksDB (its main datastore). The node keeps owning it: the store never
     * closes it, and the node must close the store first. This is the one RocksDB type in
     * headersync's public API.
     *
     * @param database the node's open RocksDB
     * @return this builder
     */
    public Builder<H> database(RocksDB database) {
      this.database = Objects.requireNonNull(database, "database == null");
      return this;
    }

    /**
     * Open (creating if missing) an embedded RocksDB in this directory; the store owns it and
     * closes it in {@link RocksDbStore#close()}. Its options are RocksDB's defaults except: LZ4
     * compression and at most 2 background flush/compaction jobs. A node that wants other options
     * opens the RocksDB itself and passes it to {@link #database(RocksDB)}.
     *
     * @param path the RocksDB's directory
     * @return this builder
     */
    public Builder<H> path(Path path) {
      this.path = Objects.requireNonNull(path, "path == null");
      return this;
    }

    /**
     * Where the store completes the futures it returns (appends, prepends, deletions, {@code
     * awaitHeight}), so that code chained on them never runs on the store's writer thread. A node
     * passes its worker pool ({@code HeaderSyncService} does); the store never shuts it down. Work
     * the executor refuses (it was shut down) fails the future with a {@link StoreException} whose
     * cause is the {@link java.util.concurrent.RejectedExecutionException}; it is never run on the
     * writer instead.
     *
     * <p>Default: one daemon thread owned by the store, {@code
     * headersync-store-callbacks-<prefix>}, started when first needed, ended after 30 s without
     * work and shut down by {@link RocksDbStore#close()}. One thread, because it completes the
     * futures in the order the writer wrote them, costs nothing while idle (a read-only store never
     * starts it), and borrows no shared pool: {@code ForkJoinPool.commonPool()} has one thread on a
     * two-core machine and is shared with parallel streams, so a blocking callback there would
     * stall unrelated work.
     *
     * <p>A direct executor ({@code Runnable::run}) runs callbacks on the writer thread (the
     * behaviour before this setting existed); see the class comment for what that forbids in them.
     *
     * @param executor where the store's futures complete
     * @return this builder
     */
    public Builder<H> callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** For tests: write with one {@code WriteBatch.put} per key instead of serialised batches. */
    Builder<H> serializedBatches(boolean on) {
      this.serializedBatches = on;
      return this;
    }

    /**
     * Opens the store: reads and checks its head and tail pointers and starts its writer thread.
     *
     * @return the open store
     * @throws IllegalStateException if neither or both of {@code database} and {@code path} are
     *     set, or a store with this prefix is already open on this {@code database}
     * @throws IllegalArgumentException if the prefix is empty or longer than 255 UTF-8 bytes
     * @throws CorruptStoreException if the stored pointers do not match the stored headers
     * @throws StoreException if RocksDB cannot be opened or read
     */
    public RocksDbStore<H> build() {
      if ((database == null) == (path == null)) {
        throw new IllegalStateException(
            database == null
                ? "RocksDbStore.Builder needs database(RocksDB) or path(Path); neither was set"
                : "RocksDbStore.Builder needs database(RocksDB) or path(Path), not both");
      }
      Keys keys = new Keys(prefix);
      RocksDbHandles handles =
          database != null
              ? RocksDbHandles.nodeOwned(database, keys)
              : RocksDbHandles.openPath(Objects.requireNonNull(path), keys);
      StoreCallbacks callbacks =
          callbackExecutor != null
              ? StoreCallbacks.on(callbackExecutor)
              : StoreCallbacks.owned(prefix);
      return new RocksDbStore<>(type, keys, options, handles, callbacks, serializedBatches);
    }
  }
}
