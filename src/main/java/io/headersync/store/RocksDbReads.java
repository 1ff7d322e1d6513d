package io.headersync.store;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.annotation.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The read path of one {@link RocksDbStore}: the published {@code [tail, head]} snapshot, the
 * header and hash-index caches, and every read (point reads, range scans, the pointer check at
 * open).
 *
 * <p>Reads run on the caller's thread, concurrently with the writer. The writer advances the
 * snapshot ({@link #publish}) only after a batch is in RocksDB, so a header at or below the head a
 * reader saw is always found; a deletion publishes the smaller range before it removes anything, so
 * a read racing it finds nothing ({@link DeletedWhileReadException}), never a corrupt store.
 *
 * @param <H> the header type
 */
final class RocksDbReads<H extends Header> {
  private final HeaderType<H> type;
  private final Keys keys;
  private final RocksDbHandles handles;
  private final RocksDbMetrics metrics;
  private final DirectMappedCache<Long, H> headerCache;
  private final DirectMappedCache<Hash, Long> hashCache;
  private volatile @Nullable Bounds<H> bounds;

  /**
   * Reads and checks the head and tail pointers.
   *
   * @throws CorruptStoreException if the pointers do not match the stored headers
   */
  RocksDbReads(
      HeaderType<H> type,
      Keys keys,
      RocksDbHandles handles,
      StoreOptions options,
      RocksDbMetrics metrics) {
    this.type = type;
    this.keys = keys;
    this.handles = handles;
    this.metrics = metrics;
    this.headerCache = new DirectMappedCache<>(options.headerCacheSize());
    this.hashCache = new DirectMappedCache<>(options.hashCacheSize());
    this.bounds = loadBounds();
  }

  /** The published range, null when empty; does not check whether the store is closed. */
  @Nullable
  Bounds<H> bounds() {
    return bounds;
  }

  /** Publishes a new range (the writer, after the batch that makes it true is in RocksDB). */
  void publish(@Nullable Bounds<H> b) {
    bounds = b;
  }

  /**
   * The published range, null when empty.
   *
   * @throws StoreException if the store is closed
   */
  @Nullable
  Bounds<H> openBounds() {
    if (handles.isClosed()) {
      throw RocksDbHandles.closedException();
    }
    return bounds;
  }

  Optional<H> getByHeight(long height) {
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

  /**
   * The header at a height known to be within {@code b}: from the bounds, the cache or the disk.
   */
  H headerAt(long height, Bounds<H> b) {
    H h = cached(height, b);
    if (h == null) {
      h = readHeaderTimed(height);
      headerCache.put(height, h);
    }
    return h;
  }

  /** The header at {@code height} if the bounds or the cache hold it, else null. */
  @Nullable
  H cached(long height, Bounds<H> b) {
    if (height == b.headHeight()) {
      return b.head;
    }
    if (height == b.tailHeight()) {
      return b.tail;
    }
    return headerCache.get(height);
  }

  Optional<H> get(Hash hash) {
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
      throw new CorruptStoreException(
          "hash index key "
              + keys.describe(keys.hash(hash))
              + " points at height "
              + height
              + " but the header stored there has hash "
              + h.hash());
    }
    return Optional.of(h);
  }

  /** The height the hash index gives for {@code hash} if it is within {@code b}, else 0. */
  private long heightOf(Hash hash, Bounds<H> b, boolean useCache) {
    Long cachedHeight = useCache ? hashCache.get(hash) : null;
    long height;
    if (cachedHeight != null) {
      height = cachedHeight;
    } else {
      byte[] key = keys.hash(hash);
      byte[] value = handles.read(key);
      if (value == null) {
        return 0;
      }
      if (value.length != 8) {
        throw new CorruptStoreException(
            "value of key "
                + keys.describe(key)
                + " is "
                + value.length
                + " bytes, not an 8-byte height: "
                + Keys.hex(value, 0, Math.min(value.length, 64)));
      }
      height = Keys.getLong(value, 0);
      if (b.contains(height)) {
        hashCache.put(hash, height);
      }
    }
    // Outside the bounds: written by a batch not yet published, or corrupt; either way not stored.
    return b.contains(height) ? height : 0;
  }

  List<H> getRange(long from, long to) {
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
  void scan(long from, long to, List<H> out) {
    byte[] start = keys.header(from);
    byte[] end = keys.header(to);
    handles.withDb(
        () -> "scanning heights [" + from + ", " + to + ")",
        () -> {
          // Closed in reverse order: iterator, then the ReadOptions, then the Slice they point to.
          try (Slice upper = new Slice(end);
              ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
              RocksIterator it = handles.db.newIterator(ro)) {
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
    byte[] value = handles.read(key);
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
      metrics.recordRead(System.nanoTime() - started, failed);
    }
  }

  private StoreException missingHeader(long height) {
    Bounds<H> now = bounds;
    if (now == null || !now.contains(height)) {
      return new DeletedWhileReadException(
          "height "
              + height
              + " was deleted while it was read; the store holds "
              + (now == null ? "nothing" : now));
    }
    return new CorruptStoreException(
        "key "
            + keys.describe(keys.header(height))
            + " is absent although its height is within the stored range "
            + now);
  }

  /**
   * A read raced a deletion: the height left the stored range between reading the bounds and the
   * key.
   */
  static final class DeletedWhileReadException extends HeaderNotFoundException {
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
      throw new CorruptStoreException(
          "value of key "
              + keys.describe(key)
              + " ("
              + value.length
              + " bytes) is not a valid "
              + type.name()
              + ": "
              + e,
          e);
    }
    if (h.height() != height) {
      throw new CorruptStoreException(
          "value of key "
              + keys.describe(key)
              + " decodes to a "
              + type.name()
              + " at height "
              + h.height());
    }
    return h;
  }

  // ---- caches, kept by the writer ----

  /** Caches headers the writer just stored (appended, not prepended: as before the split). */
  void cacheStored(List<H> headers) {
    headerCache.putAll(headers, Header::height, h -> h);
    hashCache.putAll(headers, Header::hash, Header::height);
  }

  /** Drops deleted headers from the caches. */
  void uncache(List<H> deleted) {
    headerCache.removeAll(deleted, Header::height);
    hashCache.removeAll(deleted, Header::hash);
  }

  void clearCaches() {
    headerCache.clear();
    hashCache.clear();
  }

  // ---- the pointer check at open ----

  /** Reads and checks the head and tail pointers (called once, from the constructor). */
  private @Nullable Bounds<H> loadBounds() {
    byte[] headKey = keys.head();
    byte[] tailKey = keys.tail();
    byte[] headValue = handles.read(headKey);
    byte[] tailValue = handles.read(tailKey);
    if (headValue == null && tailValue == null) {
      byte[] stray = handles.firstKeyAtOrAfter(keys.headerSectionStart(), keys.hashSectionEnd());
      if (stray != null) {
        throw new CorruptStoreException(
            "no head or tail pointer under prefix "
                + keys.prefix
                + ", but key "
                + keys.describe(stray)
                + " is stored");
      }
      return null;
    }
    if (headValue == null || tailValue == null) {
      byte[] missing = headValue == null ? headKey : tailKey;
      throw new CorruptStoreException(
          "key "
              + keys.describe(missing)
              + " is absent but "
              + keys.describe(headValue == null ? tailKey : headKey)
              + " is stored");
    }
    long head = pointer(headKey, headValue);
    long tail = pointer(tailKey, tailValue);
    if (tail < 1 || head < tail) {
      throw new CorruptStoreException(
          "pointers "
              + keys.describe(tailKey)
              + " = "
              + tail
              + " and "
              + keys.describe(headKey)
              + " = "
              + head
              + " do not make a range");
    }
    H headHeader = readHeaderAtOpen(head, headKey);
    H tailHeader = head == tail ? headHeader : readHeaderAtOpen(tail, tailKey);
    if (head < Long.MAX_VALUE) {
      byte[] above = handles.firstKeyAtOrAfter(keys.header(head + 1), keys.headerSectionEnd());
      if (above != null) {
        throw new CorruptStoreException(
            "key "
                + keys.describe(above)
                + " is stored above the head pointer "
                + keys.describe(headKey)
                + " = "
                + head);
      }
    }
    if (tail > 1) {
      byte[] below = handles.firstKeyAtOrAfter(keys.headerSectionStart(), keys.header(tail));
      if (below != null) {
        throw new CorruptStoreException(
            "key "
                + keys.describe(below)
                + " is stored below the tail pointer "
                + keys.describe(tailKey)
                + " = "
                + tail);
      }
    }
    return new Bounds<>(tailHeader, headHeader);
  }

  private H readHeaderAtOpen(long height, byte[] pointerKey) {
    byte[] key = keys.header(height);
    byte[] value = handles.read(key);
    if (value == null) {
      throw new CorruptStoreException(
          "pointer "
              + keys.describe(pointerKey)
              + " = "
              + height
              + " but key "
              + keys.describe(key)
              + " is absent");
    }
    return decode(key, value, height);
  }

  private long pointer(byte[] key, byte[] value) {
    if (value.length != 8) {
      throw new CorruptStoreException(
          "value of key "
              + keys.describe(key)
              + " is "
              + value.length
              + " bytes, not an 8-byte height: "
              + Keys.hex(value, 0, Math.min(value.length, 64)));
    }
    return Keys.getLong(value, 0);
  }
}
