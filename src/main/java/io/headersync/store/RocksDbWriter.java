package io.headersync.store;

import io.headersync.Header;
import io.headersync.annotation.Nullable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.rocksdb.RocksDBException;

/**
 * The single writer of one {@link RocksDbStore}: a bounded queue of appends, prepends, deletions
 * and flush barriers, and the thread {@code headersync-store-writer-<prefix>} that drains it.
 *
 * <ul>
 *   <li>The callers' side checks each write against the range <em>including queued writes</em>
 *       ({@code pendingTail}, {@code pendingHead}) before it is queued, so a bad write fails at
 *       once and leaves the store untouched; {@code append} blocks while the queue holds {@link
 *       StoreOptions#writeQueueHeaders()} headers (backpressure), except on the writer thread
 *       itself (a direct callback executor), where it may overfill the queue instead of waiting for
 *       itself.
 *   <li>The writer coalesces waiting appends (up to {@link StoreOptions#maxBatchHeaders()} headers)
 *       into one batch; a deletion or a prepend is a batch of its own. After the batch is in
 *       RocksDB it publishes the new range, then hands the completions of the append futures and of
 *       the {@code awaitHeight} futures it satisfied to the store's {@link StoreCallbacks}: user
 *       code never runs on this thread (unless the callback executor is a direct one).
 *   <li>A failed write fails its batch's futures with a {@link StoreFailedException}; the writer
 *       then refuses every later write with it (what is stored stays readable and consistent).
 * </ul>
 *
 * @param <H> the header type
 */
final class RocksDbWriter<H extends Header> {
  private final StoreOptions options;
  private final RocksDbHandles handles;
  private final RocksDbReads<H> reads;
  private final RocksDbBatches<H> batches;
  private final RocksDbDeletion<H> deletion;
  private final RocksDbMetrics metrics;
  private final HeightWaiters<H> waiters;
  private final StoreCallbacks callbacks;

  // The write queue, guarded by queueLock.
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition notEmpty = queueLock.newCondition();
  private final Condition notFull = queueLock.newCondition();
  private final ArrayDeque<WriteItem<H>> queue = new ArrayDeque<>();
  private int queuedHeaders;
  private long pendingHead;

  /** The tail counting queued appends and deletions; 0 when {@link #pendingHead} is 0 (empty). */
  private long pendingTail;

  private boolean closing;
  private @Nullable StoreException failure;

  private final Thread thread;

