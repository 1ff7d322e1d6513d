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
 * was. {@link #deleteTo} and {@link #deleteRange} remove headers from either end (pruning moves the
 * tail up), bounded per call. Headers that arrive ahead of the head wait in the syncer, never here.
 * The store does not verify headers; the syncer does before appending.
 *
 * <h2>Threads</h2>
 *
 * Reads are synchronous and safe from any thread, concurrently with appends; they may touch the
 * disk, so never call them on a network event loop. Appends are applied in call order by one
 * writer. Where the futures a store returns complete is the implementation's to say, and never a
 * thread it needs for its own work: {@link RocksDbStore} completes them on its callback executor
 * (see {@link RocksDbStore.Builder#callbackExecutor}), never on its writer thread; {@link
 * InMemoryStore}, which has no thread of its own, on the thread whose append made them complete. A
 * future returned already complete runs what is chained on it on the caller's thread.
 *
 * <h2>Closed stores</h2>
 *
 * After {@link #close()} every method except {@code close} throws {@link StoreException}; {@link
 * #awaitHeight} returns a future failed with one.
 *
 * <h2>Pitfalls</h2>
 *
 * A header returned by {@link #append}'s future is readable, not yet durable: call {@link #flush()}
 * when durability matters (e.g. before acknowledging a block to a client). {@link #getRange} has no
 * size limit of its own: callers bound it (the exchange serves at most 64 headers per request).
 *
 * @param <H> the header type
 */
public interface Store<H extends Header> extends AutoCloseable {
  /**
   * {@return the highest stored header, or empty if the store is empty}
   *
   * @throws StoreException if the store is closed
   */
  Optional<H> head();

  /**
   * {@return the lowest stored header, or empty if the store is empty}
   *
   * @throws StoreException if the store is closed
   */
  Optional<H> tail();

  /**
   * {@return the height of the head, or 0 if the store is empty}
   *
   * @throws StoreException if the store is closed
   */
  long height();

  /**
   * {@return the header with this hash, if stored}
   *
   * @param hash the header's hash, as {@link io.headersync.Header#hash()} gives it
   * @throws StoreException if the store is closed or a stored value cannot be read
   */
  Optional<H> get(Hash hash);

  /**
   * {@return the header at this height, if stored}
   *
   * @param height the height; positive
   * @throws IllegalArgumentException if {@code height} is not positive
   * @throws StoreException if the store is closed or a stored value cannot be read
   */
  Optional<H> getByHeight(long height);

  /**
   * Completes with the header at {@code height} once it is stored; at once if it already is.
   * Cancelling the future stops the wait and frees its slot. Completes exceptionally with a {@link
   * StoreException} when the store closes first or when more waiters are pending than the store
   * allows, and with a {@link HeaderNotFoundException} when the height is (or, once the store is
   * initialised, turns out to be) below the tail, since it will never be stored.
   *
   * @param height the height to wait for; positive
   * @return a future with the header; never completed on the caller's thread unless already stored
   * @throws IllegalArgumentException if {@code height} is not positive
   */
  CompletableFuture<H> awaitHeight(long height);

  /**
   * {@return the headers at heights {@code [from, to)}, in height order}
   *
   * @param from the first height; positive
   * @param to the height after the last one (exclusive); above {@code from}
   * @throws IllegalArgumentException if {@code from} is not positive or {@code from >= to}
   * @throws HeaderNotFoundException if any height in the range is not stored
   * @throws StoreException if the store is closed or a stored value cannot be read
   */
  List<H> getRange(long from, long to);

  /**
   * {@return whether a header with this hash is stored}
   *
   * @param hash the header's hash
   * @throws StoreException if the store is closed or the index cannot be read
   */
  boolean has(Hash hash);

  /**
   * {@return whether a header at this height is stored: {@code tail <= height <= head}; false for
   * heights below 1}
   *
   * @param height the height; any value
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
   * @param headers the headers, in height order; not empty
   * @return a future that completes when the headers are readable from the store
   * @throws NonContiguousAppendException if the headers do not extend the head, naming the heights
   * @throws IllegalArgumentException if {@code headers} is empty
   * @throws StoreException if the store is closed
   */
  CompletableFuture<Void> append(List<? extends H> headers);

  /**
   * Extends the tail downwards (back-fill): the headers must be contiguous and the last one at
   * {@code tail - 1}; the first becomes the new tail. The store does not verify them: the caller
   * checks that they link by hash to the tail (header {@code h + 1} names the hash of header {@code
   * h}). The check happens before this method returns, against the tail including queued writes;
   * when it fails nothing is written. Written in one batch with the tail pointer.
   *
   * @param headers the headers, in height order, the last at {@code tail - 1}; not empty
   * @return a future that completes when the headers are readable
   * @throws NonContiguousAppendException if the store is empty or the headers do not end at {@code
   *     tail - 1}, naming the heights
   * @throws IllegalArgumentException if {@code headers} is empty
   * @throws StoreException if the store is closed
   */
  CompletableFuture<Void> prepend(List<? extends H> headers);

  /**
   * Deletes the headers at heights {@code [from, to)}. Only three shapes keep the store free of
   * gaps (go-header's {@code DeleteRange} rules): from the tail ({@code from == tail}, {@code to <=
   * head}: the tail moves up to {@code to}); down from the head ({@code tail < from <= head},
   * {@code to == head + 1}: the head moves down to {@code from - 1}, and the next append continues
   * from there); or everything ({@code from == tail}, {@code to == head + 1}: the store becomes
   * empty and the next append initialises it at any height). At most {@link
   * StoreOptions#maxDeleteHeaders()} headers per call. The range is checked before this method
   * returns, against the stored range <em>including queued appends and deletions</em>; when it
   * fails nothing changes.
   *
   * <p>A deletion is atomic: the headers, their hash-index entries and the moved pointer go in one
   * write (one RocksDB write batch), so a crash leaves either all of it or none. Readers stop
   * seeing the deleted heights before they are removed; a read racing the deletion finds nothing
   * rather than a corrupt store.
   *
   * @param from the first height to delete
   * @param to the height after the last one to delete (exclusive)
   * @return a future that completes when the deleted headers are no longer readable
   * @throws InvalidDeleteException if the range is empty, reversed, outside {@code [tail, head]},
   *     would leave a gap, or is larger than the limit per call; the message names the rule
   * @throws StoreException if the store is closed or no longer accepts writes
   */
  CompletableFuture<Void> deleteRange(long from, long to);

  /**
   * Moves the tail up towards {@code to}: deletes {@code [tail, to)}, at most {@link
   * StoreOptions#maxDeleteHeaders()} headers per call (the lowest ones), as {@link #deleteRange}
   * does. Call it again until the returned height is {@code to}; a {@code to} at or below the tail
   * deletes nothing. It never empties the store: the head is kept.
   *
   * @param to the height that becomes the tail once everything below it is deleted
   * @return a future with the tail height once this call's deletion is applied ({@code to} when it
   *     deleted everything asked for)
   * @throws InvalidDeleteException if the store is empty or {@code to} is above the head (counting
   *     queued appends)
   * @throws StoreException if the store is closed or no longer accepts writes
   */
  CompletableFuture<Long> deleteTo(long to);

  /**
   * Waits for queued appends and makes everything appended so far durable on disk.
   *
   * @throws StoreException if the store is closed or the disk write fails
   */
  void flush();

  /**
   * Drains queued appends, flushes, and releases every resource. Idempotent. Pending {@link
   * #awaitHeight} futures complete exceptionally.
   */
  @Override
  void close();
}
