/**
 * Header stores: the {@link io.headersync.store.Store} contract, with an in-memory ({@link
 * io.headersync.store.InMemoryStore}) and a RocksDB ({@link io.headersync.store.RocksDbStore})
 * implementation, and their limits in one place ({@link io.headersync.store.StoreOptions}). {@link
 * io.headersync.store.RocksDbReader} opens a node's RocksDB read-only, for tools.
 *
 * <h2>What a store holds</h2>
 *
 * One contiguous range of headers {@code [tail, head]}, never gaps: the first append initialises an
 * empty store at any height, every later one must start at {@code head + 1}. go-header's store
 * accepts anything and advances its head over what happens to be contiguous; ours rejects a
 * non-contiguous append with a {@link io.headersync.store.NonContiguousAppendException} and leaves
 * the store as it was, so headers that arrive early wait in the syncer, which bounds them.
 *
 * <h2>Threads, in one paragraph</h2>
 *
 * Reads are synchronous, lock-free in the common case, safe from any thread and may touch the disk:
 * keep them off network event loops. {@code RocksDbStore} has one writer thread; {@code append}
 * checks contiguity on the caller's thread, queues, and blocks when the queue is full; futures
 * complete on its callback executor (the node's worker pool, or a thread of the store's own), never
 * on the writer thread. {@code InMemoryStore} applies appends on the caller's thread, and completes
 * {@code awaitHeight} futures on the appending thread.
 *
 * <h2>Ownership</h2>
 *
 * Only this package imports {@code org.rocksdb}; {@link
 * io.headersync.store.RocksDbStore.Builder#database} is the one public signature with a RocksDB
 * type. A store built on the node's RocksDB never closes it; one built from a path owns and closes
 * its RocksDB.
 */
@NonNullByDefault
package io.headersync.store;

import io.headersync.annotation.NonNullByDefault;