  RocksDbWriter(
      String prefix,
      StoreOptions options,
      RocksDbHandles handles,
      RocksDbReads<H> reads,
      RocksDbBatches<H> batches,
      RocksDbDeletion<H> deletion,
      RocksDbMetrics metrics,
      HeightWaiters<H> waiters,
      StoreCallbacks callbacks) {
    this.options = options;
    this.handles = handles;
    this.reads = reads;
    this.batches = batches;
    this.deletion = deletion;
    this.metrics = metrics;
    this.waiters = waiters;
    this.callbacks = callbacks;
    Bounds<H> b = reads.bounds();
    this.pendingHead = b == null ? 0 : b.headHeight();
    this.pendingTail = b == null ? 0 : b.tailHeight();
    this.thread = new Thread(this::run, "headersync-store-writer-" + prefix);
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the calling thread is the writer (a callback run by a direct callback executor). */
  boolean isWriterThread() {
    return Thread.currentThread() == thread;
  }

  /** Whether a write failed (the store then accepts no more writes). */
  boolean failed() {
    queueLock.lock();
    try {
      return failure != null;
    } finally {
      queueLock.unlock();
    }
  }

  // ---- the callers' side ----

  CompletableFuture<Void> append(List<? extends H> headers) {
    // Validate and encode on the caller's thread, outside the lock: the writer only concatenates.
    List<H> list = Appends.copyChecked(headers);
    BatchRecords records = batches.serialized ? batches.encode(list) : null;
    queueLock.lock();
    try {
      checkAccepting();
      Appends.checkExtends(list, pendingHead);
      if (!isWriterThread()) {
        if (queuedHeaders > 0 && queuedHeaders + list.size() > options.writeQueueHeaders()) {
          metrics.writeBlocked();
        }
        while (queuedHeaders > 0 && queuedHeaders + list.size() > options.writeQueueHeaders()) {
          try {
            notFull.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(
                "interrupted while waiting for room in the write queue; nothing was queued", e);
          }
          checkAccepting();
          Appends.checkExtends(list, pendingHead);
        }
      }
      WriteItem<H> item = WriteItem.append(list, records);
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

  CompletableFuture<Void> prepend(List<? extends H> headers) {
    List<H> list = Appends.copyChecked(headers);
    BatchRecords records = batches.encode(list);
    queueLock.lock();
    try {
      checkAccepting();
      Appends.checkPrecedes(list, pendingTail);
      WriteItem<H> item = WriteItem.prepend(list, records);
      queue.add(item);
      queuedHeaders += list.size();
      pendingTail = list.get(0).height();
      notEmpty.signal();
      return item.future;
    } finally {
      queueLock.unlock();
    }
  }

  CompletableFuture<Void> deleteRange(long from, long to) {
    queueLock.lock();
    try {
      checkAccepting();
      return queueDelete(
          from, to, Deletes.check(from, to, pendingTail, pendingHead, options.maxDeleteHeaders()));
    } finally {
      queueLock.unlock();
    }
  }

  CompletableFuture<Long> deleteTo(long to) {
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
        WriteItem<H> noop = WriteItem.delete(tail, tail, Deletes.Shape.TAIL_UP);
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
   * header limit (it carries no headers; the writer reads at most {@code maxDeleteHeaders} of
   * them).
   */
  private CompletableFuture<Void> queueDelete(long from, long to, Deletes.Shape shape) {
    WriteItem<H> item = WriteItem.delete(from, to, shape);
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

  void flush() {
    if (isWriterThread()) {
      throw new IllegalStateException(
          "flush() called on the store's writer thread (from a future callback); "
              + "it would wait for itself. Call it from another thread.");
    }
    WriteItem<H> barrier = WriteItem.barrier();
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
      throw c instanceof StoreException
          ? (StoreException) c
          : new StoreException("flush failed: " + c, c);
    }
  }

  private void checkAccepting() {
    if (closing) {
      throw new StoreException("store is closed");
    }
    if (failure != null) {
      throw new StoreFailedException(
          "store no longer accepts writes after a failed write: " + failure.getMessage(), failure);
    }
  }

  /**
   * Refuses new writes, wakes blocked appenders and lets the writer end once the queue is drained.
   *
   * @return whether this was the first call
   */
  boolean beginClose() {
    queueLock.lock();
    try {
      boolean first = !closing;
      closing = true;
      notEmpty.signalAll();
      notFull.signalAll();
      return first;
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Waits (uninterruptibly, the interrupt kept) until the writer wrote what was queued and ended.
   */
  void join() {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the writer thread ----

  /** The writer loop: take what is queued, write it as one batch, publish, complete futures. */
  private void run() {
    List<WriteItem<H>> group = new ArrayList<>();
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
        for (WriteItem<H> it; (it = queue.peek()) != null; ) {
          if (!group.isEmpty()
              && (n + it.headers.size() > options.maxBatchHeaders()
                  || it.alone()
                  || group.get(0).alone())) {
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
        failAll(group, se);
      }
      group.clear();
    }
  }

  private void process(List<WriteItem<H>> group, @Nullable StoreException failed) {
    WriteItem<H> first = group.get(0);
    if (failed != null) {
      failAll(group, failed);
      return;
    }
    if (first.delete != null) {
      processDelete(first);
      return;
    }
    if (first.prepend) {
      processPrepend(first);
      return;
    }
    List<H> all = group.size() == 1 ? first.headers : new ArrayList<>();
    boolean barrier = false;
    for (WriteItem<H> it : group) {
      barrier |= it.barrier;
      if (all != first.headers) {
        all.addAll(it.headers);
      }
    }
    if (!all.isEmpty() && !processAppends(group, all)) {
      return;
    }
    if (barrier) {
      StoreException err = null;
      try {
        handles.flushWal();
      } catch (StoreException e) {
        err = e;
      }
      for (WriteItem<H> it : group) {
        if (it.barrier) {
          // Internal: flush() waits for it, so it completes here, not on the callback executor.
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
   * Writes the appends of {@code group} as one batch and publishes them; false if the write failed.
   */
  private boolean processAppends(List<WriteItem<H>> group, List<H> all) {
    Bounds<H> old = reads.bounds();
    long started = System.nanoTime();
    try {
      batches.writeAppend(group, all, old == null);
      metrics.recordWrite(System.nanoTime() - started, all.size(), false);
    } catch (RocksDBException | RuntimeException e) {
      metrics.recordWrite(System.nanoTime() - started, all.size(), true);
      StoreException se =
          new StoreFailedException(
              "writing heights "
                  + all.get(0).height()
                  + ".."
                  + all.get(all.size() - 1).height()
                  + " failed"
                  + diskHint(e)
                  + "; the store keeps heights up to "
                  + (old == null ? 0 : old.head.height())
                  + " and accepts no more appends until it is reopened: "
                  + e,
              e);
      fail(se);
      failAll(group, se);
      return false;
    }
    reads.cacheStored(all);
    Bounds<H> b = new Bounds<>(old == null ? all.get(0) : old.tail, all.get(all.size() - 1));
    reads.publish(b);
    List<StoreCallbacks.Completion<Void>> done = new ArrayList<>(group.size());
    for (WriteItem<H> it : group) {
      if (!it.barrier) {
        done.add(StoreCallbacks.Completion.of(it.future, null));
      }
    }
    callbacks.deliver(done);
    long first = all.get(0).height();
    LongFunction<H> lookup = h -> h >= first ? all.get((int) (h - first)) : reads.headerAt(h, b);
    waiters.release(b, lookup);
    return true;
  }

  /** Applies one deletion (see {@link RocksDbDeletion}). */
  private void processDelete(WriteItem<H> item) {
    try {
      deletion.apply(item);
    } catch (RocksDBException | RuntimeException e) {
      StoreException se =
          new StoreFailedException(
              "deleting heights ["
                  + item.from
                  + ", "
                  + item.to
                  + ") failed; the store accepts no more writes (reopen it to recover what is stored): "
                  + e,
              e);
      fail(se);
      callbacks.fail(item.future, se);
      return;
    }
    callbacks.complete(item.future, null);
  }

  /**
   * Writes prepended headers, their index entries and the tail pointer in one batch, then
   * publishes.
   */
  private void processPrepend(WriteItem<H> item) {
    List<H> headers = item.headers;
    try {
      Bounds<H> old = Objects.requireNonNull(reads.bounds(), "checked non-empty when queued");
      batches.writePrepend(item);
      reads.publish(new Bounds<>(headers.get(0), old.head));
    } catch (RocksDBException | RuntimeException e) {
      StoreException se =
          new StoreFailedException(
              "prepending heights "
                  + headers.get(0).height()
                  + ".."
                  + headers.get(headers.size() - 1).height()
                  + " failed; the store accepts no more writes: "
                  + e,
              e);
      fail(se);
      callbacks.fail(item.future, se);
      return;
    }
    callbacks.complete(item.future, null);
  }

  /** Fails the futures of {@code group}: a barrier's here, the others' on the callback executor. */
  private void failAll(List<WriteItem<H>> group, StoreException e) {
    List<StoreCallbacks.Completion<Void>> out = new ArrayList<>(group.size());
    for (WriteItem<H> it : group) {
      if (it.barrier) {
        it.future.completeExceptionally(e);
      } else {
        out.add(StoreCallbacks.Completion.failed(it.future, e));
      }
    }
    callbacks.deliver(out);
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

  /**
   * " (is the disk full?)" when a write failed as writes on a full disk or past a file size limit
   * do.
   */
  private static String diskHint(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left") || m.contains("File too large") || m.contains("Disk quota")
        ? " (is the disk full?)"
        : "";
  }
}
