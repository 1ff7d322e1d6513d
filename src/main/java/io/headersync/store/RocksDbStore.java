package io.headersync.store;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.annotation.Nullable;
import io.headersync.instrument.Histogram;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongFunction;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.TablePropertiesCollectorFactory;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

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
 * <p>{@link Builder#database(RocksDB)} is the one place where a RocksDB type appears in headersync's
 * public API; only this package imports {@code org.rocksdb}.
 *
 * <h2>Layout</h2>
 * Keys are binary, under a length-prefixed namespace so that one prefix can never be a prefix of
 * another ({@code headerEx} and {@code headerExtra} cannot collide):
 * <pre>
 *   len(prefix) | prefix | 0x01 | height (8 bytes big-endian)  -> encoded header
 *   len(prefix) | prefix | 0x02 | hash                          -> height (8 bytes big-endian)
 *   len(prefix) | prefix | 0x03 | "head" or "tail"              -> height (8 bytes big-endian)
 * </pre>
 * One write batch holds the headers, their hash-index entries and the head pointer (and the tail
 * pointer when the batch initialises the store), so after a crash the head pointer never points past
 * what is stored and the stored range is still contiguous.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #append} checks contiguity on the caller's thread against the head <em>including queued
 *   appends</em>, encodes the headers (into RocksDB's own write-batch format, see
 *   {@code BatchRecords}), queues them and returns. It blocks while the queue holds
 *   {@link StoreOptions#writeQueueHeaders()} headers (backpressure).
 *   <li>One writer thread, {@code headersync-store-writer-<prefix>}, takes everything queued (up to
 *   {@link StoreOptions#maxBatchHeaders()} headers) into one {@code WriteBatch}, writes it with the WAL
 *   on and without fsync, makes the headers readable, and then completes the append futures and the
 *   {@link #awaitHeight} futures it satisfied. <b>Those callbacks run on the writer thread</b>: keep
 *   them short; an {@code append} called from one does not block on a full queue (it may overfill it)
 *   and {@link #flush()} or {@link #close()} called from one throw {@link IllegalStateException},
 *   since they would wait for the writer itself.
 *   <li>Reads run on the caller's thread, concurrently with the writer. A reader sees a published
 *   {@code [tail, head]} snapshot that is only advanced after the batch is in RocksDB, so a header at
 *   or below the head a reader saw is always found.
 * </ul>
 *
 * <h2>Durability</h2>
 * A completed append future means readable, and written to RocksDB's WAL in the OS page cache: it
 * survives a crash of the JVM but not of the machine (unless a node-owned RocksDB was opened with
 * {@code manual_wal_flush}, which keeps the WAL in memory until flushed). {@link #flush()} syncs the
 * WAL to disk.
 *
 * <h2>Corruption</h2>
 * A stored value that cannot be decoded, a missing header inside {@code [tail, head]}, or head/tail
 * pointers that do not match the stored headers at open, fail with {@link CorruptStoreException}
 * naming the key (readable and hex) and the cause; never with a silent empty result.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>When the node owns the RocksDB it must close this store <em>before</em> closing its RocksDB.
 *   <li>Two stores must not share one prefix in one RocksDB; the second would overwrite the first's
 *   pointers. {@link Builder#build()} refuses a second open store on the same node-owned RocksDB
 *   handle and prefix in one JVM (an embedded RocksDB is protected by its own lock file).
 *   <li>After a failed RocksDB write the store accepts no more appends (each throws the failure);
 *   reads keep working. Reopen it to recover from what is stored.
 *   <li>The writer is a daemon thread: a JVM that exits without {@link #close()} loses the queued
 *   appends, exactly as in a crash (what is stored stays consistent).
 * </ul>
 *
 * @param <H> the header type
 */
public final class RocksDbStore<H extends Header> implements Store<H> {
  private static final Logger log = LoggerFactory.getLogger(RocksDbStore.class);
  /**
   * The default key prefix, {@value}: that of the header store in headersync's seed network profile
   * (go-header itself defaults to {@code /headers}; ev-node's data twin uses another prefix).
   */
  public static final String DEFAULT_PREFIX = "headerEx";
  /** Entries per sliding window of the compact-on-deletion marking (see the builder). */
  private static final long DELETION_WINDOW = 4_096;

  static {
    // Before any RocksJava class loads the library its own way (a new 17 MB copy in the temp dir).
    RocksDbNative.load();
  }

  private final HeaderType<H> type;
  private final Keys keys;
  private final StoreOptions options;
  private final RocksDB db;
  private final @Nullable Options ownedDbOptions;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  /** {@link BatchRecords#SUPPORTED}, unless a test asked for {@code WriteBatch.put}. */
  private final boolean serializedBatches;

  /** Read: a native handle is in use. Write: close() is closing the handles. */
  private final ReentrantReadWriteLock handles = new ReentrantReadWriteLock();
  /** Set (under the handles write lock) once the native handles are closed. */
  private volatile boolean closed;

  private final LruCache<Long, H> headerCache;
  private final LruCache<Hash, Long> hashCache;
  private final HeightWaiters<H> waiters;
  private final Histogram flushTime = new Histogram("hdr_store_flush_time_hist", "header store flush time in seconds",
      "s", Histogram.SECONDS, "amount", "failed");
  private final Histogram readTime = new Histogram("hdr_store_read_time_hist",
      "header store single header read time from datastore in seconds and ignoring cache", "s", Histogram.SECONDS,
      "failed");
  private final AtomicLong writesBlocked = new AtomicLong();
  private volatile @Nullable Bounds<H> bounds;

  // The write queue, guarded by queueLock.
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition notEmpty = queueLock.newCondition();
  private final Condition notFull = queueLock.newCondition();
  private final ArrayDeque<Item<H>> queue = new ArrayDeque<>();
  private int queuedHeaders;
  private long pendingHead;
  /** The tail counting queued appends and deletions; 0 when {@link #pendingHead} is 0 (empty). */
  private long pendingTail;
  private boolean closing;
  private @Nullable StoreException failure;

  private final Thread writer;
  private final CountDownLatch closeDone = new CountDownLatch(1);

  private RocksDbStore(HeaderType<H> type, Keys keys, StoreOptions options, RocksDB db, @Nullable Options ownedDbOptions,
      boolean serializedBatches) {
    this.type = type;
    this.serializedBatches = serializedBatches && BatchRecords.SUPPORTED;
    this.keys = keys;
    this.options = options;
    this.db = db;
    this.ownedDbOptions = ownedDbOptions;
    this.headerCache = new LruCache<>(options.headerCacheSize());
    this.hashCache = new LruCache<>(options.hashCacheSize());
    this.waiters = new HeightWaiters<>(options.maxWaiters(), () -> bounds);
    WriteOptions wo = new WriteOptions();
    ReadOptions ro = null;
    try {
      ro = new ReadOptions();
      this.readOptions = ro;
      this.bounds = loadBounds();
    } catch (RuntimeException | Error e) {
      if (ro != null) {
        ro.close();
      }
      wo.close();
      throw e;
    }
    // The WAL stays on (never disableWAL); no fsync per write: flush() syncs.
    this.writeOptions = wo;
    Bounds<H> b = bounds;
    this.pendingHead = b == null ? 0 : b.headHeight();
    this.pendingTail = b == null ? 0 : b.tailHeight();
    this.writer = new Thread(this::runWriter, "headersync-store-writer-" + keys.prefix);
    writer.setDaemon(true);
    writer.start();
  }

  /** A builder for a store of headers of {@code type}. */
  public static <H extends Header> Builder<H> builder(HeaderType<H> type) {
    return new Builder<>(Objects.requireNonNull(type, "type == null"));
  }

  /** The key prefix of this store. */
  public String prefix() {
    return keys.prefix;
  }

  /** The options this store was built with. */
  public StoreOptions options() {
    return options;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public Optional<H> head() {
    Bounds<H> b = openBounds();
    return b == null ? Optional.empty() : Optional.of(b.head);
  }

  @Override
  public Optional<H> tail() {
    Bounds<H> b = openBounds();
    return b == null ? Optional.empty() : Optional.of(b.tail);
  }

  @Override
  public long height() {
    Bounds<H> b = openBounds();
    return b == null ? 0 : b.headHeight();
  }

  @Override
  public boolean hasAt(long height) {
    Bounds<H> b = openBounds();
    return b != null && b.contains(height);
  }

  @Override
  public Optional<H> getByHeight(long height) {
    InMemoryStore.requirePositive(height);
    Bounds<H> b = openBounds();
    if (b == null || !b.contains(height)) {
      return Optional.empty();
    }
    try {
      return Optional.of(headerAt(height, b));
    } catch (DeletedWhileReadException e) {
      return Optional.empty();
    }
  }

  /** The header at a height known to be within {@code b}: from the bounds, the cache or the disk. */
  private H headerAt(long height, Bounds<H> b) {
    H h = cached(height, b);
    if (h == null) {
      h = readHeaderTimed(height);
      headerCache.put(height, h);
    }
    return h;
  }

  private @Nullable H cached(long height, Bounds<H> b) {
    if (height == b.headHeight()) {
      return b.head;
    }
    if (height == b.tailHeight()) {
      return b.tail;
    }
    return headerCache.get(height);
  }

  @Override
  public Optional<H> get(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    Bounds<H> b = openBounds();
    if (b == null) {
      return Optional.empty();
    }
    long height = heightOf(hash, b, true);
    if (height == 0) {
      return Optional.empty();
    }
    H h;
    try {
      h = headerAt(height, b);
    } catch (DeletedWhileReadException e) {
      return Optional.empty();
    }
    if (!h.hash().equals(hash)) {
      // Perhaps a cached index entry of a header deleted from the head and replaced at its height:
      // ask the disk's index once.
      hashCache.remove(hash);
      long fresh = heightOf(hash, b, false);
      if (fresh == 0) {
        return Optional.empty();
      }
      try {
        h = fresh == height ? h : headerAt(fresh, b);
      } catch (DeletedWhileReadException e) {
        return Optional.empty();
      }
      height = fresh;
    }
    if (!h.hash().equals(hash)) {
      if (bounds != b) {
        return Optional.empty(); // deleted and replaced while we read
      }
      throw new CorruptStoreException("hash index key " + keys.describe(keys.hash(hash)) + " points at height " + height
          + " but the header stored there has hash " + h.hash());
    }
    return Optional.of(h);
  }

  @Override
  public boolean has(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    openBounds(); // throws when closed
    return get(hash).isPresent();
  }

  /** The height the hash index gives for {@code hash} if it is within {@code b}, else 0. */
  private long heightOf(Hash hash, Bounds<H> b, boolean useCache) {
    Long cachedHeight = useCache ? hashCache.get(hash) : null;
    long height;
    if (cachedHeight != null) {
      height = cachedHeight;
    } else {
      byte[] key = keys.hash(hash);
      byte[] value = read(key);
      if (value == null) {
        return 0;
      }
      if (value.length != 8) {
        throw new CorruptStoreException("value of key " + keys.describe(key) + " is " + value.length
            + " bytes, not an 8-byte height: " + Keys.hex(value, 0, Math.min(value.length, 64)));
      }
      height = Keys.getLong(value, 0);
      if (b.contains(height)) {
        hashCache.put(hash, height);
      }
    }
    // Outside the bounds: written by a batch not yet published, or corrupt; either way not stored.
    return b.contains(height) ? height : 0;
  }

  @Override
  public List<H> getRange(long from, long to) {
    InMemoryStore.checkRange(from, to);
    if (to - from > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("range [" + from + ", " + to + ") is too large");
    }
    Bounds<H> b = openBounds();
    InMemoryStore.requireRangeStored(b, from, to);
    List<H> out = new ArrayList<>((int) (to - from));
    long next = from;
    for (H h; next < to && (h = cached(next, b)) != null; next++) {
      out.add(h);
    }
    if (next < to) {
      scan(next, to, out);
    }
    return out;
  }

  /**
   * Reads {@code [from, to)} with one iterator bounded above by the key of {@code to}. Scanned
   * headers are not cached: range reads mostly serve syncing peers, and would evict the recent
   * headers that gossip and head requests ask for.
   */
  private void scan(long from, long to, List<H> out) {
    byte[] start = keys.header(from);
    byte[] end = keys.header(to);
    withDb(() -> "scanning heights [" + from + ", " + to + ")", () -> {
      // Closed in reverse order: iterator, then the ReadOptions, then the Slice they point to.
      try (Slice upper = new Slice(end);
          ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = db.newIterator(ro)) {
        it.seek(start);
        for (long h = from; h < to; h++) {
          if (!it.isValid()) {
            it.status();
            throw missingHeader(h);
          }
          byte[] key = it.key();
          if (!keys.isHeaderKey(key) || keys.heightOf(key) != h) {
            throw missingHeader(h);
          }
          out.add(decode(key, it.value(), h));
          it.next();
        }
      }
      return null;
    });
  }

  private H readHeader(long height) {
    byte[] key = keys.header(height);
    byte[] value = read(key);
    if (value == null) {
      throw missingHeader(height);
    }
    return decode(key, value, height);
  }

  /** {@link #readHeader}, timed (a read that missed the cache, as go-header times it). */
  private H readHeaderTimed(long height) {
    long started = System.nanoTime();
    boolean failed = true;
    try {
      H h = readHeader(height);
      failed = false;
      return h;
    } finally {
      readTime.record((System.nanoTime() - started) / 1e9, Boolean.toString(failed));
    }
  }

  /**
   * go-header's store histograms: the time of each write batch ({@code hdr_store_flush_time_hist},
   * with {@code amount} = headers / 100 and {@code failed}) and of each single-header read that missed
   * the cache ({@code hdr_store_read_time_hist}).
   */
  public List<Histogram> histograms() {
    return List.of(flushTime, readTime);
  }

  /**
   * How many appends had to wait for room in the write queue (go-header's {@code
   * hdr_store_writes_blocked_counter}).
   */
  public long writesBlocked() {
    return writesBlocked.get();
  }

  private StoreException missingHeader(long height) {
    Bounds<H> now = bounds;
    if (now == null || !now.contains(height)) {
      return new DeletedWhileReadException("height " + height + " was deleted while it was read; the store holds "
          + (now == null ? "nothing" : now));
    }
    return new CorruptStoreException("key " + keys.describe(keys.header(height))
        + " is absent although its height is within the stored range " + now);
  }

  /** A read raced a deletion: the height left the stored range between reading the bounds and the key. */
  private static final class DeletedWhileReadException extends HeaderNotFoundException {
    private static final long serialVersionUID = 1L;

    DeletedWhileReadException(String message) {
      super(message);
    }
  }

  private H decode(byte[] key, byte[] value, long height) {
    H h;
    try {
      h = type.decode(value);
    } catch (RuntimeException e) {
      throw new CorruptStoreException("value of key " + keys.describe(key) + " (" + value.length
          + " bytes) is not a valid " + type.name() + ": " + e, e);
    }
    if (h.height() != height) {
      throw new CorruptStoreException("value of key " + keys.describe(key) + " decodes to a " + type.name()
          + " at height " + h.height());
    }
    return h;
  }

  @Override
  public CompletableFuture<H> awaitHeight(long height) {
    InMemoryStore.requirePositive(height);
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    CompletableFuture<H> f = waiters.register(height);
    if (f != null) {
      return f;
    }
    try {
      Bounds<H> b = openBounds();
      if (b == null || height < b.tailHeight()) {
        return CompletableFuture.failedFuture(new HeaderNotFoundException("height " + height
            + " is below the store's tail " + (b == null ? "?" : b.tailHeight()) + "; it will never be stored"));
      }
      return CompletableFuture.completedFuture(headerAt(height, b));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public CompletableFuture<Void> append(List<? extends H> headers) {
    // Validate and encode on the caller's thread, outside the lock: the writer only concatenates.
    List<H> list = Appends.copyChecked(headers);
    BatchRecords records = serializedBatches ? encode(list) : null;
    queueLock.lock();
    try {
      checkAccepting();
      Appends.checkExtends(list, pendingHead);
      if (Thread.currentThread() != writer) {
        if (queuedHeaders > 0 && queuedHeaders + list.size() > options.writeQueueHeaders()) {
          writesBlocked.incrementAndGet();
        }
        while (queuedHeaders > 0 && queuedHeaders + list.size() > options.writeQueueHeaders()) {
          try {
            notFull.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for room in the write queue; nothing was queued", e);
          }
          checkAccepting();
          Appends.checkExtends(list, pendingHead);
        }
      }
      Item<H> item = new Item<>(list, records, false);
      queue.add(item);
      queuedHeaders += list.size();
      if (pendingHead == 0) {
        pendingTail = list.get(0).height();
      }
      pendingHead = list.get(list.size() - 1).height();
      notEmpty.signal();
      return item.future;
    } finally {
      queueLock.unlock();
    }
  }

  /** The header and hash-index records of {@code headers}, in RocksDB's batch format. */
  private BatchRecords encode(List<H> headers) {
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

  @Override
  public CompletableFuture<Void> prepend(List<? extends H> headers) {
    List<H> list = Appends.copyChecked(headers);
    BatchRecords records = encode(list);
    queueLock.lock();
    try {
      checkAccepting();
      Appends.checkPrecedes(list, pendingTail);
      Item<H> item = new Item<>(list, records);
      queue.add(item);
      queuedHeaders += list.size();
      pendingTail = list.get(0).height();
      notEmpty.signal();
      return item.future;
    } finally {
      queueLock.unlock();
    }
  }

  @Override
  public CompletableFuture<Void> deleteRange(long from, long to) {
    queueLock.lock();
    try {
      checkAccepting();
      return queueDelete(from, to, Deletes.check(from, to, pendingTail, pendingHead, options.maxDeleteHeaders()));
    } finally {
      queueLock.unlock();
    }
  }

  @Override
  public CompletableFuture<Long> deleteTo(long to) {
    queueLock.lock();
    try {
      checkAccepting();
      long[] step = Deletes.stepTo(to, pendingTail, pendingHead, options.maxDeleteHeaders());
      if (step == null) {
        // Nothing to delete, but complete only after what is queued before it, like any deletion.
        long tail = pendingTail;
        if (queue.isEmpty()) {
          return CompletableFuture.completedFuture(tail);
        }
        Item<H> noop = new Item<>(tail, tail, Deletes.Shape.TAIL_UP);
        queue.add(noop);
        notEmpty.signal();
        return noop.future.thenApply(v -> tail);
      }
      long newTail = step[1];
      return queueDelete(step[0], newTail, Deletes.Shape.TAIL_UP).thenApply(v -> newTail);
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Queues a checked deletion (under {@link #queueLock}) and moves the pending range. A deletion is
   * never coalesced with appends: it is its own write batch. It does not count towards the queue's
   * header limit (it carries no headers; the writer reads at most {@code maxDeleteHeaders} of them).
   */
  private CompletableFuture<Void> queueDelete(long from, long to, Deletes.Shape shape) {
    Item<H> item = new Item<>(from, to, shape);
    queue.add(item);
    switch (shape) {
      case WIPE:
        pendingHead = 0;
        pendingTail = 0;
        break;
      case TAIL_UP:
        pendingTail = to;
        break;
      default:
        pendingHead = from - 1;
        break;
    }
    notEmpty.signal();
    return item.future;
  }

  @Override
  public void flush() {
    if (Thread.currentThread() == writer) {
      throw new IllegalStateException("flush() called on the store's writer thread (from a future callback); "
          + "it would wait for itself. Call it from another thread.");
    }
    Item<H> barrier = new Item<>(List.of(), null, true);
    queueLock.lock();
    try {
      checkAccepting();
      queue.add(barrier);
      notEmpty.signal();
    } finally {
      queueLock.unlock();
    }
    try {
      barrier.future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for flush", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof StoreException ? (StoreException) c : new StoreException("flush failed: " + c, c);
    }
  }

  private void checkAccepting() {
    if (closing) {
      throw new StoreException("store is closed");
    }
    if (failure != null) {
      throw new StoreFailedException("store no longer accepts writes after a failed write: " + failure.getMessage(),
          failure);
    }
  }

  /** The writer loop: take what is queued, write it as one batch, publish, complete futures. */
  private void runWriter() {
    List<Item<H>> group = new ArrayList<>();
    while (true) {
      StoreException failed;
      queueLock.lock();
      try {
        while (queue.isEmpty() && !closing) {
          notEmpty.awaitUninterruptibly();
        }
        if (queue.isEmpty()) {
          return; // closing and drained
        }
        int n = 0;
        for (Item<H> it; (it = queue.peek()) != null; ) {
          if (!group.isEmpty() && (n + it.headers.size() > options.maxBatchHeaders() || it.delete != null
              || it.prepend || group.get(0).delete != null || group.get(0).prepend)) {
            break; // a deletion or a prepend is a batch of its own
          }
          queue.poll();
          group.add(it);
          n += it.headers.size();
        }
        queuedHeaders -= n;
        notFull.signalAll();
        failed = failure;
      } finally {
        queueLock.unlock();
      }
      try {
        process(group, failed);
      } catch (RuntimeException | Error e) {
        StoreException se = new StoreFailedException("the store's writer failed: " + e, e);
        fail(se);
        for (Item<H> it : group) {
          it.future.completeExceptionally(se);
        }
      }
      group.clear();
    }
  }

  private void process(List<Item<H>> group, @Nullable StoreException failed) {
    if (group.get(0).delete != null) {
      processDelete(group.get(0), failed);
      return;
    }
    if (group.get(0).prepend) {
      processPrepend(group.get(0), failed);
      return;
    }
    if (failed != null) {
      for (Item<H> it : group) {
        it.future.completeExceptionally(failed);
      }
      return;
    }
    List<H> all = group.size() == 1 ? group.get(0).headers : new ArrayList<>();
    boolean barrier = false;
    for (Item<H> it : group) {
      barrier |= it.barrier;
      if (all != group.get(0).headers) {
        all.addAll(it.headers);
      }
    }
    if (!all.isEmpty()) {
      Bounds<H> old = bounds;
      long started = System.nanoTime();
      try {
        write(group, all, old == null);
        flushTime.record((System.nanoTime() - started) / 1e9, Integer.toString(all.size() / 100), "false");
      } catch (RocksDBException | RuntimeException e) {
        flushTime.record((System.nanoTime() - started) / 1e9, Integer.toString(all.size() / 100), "true");
        StoreException se = new StoreFailedException("writing heights " + all.get(0).height() + ".."
            + all.get(all.size() - 1).height() + " failed" + diskHint(e) + "; the store keeps heights up to "
            + (old == null ? 0 : old.head.height()) + " and accepts no more appends until it is reopened: " + e, e);
        fail(se);
        for (Item<H> it : group) {
          it.future.completeExceptionally(se);
        }
        return;
      }
      headerCache.putAll(all, Header::height, h -> h);
      hashCache.putAll(all, Header::hash, Header::height);
      Bounds<H> b = new Bounds<>(old == null ? all.get(0) : old.tail, all.get(all.size() - 1));
      bounds = b;
      for (Item<H> it : group) {
        if (!it.barrier) {
          it.future.complete(null);
        }
      }
      long first = all.get(0).height();
      List<H> batch = all;
      LongFunction<H> lookup = h -> h >= first ? batch.get((int) (h - first)) : headerAt(h, b);
      waiters.release(b, lookup);
    }
    if (barrier) {
      StoreException err = null;
      try {
        withDb(() -> "flushing the WAL", () -> {
          db.flushWal(true);
          return null;
        });
      } catch (StoreException e) {
        err = e;
      }
      for (Item<H> it : group) {
        if (it.barrier) {
          if (err == null) {
            it.future.complete(null);
          } else {
            it.future.completeExceptionally(err);
          }
        }
      }
    }
  }

  /**
   * Applies one deletion: reads the doomed headers (for their hash-index keys) and the header that
   * becomes the tail or head, publishes the smaller range (readers stop at it), then deletes the
   * headers, their index entries and moves the pointer in one write batch, and drops the cache
   * entries. A crash before the batch leaves the old range; after it, the new one.
   */
  private void processDelete(Item<H> item, @Nullable StoreException failed) {
    if (failed != null) {
      item.future.completeExceptionally(failed);
      return;
    }
    long from = item.from;
    long to = item.to;
    Deletes.Shape shape = Objects.requireNonNull(item.delete);
    if (from == to) {
      item.future.complete(null); // a deleteTo at or below the tail, queued behind earlier writes
      return;
    }
    try {
      Bounds<H> old = Objects.requireNonNull(bounds, "checked non-empty when queued");
      List<H> doomed = new ArrayList<>((int) (to - from));
      for (long h = from; h < to; h++) {
        H c = cached(h, old);
        if (c == null) {
          scan(h, to, doomed);
          break;
        }
        doomed.add(c);
      }
      Bounds<H> next;
      switch (shape) {
        case WIPE:
          next = null;
          break;
        case TAIL_UP:
          next = new Bounds<>(headerAt(to, old), old.head);
          break;
        default:
          next = new Bounds<>(old.tail, headerAt(from - 1, old));
          break;
      }
      bounds = next;
      try (WriteBatch batch = new WriteBatch()) {
        for (H h : doomed) {
          batch.delete(keys.header(h.height()));
          batch.delete(keys.hash(h.hash()));
        }
        switch (shape) {
          case WIPE:
            batch.delete(keys.head());
            batch.delete(keys.tail());
            break;
          case TAIL_UP:
            batch.put(keys.tail(), Keys.encodeHeight(to));
            break;
          default:
            batch.put(keys.head(), Keys.encodeHeight(from - 1));
            break;
        }
        dbWrite(batch);
      }
      headerCache.removeAll(doomed, Header::height);
      hashCache.removeAll(doomed, Header::hash);
    } catch (RocksDBException | RuntimeException e) {
      StoreException se = new StoreFailedException("deleting heights [" + from + ", " + to
          + ") failed; the store accepts no more writes (reopen it to recover what is stored): " + e, e);
      fail(se);
      item.future.completeExceptionally(se);
      return;
    }
    item.future.complete(null);
  }

  /** Writes prepended headers, their index entries and the tail pointer in one batch, then publishes. */
  private void processPrepend(Item<H> item, @Nullable StoreException failed) {
    if (failed != null) {
      item.future.completeExceptionally(failed);
      return;
    }
    List<H> headers = item.headers;
    try {
      Bounds<H> old = Objects.requireNonNull(bounds, "checked non-empty when queued");
      BatchRecords pointer = new BatchRecords(64);
      pointer.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
      BatchRecords records = Objects.requireNonNull(item.records);
      byte[] rep = new byte[BatchRecords.HEADER + records.size() + pointer.size()];
      BatchRecords.writeHeader(rep, records.count() + pointer.count());
      records.copyTo(rep, BatchRecords.HEADER);
      pointer.copyTo(rep, BatchRecords.HEADER + records.size());
      if (serializedBatches) {
        try (WriteBatch batch = new WriteBatch(rep)) {
          dbWrite(batch);
        }
      } else {
        try (WriteBatch batch = new WriteBatch()) {
          for (H h : headers) {
            batch.put(keys.header(h.height()), h.encode());
            batch.put(keys.hash(h.hash()), Keys.encodeHeight(h.height()));
          }
          batch.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
          dbWrite(batch);
        }
      }
      bounds = new Bounds<>(headers.get(0), old.head);
    } catch (RocksDBException | RuntimeException e) {
      StoreException se = new StoreFailedException("prepending heights " + headers.get(0).height() + ".."
          + headers.get(headers.size() - 1).height() + " failed; the store accepts no more writes: " + e, e);
      fail(se);
      item.future.completeExceptionally(se);
      return;
    }
    item.future.complete(null);
  }

  /** Writes headers, index entries and pointers in one batch. */
  private void write(List<Item<H>> group, List<H> headers, boolean init) throws RocksDBException {
    byte[] head = Keys.encodeHeight(headers.get(headers.size() - 1).height());
    if (serializedBatches) {
      BatchRecords pointers = new BatchRecords(64);
      pointers.put(keys.head(), head);
      if (init) {
        pointers.put(keys.tail(), Keys.encodeHeight(headers.get(0).height()));
      }
      int bytes = BatchRecords.HEADER + pointers.size();
      int count = pointers.count();
      for (Item<H> it : group) {
        if (it.records != null) {
          bytes += it.records.size();
          count += it.records.count();
        }
      }
      byte[] rep = new byte[bytes];
      BatchRecords.writeHeader(rep, count);
      int off = BatchRecords.HEADER;
      for (Item<H> it : group) {
        if (it.records != null) {
          it.records.copyTo(rep, off);
          off += it.records.size();
        }
      }
      pointers.copyTo(rep, off);
      try (WriteBatch batch = new WriteBatch(rep)) {
        dbWrite(batch);
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
      dbWrite(batch);
    }
  }

  private void dbWrite(WriteBatch batch) throws RocksDBException {
    ReentrantReadWriteLock.ReadLock l = handles.readLock();
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

  private void fail(StoreException e) {
    queueLock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
      notFull.signalAll();
    } finally {
      queueLock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Waits for queued appends to be written, syncs the WAL, fails pending {@link #awaitHeight} futures,
   * and closes the native handles in this order: the store's {@code WriteOptions} and
   * {@code ReadOptions}, then (only when the store opened it from a path) the RocksDB and its
   * {@code Options}. A node-owned RocksDB is left open. Reads wait for the handles; after close every
   * method but {@code close} throws {@link StoreException}. Idempotent; a second caller waits for the
   * first to finish.
   *
   * @throws IllegalStateException if called on the writer thread (from a future callback)
   * @throws StoreException if the final WAL sync or closing the RocksDB failed (resources are released
   *     anyway)
   */
  @Override
  public void close() {
    if (Thread.currentThread() == writer) {
      throw new IllegalStateException("close() called on the store's writer thread (from a future callback); "
          + "it would wait for itself. Call it from another thread.");
    }
    queueLock.lock();
    boolean first;
    try {
      first = !closing;
      closing = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      queueLock.unlock();
    }
    if (!first) {
      awaitUninterruptibly(closeDone);
      return;
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    StoreException err = null;
    handles.writeLock().lock();
    try {
      if (failure == null) {
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
          if (failure == null) {
            err = err != null ? err : new StoreException("closing the RocksDB failed: " + e, e);
          } else {
            // After a failed write RocksDB refuses to flush its memtable on close ("Seen error"): the
            // WAL holds what was written and the next open replays it. Nothing new to report.
            log.debug("closing the RocksDB after a failed write: {}", e.toString());
          }
        }
        ownedDbOptions.close();
      }
    } finally {
      handles.writeLock().unlock();
    }
    headerCache.clear();
    hashCache.clear();
    waiters.closeAll(closedException());
    if (ownedDbOptions == null) {
      IN_USE.remove(new InUse(db, keys.prefix));
    }
    closeDone.countDown();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (err != null) {
      throw err;
    }
  }

  @Override
  public String toString() {
    return "RocksDbStore{" + keys.prefix + (closed ? ", closed" : ", " + bounds) + "}";
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

  private @Nullable Bounds<H> openBounds() {
    if (closed) {
      throw closedException();
    }
    return bounds;
  }

  private static StoreException closedException() {
    return new StoreException("store is closed");
  }

  /** " (is the disk full?)" when a write failed as writes on a full disk or past a file size limit do. */
  private static String diskHint(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left") || m.contains("File too large") || m.contains("Disk quota")
        ? " (is the disk full?)" : "";
  }

  /**
   * A RocksDB failure as a {@link StoreException}; damage to RocksDB's own files (a checksum mismatch
   * in an SST block, a MANIFEST or CURRENT that does not parse, a table file missing or cut short) as
   * a {@link CorruptStoreException} whose message keeps RocksDB's, which names the file.
   */
  static StoreException rocksFailure(String what, RocksDBException e) {
    org.rocksdb.Status status = e.getStatus();
    String m = String.valueOf(e.getMessage());
    boolean corrupt = (status != null && status.getCode() == org.rocksdb.Status.Code.Corruption)
        || m.contains("Corruption") || m.contains("may be corrupted") || m.contains("checksum mismatch");
    if (corrupt) {
      return new CorruptStoreException(what + ": RocksDB's files are damaged (" + m + "); move the store away "
          + "and sync it again, or restore it from a backup", e);
    }
    return new StoreException(what + ": " + e, e);
  }

  private interface DbCall<T> {
    @Nullable
    T call() throws RocksDBException;
  }

  /** Reads one key; null if absent. */
  private byte @Nullable [] read(byte[] key) {
    return withDb(() -> "reading " + keys.describe(key), () -> db.get(readOptions, key));
  }

  /**
   * Runs a native call unless the handles are closed; wraps RocksDB failures with {@code what}
   * (built only on failure: describing a key costs more than reading it from the cache).
   */
  private <T> @Nullable T withDb(java.util.function.Supplier<String> what, DbCall<T> call) {
    ReentrantReadWriteLock.ReadLock l = handles.readLock();
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

  /** Reads and checks the head and tail pointers (called once, from the constructor). */
  private @Nullable Bounds<H> loadBounds() {
    byte[] headKey = keys.head();
    byte[] tailKey = keys.tail();
    byte[] headValue = read(headKey);
    byte[] tailValue = read(tailKey);
    if (headValue == null && tailValue == null) {
      byte[] stray = firstKeyAtOrAfter(keys.headerSectionStart(), keys.hashSectionEnd());
      if (stray != null) {
        throw new CorruptStoreException("no head or tail pointer under prefix " + keys.prefix + ", but key "
            + keys.describe(stray) + " is stored");
      }
      return null;
    }
    if (headValue == null || tailValue == null) {
      byte[] missing = headValue == null ? headKey : tailKey;
      throw new CorruptStoreException("key " + keys.describe(missing) + " is absent but "
          + keys.describe(headValue == null ? tailKey : headKey) + " is stored");
    }
    long head = pointer(headKey, headValue);
    long tail = pointer(tailKey, tailValue);
    if (tail < 1 || head < tail) {
      throw new CorruptStoreException("pointers " + keys.describe(tailKey) + " = " + tail + " and "
          + keys.describe(headKey) + " = " + head + " do not make a range");
    }
    H headHeader = readHeaderAtOpen(head, headKey);
    H tailHeader = head == tail ? headHeader : readHeaderAtOpen(tail, tailKey);
    if (head < Long.MAX_VALUE) {
      byte[] above = firstKeyAtOrAfter(keys.header(head + 1), keys.headerSectionEnd());
      if (above != null) {
        throw new CorruptStoreException("key " + keys.describe(above) + " is stored above the head pointer "
            + keys.describe(headKey) + " = " + head);
      }
    }
    if (tail > 1) {
      byte[] below = firstKeyAtOrAfter(keys.headerSectionStart(), keys.header(tail));
      if (below != null) {
        throw new CorruptStoreException("key " + keys.describe(below) + " is stored below the tail pointer "
            + keys.describe(tailKey) + " = " + tail);
      }
    }
    return new Bounds<>(tailHeader, headHeader);
  }

  private H readHeaderAtOpen(long height, byte[] pointerKey) {
    byte[] key = keys.header(height);
    byte[] value = read(key);
    if (value == null) {
      throw new CorruptStoreException("pointer " + keys.describe(pointerKey) + " = " + height + " but key "
          + keys.describe(key) + " is absent");
    }
    return decode(key, value, height);
  }

  private long pointer(byte[] key, byte[] value) {
    if (value.length != 8) {
      throw new CorruptStoreException("value of key " + keys.describe(key) + " is " + value.length
          + " bytes, not an 8-byte height: " + Keys.hex(value, 0, Math.min(value.length, 64)));
    }
    return Keys.getLong(value, 0);
  }

  private byte @Nullable [] firstKeyAtOrAfter(byte[] start, byte[] end) {
    return withDb(() -> "scanning for keys under prefix " + keys.prefix, () -> {
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

  /** A (node-owned RocksDB, prefix) pair; records compare the RocksDB by identity. */
  private record InUse(RocksDB db, String prefix) {}

  /** The prefixes open in node-owned RocksDBs in this JVM, so a second store on one is refused. */
  private static final java.util.Set<InUse> IN_USE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** One append, deletion or flush barrier waiting for the writer. */
  private static final class Item<H> {
    final List<H> headers;
    /** The headers' records when {@link BatchRecords#SUPPORTED}, encoded by the appending thread. */
    final @Nullable BatchRecords records;
    final boolean barrier;
    /** Whether the headers go below the tail ({@link #prepend}). */
    final boolean prepend;
    /** Set for a deletion of {@code [from, to)}: what it does to the range. */
    final Deletes.@Nullable Shape delete;
    final long from;
    final long to;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    Item(List<H> headers, @Nullable BatchRecords records, boolean barrier) {
      this.headers = headers;
      this.records = records;
      this.barrier = barrier;
      this.prepend = false;
      this.delete = null;
      this.from = 0;
      this.to = 0;
    }

    Item(List<H> headers, BatchRecords records) {
      this.headers = headers;
      this.records = records;
      this.barrier = false;
      this.prepend = true;
      this.delete = null;
      this.from = 0;
      this.to = 0;
    }

    Item(long from, long to, Deletes.Shape delete) {
      this.headers = List.of();
      this.records = null;
      this.barrier = false;
      this.prepend = false;
      this.delete = delete;
      this.from = from;
      this.to = to;
    }
  }

  /**
   * Builds a {@link RocksDbStore}. Give exactly one of {@link #database(RocksDB)} and
   * {@link #path(Path)}.
   */
  public static final class Builder<H extends Header> {
    private final HeaderType<H> type;
    private String prefix = DEFAULT_PREFIX;
    private StoreOptions options = StoreOptions.defaults();
    private @Nullable RocksDB database;
    private @Nullable Path path;
    private boolean serializedBatches = true;

    private Builder(HeaderType<H> type) {
      this.type = type;
    }

    /**
     * The key prefix, {@value RocksDbStore#DEFAULT_PREFIX} by default; 1 to 255 UTF-8 bytes. Use a
     * distinct prefix per store in one RocksDB, e.g. {@code "blockEx"} for the data twin.
     */
    public Builder<H> prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix == null");
      return this;
    }

    /** The limits; {@link StoreOptions#defaults()} unless set. */
    public Builder<H> options(StoreOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Use the node's open RocksDB (its main datastore). The node keeps owning it: the store never
     * closes it, and the node must close the store first. This is the one RocksDB type in
     * headersync's public API.
     */
    public Builder<H> database(RocksDB database) {
      this.database = Objects.requireNonNull(database, "database == null");
      return this;
    }

    /**
     * Open (creating if missing) an embedded RocksDB in this directory; the store owns it and closes
     * it in {@link RocksDbStore#close()}. Its options are RocksDB's defaults except: LZ4 compression
     * and at most 2 background flush/compaction jobs. A node that wants other options opens the
     * RocksDB itself and passes it to {@link #database(RocksDB)}.
     */
    public Builder<H> path(Path path) {
      this.path = Objects.requireNonNull(path, "path == null");
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
     * @throws IllegalStateException if neither or both of {@code database} and {@code path} are set,
     *     or a store with this prefix is already open on this {@code database}
     * @throws IllegalArgumentException if the prefix is empty or longer than 255 UTF-8 bytes
     * @throws CorruptStoreException if the stored pointers do not match the stored headers
     * @throws StoreException if RocksDB cannot be opened or read
     */
    public RocksDbStore<H> build() {
      if ((database == null) == (path == null)) {
        throw new IllegalStateException(database == null
            ? "RocksDbStore.Builder needs database(RocksDB) or path(Path); neither was set"
            : "RocksDbStore.Builder needs database(RocksDB) or path(Path), not both");
      }
      Keys keys = new Keys(prefix);
      if (database != null) {
        InUse key = new InUse(database, prefix);
        if (!IN_USE.add(key)) {
          throw new IllegalStateException("a RocksDbStore with prefix \"" + prefix + "\" is already open on this RocksDB; "
              + "two stores under one prefix would overwrite each other's pointers");
        }
        try {
          return new RocksDbStore<>(type, keys, options, database, null, serializedBatches);
        } catch (RuntimeException | Error e) {
          IN_USE.remove(key);
          throw e;
        }
      }
      // LZ4 costs less CPU than the default Snappy for the same job (measured ~10% less CPU per
      // appended header, compactions included); two background jobs suit small machines. The store
      // has one writer thread, so the memtable needs no concurrent inserts (6-8% less writer CPU in
      // the syncer benchmark).
      RocksDbNative.load(); // from the per-user cache, not a new 17 MB copy in the temp dir
      Options dbOptions = new Options()
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
      try (TablePropertiesCollectorFactory onDeletion = TablePropertiesCollectorFactory
          .NewCompactOnDeletionCollectorFactory(DELETION_WINDOW, DELETION_WINDOW / 2, 0)) {
        dbOptions.setTablePropertiesCollectorFactory(List.of(onDeletion));
        java.nio.file.Files.createDirectories(path); // RocksDB creates only the last level
        db = RocksDB.open(dbOptions, path.toString());
      } catch (java.io.IOException e) {
        dbOptions.close();
        throw new StoreException("cannot create the directory " + path + " for RocksDB: " + e, e);
      } catch (RocksDBException e) {
        dbOptions.close();
        throw rocksFailure("cannot open RocksDB at " + path, e);
      }
      try {
        return new RocksDbStore<>(type, keys, options, db, dbOptions, serializedBatches);
      } catch (RuntimeException | Error e) {
        db.close();
        dbOptions.close();
        throw e;
      }
    }
  }
}
