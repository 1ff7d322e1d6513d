/**
 * Header stores: {@link io.headersync.store.Store}, with an in-memory and a RocksDB implementation.
 *
 * <p>Only this package imports {@code org.rocksdb}.
 */
@NonNullByDefault
package io.headersync.store;

import io.headersync.annotation.NonNullByDefault;
