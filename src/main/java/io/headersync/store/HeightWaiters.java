package io.headersync.store;

import io.headersync.Header;
import io.headersync.annotation.Nullable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The pending {@link Store#awaitHeight} futures of one store, bounded in number.
 *
 * <p>Race-freedom rests on one rule: the store publishes its new {@link Bounds} <em>before</em> it
 * calls {@link #release}, and {@link #register} reads the bounds under the same monitor that {@code
 * release} takes. So a waiter either sees the new head (and reads at once) or is registered before
 * {@code release} runs (and is completed by it); it is never missed.
 *
 * <p>Futures are completed outside the monitor, through the store's {@link StoreCallbacks}: on its
 * callback executor (in one task per {@code release} or {@code closeAll}), or on the calling thread
 * for {@link StoreCallbacks#direct()}. The header a waiter gets is read on the thread that calls
 * {@code release}. Cancelling a future removes it and frees its slot.
 */
final class HeightWaiters<H extends Header> {
  private final int maxWaiters;
  private final Supplier<@Nullable Bounds<H>> bounds;
  private final StoreCallbacks callbacks;
  private final TreeMap<Long, List<CompletableFuture<H>>> byHeight = new TreeMap<>();
  private int count;
  private @Nullable StoreException closed;

  /** Waiters completed on the thread that releases them. */
  HeightWaiters(int maxWaiters, Supplier<@Nullable Bounds<H>> bounds) {
    this(maxWaiters, bounds, StoreCallbacks.direct());
  }

  HeightWaiters(int maxWaiters, Supplier<@Nullable Bounds<H>> bounds, StoreCallbacks callbacks) {
    this.maxWaiters = maxWaiters;
    this.bounds = bounds;
    this.callbacks = callbacks;
  }

  /**
   * Registers a waiter for {@code height}, or returns {@code null} when the height is at or below
   * the published head, in which case the caller reads the header itself.
   */
  @Nullable
  CompletableFuture<H> register(long height) {
    CompletableFuture<H> f;
    synchronized (this) {
      if (closed != null) {
        return CompletableFuture.failedFuture(closed);
      }
      Bounds<H> b = bounds.get();
      if (b != null && height <= b.headHeight()) {
        return null;
      }
      if (count >= maxWaiters) {
        return CompletableFuture.failedFuture(
            new StoreException(
                "too many pending awaitHeight calls: the limit is "
                    + maxWaiters
                    + " (StoreOptions.maxWaiters)"));
      }
      f = new CompletableFuture<>();
      byHeight.computeIfAbsent(height, k -> new ArrayList<>(1)).add(f);
      count++;
    }
    f.whenComplete(
        (v, e) -> {
          if (f.isCancelled()) {
            remove(height, f);
          }
        });
    return f;
  }

  private synchronized void remove(long height, CompletableFuture<H> f) {
    List<CompletableFuture<H>> list = byHeight.get(height);
    if (list != null && list.remove(f)) {
      count--;
      if (list.isEmpty()) {
        byHeight.remove(height);
      }
    }
  }

  /**
   * Completes every waiter at or below {@code b.head}: with the header {@code lookup} returns, or
   * with a {@link HeaderNotFoundException} when its height is below the tail (it will never be
   * stored).
   */
  void release(Bounds<H> b, LongFunction<H> lookup) {
    List<Map.Entry<Long, List<CompletableFuture<H>>>> due;
    synchronized (this) {
      if (byHeight.isEmpty() || byHeight.firstKey() > b.headHeight()) {
        return;
      }
      Map<Long, List<CompletableFuture<H>>> head = byHeight.headMap(b.headHeight(), true);
      due = new ArrayList<>(head.entrySet());
      for (Map.Entry<Long, List<CompletableFuture<H>>> e : due) {
        count -= e.getValue().size();
      }
      head.clear();
    }
    List<StoreCallbacks.Completion<H>> out = new ArrayList<>();
    for (Map.Entry<Long, List<CompletableFuture<H>>> e : due) {
      long height = e.getKey();
      for (CompletableFuture<H> f : e.getValue()) {
        if (height < b.tailHeight()) {
          out.add(
              StoreCallbacks.Completion.failed(
                  f,
                  new HeaderNotFoundException(
                      "height "
                          + height
                          + " is below the store's tail "
                          + b.tailHeight()
                          + "; it will never be stored")));
          continue;
        }
        try {
          out.add(StoreCallbacks.Completion.of(f, lookup.apply(height)));
        } catch (RuntimeException ex) {
          out.add(StoreCallbacks.Completion.failed(f, ex));
        }
      }
    }
    callbacks.deliver(out);
  }

  /** Fails every pending waiter with {@code cause} and every later registration too. */
  void closeAll(StoreException cause) {
    List<CompletableFuture<H>> all = new ArrayList<>();
    synchronized (this) {
      if (closed == null) {
        closed = cause;
      }
      for (Iterator<List<CompletableFuture<H>>> it = byHeight.values().iterator(); it.hasNext(); ) {
        all.addAll(it.next());
        it.remove();
      }
      count = 0;
    }
    List<StoreCallbacks.Completion<H>> out = new ArrayList<>(all.size());
    for (CompletableFuture<H> f : all) {
      out.add(StoreCallbacks.Completion.failed(f, cause));
    }
    callbacks.deliver(out);
  }

  /** The number of pending waiters (for tests and metrics). */
  synchronized int size() {
    return count;
  }
}
