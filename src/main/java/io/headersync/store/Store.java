package io.headersync.store;

import io.headersync.Hash;
import io.headersync.Header;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A store of one contiguous range of headers {@code [tail, head]}.
 *
 * <p>The store never holds gaps: {@link #append} must extend the head by exactly one height (or
 * initialise an empty store at any height); anything else is rejected and leaves the store as it
 * was. Headers that arrive ahead of the head wait in the syncer, never here. The store does not
 * verify headers; the syncer does before appending.
 *
 * <h2>Threads</h2>
 * Reads are synchronous and safe from any thread, concurrently with appends; they may touch the disk,
 * so never call them on a network event loop. Appends are applied in call order by one writer.
 * Futures returned by the store complete on the store's writer thread (or on the caller's thread when
 * already complete); do not run slow work in their callbacks without an executor.
 *
 * <h2>Closed stores</h2>
 * After {@link #close()} every method except {@code close} throws {@link StoreException};
 * {@link #awaitHeight} returns a future failed with one.
 *
 * <h2>Pitfalls</h2>
 * A header returned by {@link #append}'s future is readable, not yet durable: call {@link #flush()}
 * when durability matters (e.g. before acknowledging a block to a client). {@link #getRange} has no
 * size limit of its own: callers bound it (the exchange serves at most 64 headers per request).
 *
 * @param <H> the header type
 */
public interface Store<H extends Header> extends AutoCloseable {
  /**
   * The highest stored header, or empty if the store is empty.
   *
   * @throws StoreException if the store is closed
   */
  Optional<H> head();

  /**
   * The lowest stored header, or empty if the store is empty.
   *
   * @throws StoreException if the store is closed
   */
  Optional<H> tail();

  /**
   * The height of the head, or 0 if the store is empty.
   *
   * @throws StoreException if the store is closed
   */
  long height();

  /**
   * The header with this hash, if stored.
   *
   * @throws StoreException if the store is closed or a stored value cannot be read
   */
  Optional<H> get(Hash hash);

  /**
   * The header at this height, if stored.
   *
   * @throws IllegalArgumentException if {@code height} is not positive
   * @throws StoreException if the store is closed or a stored value cannot be read
   */
  Optional<H> getByHeight(long height);

  /**
   * Completes with the header at {@code height} once it is stored; at once if it already is.
   * Cancelling the future stops the wait and frees its slot. Completes exceptionally with a
   * {@link StoreException} when the store closes first or when more waiters are pending than the
   * store allows, and with a {@link HeaderNotFoundException} when the height is (or, once the store
   * is initialised, turns out to be) below the tail, since it will never be stored.
   *
   * @throws IllegalArgumentException if {@code height} is not positive
   */
  CompletableFuture<H> awaitHeight(long height);

  /**
   * The headers at heights {@code [from, to)}, in height order.
   *
   * @throws IllegalArgumentException if {@code from} is not positive or {@code from >= to}
   * @throws HeaderNotFoundException if any height in the range is not stored
   * @throws StoreException if the store is closed or a stored value cannot be read
   */
  List<H> getRange(long from, long to);

  /**
   * Whether a header with this hash is stored.
   *
   * @throws StoreException if the store is closed or the index cannot be read
   */
  boolean has(Hash hash);

  /**
   * Whether a header at this height is stored: {@code tail <= height <= head}; false for heights
   * below 1.
   *
   * @throws StoreException if the store is closed
   */
  boolean hasAt(long height);

  /**
   * Appends headers that extend the head contiguously (the first at {@code head + 1}, each next one
   * height higher), or initialise an empty store. The contiguity check happens before this method
   * returns and counts appends still queued; when it fails nothing is written.
   *
   * <p>When the writer's queue is full this call blocks until there is room (backpressure).
   *
   * @return a future that completes when the headers are readable from the store
   * @throws NonContiguousAppendException if the headers do not extend the head, naming the heights
   * @throws IllegalArgumentException if {@code headers} is empty
   * @throws StoreException if the store is closed
   */
  CompletableFuture<Void> append(List<? extends H> headers);

  /**
   * Waits for queued appends and makes everything appended so far durable on disk.
   *
   * @throws StoreException if the store is closed or the disk write fails
   */
  void flush();

  /**
   * Drains queued appends, flushes, and releases every resource. Idempotent. Pending
   * {@link #awaitHeight} futures complete exceptionally.
   */
  @Override
  void close();
}
