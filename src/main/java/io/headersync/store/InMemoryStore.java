package io.headersync.store;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.annotation.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Store} that keeps every header in memory: for tests, light tools and nodes that resync
 * on every start. Nothing survives {@link #close()}.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. {@link #append} applies the headers on the calling thread before it returns (appends
 * from several threads are serialised by one lock), so its future is already complete and {@link
 * #awaitHeight} futures complete on the appending thread (after the append published its headers,
 * outside the store's lock). The store has no thread of its own, so unlike {@link RocksDbStore} it
 * needs no callback executor: nothing chained on its futures can hold up a writer other than the
 * caller who appended. Reads take no lock: they read a volatile {@code [tail, head]} snapshot,
 * published after the headers it covers are in the maps, so a reader never finds a header missing
 * at or below the head it saw.
 *
 * <h2>Limits</h2>
 *
 * Memory grows with the chain: there is no eviction. Of {@link StoreOptions} only {@link
 * StoreOptions#maxWaiters()} applies; there is no queue, so {@code append} never blocks on
 * backpressure.
 *
 * @param <H> the header type
 */
public final class InMemoryStore<H extends Header> implements Store<H> {
  private final ConcurrentHashMap<Long, H> byHeight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Hash, H> byHash = new ConcurrentHashMap<>();
  private final HeightWaiters<H> waiters;
  private final int maxDeleteHeaders;
  private final Object appendLock = new Object();
  private volatile @Nullable Bounds<H> bounds;
  private volatile boolean closed;

  /** An empty store with {@link StoreOptions#defaults()}. */
  public InMemoryStore() {
    this(StoreOptions.defaults());
  }

  /**
   * An empty store with these options (only {@link StoreOptions#maxWaiters()} and {@link
   * StoreOptions#maxDeleteHeaders()} apply).
   *
   * @param options the options; the write queue, batch and cache sizes are ignored
   */
  public InMemoryStore(StoreOptions options) {
    Objects.requireNonNull(options, "options == null");
    this.maxDeleteHeaders = options.maxDeleteHeaders();
    this.waiters = new HeightWaiters<>(options.maxWaiters(), () -> bounds);
  }

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
  public Optional<H> get(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    Bounds<H> b = openBounds();
    H h = byHash.get(hash);
    return h != null && b != null && b.contains(h.height()) ? Optional.of(h) : Optional.empty();
  }

  @Override
  public Optional<H> getByHeight(long height) {
    requirePositive(height);
    Bounds<H> b = openBounds();
    // A deletion racing this read may have removed the header after we read the bounds: then empty.
    return b != null && b.contains(height)
        ? Optional.ofNullable(byHeight.get(height))
        : Optional.empty();
  }

  @Override
  public CompletableFuture<H> awaitHeight(long height) {
    requirePositive(height);
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    CompletableFuture<H> f = waiters.register(height);
    if (f != null) {
      return f;
    }
    Bounds<H> b = bounds;
    if (b == null || height < b.tailHeight()) {
      return CompletableFuture.failedFuture(
          new HeaderNotFoundException(
              "height "
                  + height
                  + " is below the store's tail "
                  + (b == null ? "?" : b.tailHeight())
                  + "; it will never be stored"));
    }
    H h = byHeight.get(height);
    return h != null
        ? CompletableFuture.completedFuture(h)
        : CompletableFuture.failedFuture(
            new HeaderNotFoundException("height " + height + " was deleted"));
  }

  @Override
  public List<H> getRange(long from, long to) {
    checkRange(from, to);
    Bounds<H> b = openBounds();
    requireRangeStored(b, from, to);
    List<H> out = new ArrayList<>((int) (to - from));
    for (long h = from; h < to; h++) {
      H header = byHeight.get(h);
      if (header == null) {
        throw new HeaderNotFoundException(
            "range ["
                + from
                + ", "
                + to
                + "): height "
                + h
                + " was deleted while it was read; the store holds "
                + bounds);
      }
      out.add(header);
    }
    return out;
  }

  @Override
  public boolean has(Hash hash) {
    return get(hash).isPresent();
  }

  @Override
  public boolean hasAt(long height) {
    Bounds<H> b = openBounds();
    return b != null && b.contains(height);
  }

  @Override
  public CompletableFuture<Void> append(List<? extends H> headers) {
    Bounds<H> b;
    synchronized (appendLock) {
      if (closed) {
        throw closedException();
      }
      Bounds<H> old = bounds;
      List<H> list = Appends.checkContiguous(headers, old == null ? 0 : old.headHeight());
      for (H h : list) {
        byHeight.put(h.height(), h);
        byHash.put(h.hash(), h);
      }
      b = new Bounds<>(old == null ? list.get(0) : old.tail, list.get(list.size() - 1));
      bounds = b;
    }
    waiters.release(b, byHeight::get);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> prepend(List<? extends H> headers) {
    List<H> list = Appends.copyChecked(headers);
    synchronized (appendLock) {
      if (closed) {
        throw closedException();
      }
      Bounds<H> old = bounds;
      Appends.checkPrecedes(list, old == null ? 0 : old.tailHeight());
      for (H h : list) {
        byHeight.put(h.height(), h);
        byHash.put(h.hash(), h);
      }
      bounds = new Bounds<>(list.get(0), old.head);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> deleteRange(long from, long to) {
    synchronized (appendLock) {
      if (closed) {
        throw closedException();
      }
      Bounds<H> old = bounds;
      Deletes.Shape shape =
          Deletes.check(
              from,
              to,
              old == null ? 0 : old.tailHeight(),
              old == null ? 0 : old.headHeight(),
              maxDeleteHeaders);
      deleteLocked(old, from, to, shape);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Long> deleteTo(long to) {
    synchronized (appendLock) {
      if (closed) {
        throw closedException();
      }
      Bounds<H> old = bounds;
      long[] step =
          Deletes.stepTo(
              to,
              old == null ? 0 : old.tailHeight(),
              old == null ? 0 : old.headHeight(),
              maxDeleteHeaders);
      if (step == null) {
        return CompletableFuture.completedFuture(old.tailHeight());
      }
      deleteLocked(old, step[0], step[1], Deletes.Shape.TAIL_UP);
      return CompletableFuture.completedFuture(step[1]);
    }
  }

  /** Publishes the smaller range first (readers stop at it), then removes the headers. */
  private void deleteLocked(@Nullable Bounds<H> old, long from, long to, Deletes.Shape shape) {
    Objects.requireNonNull(old, "checked non-empty");
    switch (shape) {
      case WIPE:
        bounds = null;
        break;
      case TAIL_UP:
        bounds = new Bounds<>(byHeight.get(to), old.head);
        break;
      default:
        bounds = new Bounds<>(old.tail, byHeight.get(from - 1));
        break;
    }
    for (long h = from; h < to; h++) {
      H removed = byHeight.remove(h);
      if (removed != null) {
        byHash.remove(removed.hash(), removed);
      }
    }
  }

  /** Nothing to make durable; fails only when the store is closed. */
  @Override
  public void flush() {
    if (closed) {
      throw closedException();
    }
  }

  @Override
  public void close() {
    synchronized (appendLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    // The maps are not cleared: a reader that passed the closed check a moment ago may still read
    // them.
    waiters.closeAll(closedException());
  }

  @Override
  public String toString() {
    return "InMemoryStore" + (closed ? "{closed}" : String.valueOf(bounds));
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

  static void requirePositive(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("height must be positive, got " + height);
    }
  }

  static void checkRange(long from, long to) {
    if (from < 1) {
      throw new IllegalArgumentException("range start must be positive, got " + from);
    }
    if (from >= to) {
      throw new IllegalArgumentException("empty or reversed range [" + from + ", " + to + ")");
    }
  }

  static void requireRangeStored(@Nullable Bounds<?> b, long from, long to) {
    if (b == null) {
      throw new HeaderNotFoundException("range [" + from + ", " + to + "): the store is empty");
    }
    if (from < b.tailHeight() || to - 1 > b.headHeight()) {
      long missing = from < b.tailHeight() ? from : b.headHeight() + 1;
      throw new HeaderNotFoundException(
          "range ["
              + from
              + ", "
              + to
              + "): height "
              + missing
              + " is not stored; the store holds "
              + b);
    }
  }
}
