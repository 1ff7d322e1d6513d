package io.headersync.store;

import java.util.Objects;

/**
 * The limits of a {@link Store}, in one place, with their defaults. Immutable; build one with
 * {@link #builder()} or start from {@link #defaults()} and change a few with {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>Limit</th><th>Default</th><th>What it bounds</th></tr>
 *   <tr><td>{@link #writeQueueHeaders()}</td><td>{@value #DEFAULT_WRITE_QUEUE_HEADERS}</td>
 *       <td>headers accepted by {@code append} but not yet written; {@code append} blocks beyond it
 *       (backpressure). One append larger than the limit is still accepted when the queue is empty.</td></tr>
 *   <tr><td>{@link #maxBatchHeaders()}</td><td>{@value #DEFAULT_MAX_BATCH_HEADERS}</td>
 *       <td>headers the writer coalesces from several queued appends into one RocksDB {@code WriteBatch}.
 *       An append is never split, so one larger append makes one larger batch.</td></tr>
 *   <tr><td>{@link #headerCacheSize()}</td><td>{@value #DEFAULT_HEADER_CACHE_SIZE}</td>
 *       <td>decoded headers kept in the height-to-header LRU cache (recently written or read)</td></tr>
 *   <tr><td>{@link #hashCacheSize()}</td><td>{@value #DEFAULT_HASH_CACHE_SIZE}</td>
 *       <td>entries of the hash-to-height LRU cache</td></tr>
 *   <tr><td>{@link #maxWaiters()}</td><td>{@value #DEFAULT_MAX_WAITERS}</td>
 *       <td>pending {@link Store#awaitHeight} futures; the next one fails with a {@link StoreException}</td></tr>
 *   <tr><td>{@link #maxDeleteHeaders()}</td><td>{@value #DEFAULT_MAX_DELETE_HEADERS}</td>
 *       <td>headers one {@link Store#deleteRange} or {@link Store#deleteTo} call deletes (one write batch)</td></tr>
 * </table>
 *
 * <p>Memory: with ~400-byte headers the defaults hold at most about 16 MiB in the write queue (each
 * queued header also carries its encoded records) and about 3 MiB of cached headers. {@link InMemoryStore} uses only {@link #maxWaiters()} and
 * {@link #maxDeleteHeaders()}; it keeps every header anyway.
 */
public final class StoreOptions {
  public static final int DEFAULT_WRITE_QUEUE_HEADERS = 16_384;
  public static final int DEFAULT_MAX_BATCH_HEADERS = 4_096;
  public static final int DEFAULT_HEADER_CACHE_SIZE = 4_096;
  public static final int DEFAULT_HASH_CACHE_SIZE = 16_384;
  public static final int DEFAULT_MAX_WAITERS = 1_024;
  public static final int DEFAULT_MAX_DELETE_HEADERS = 4_096;

  private static final StoreOptions DEFAULTS = builder().build();

  private final int writeQueueHeaders;
  private final int maxBatchHeaders;
  private final int headerCacheSize;
  private final int hashCacheSize;
  private final int maxWaiters;
  private final int maxDeleteHeaders;

  private StoreOptions(Builder b) {
    this.writeQueueHeaders = b.writeQueueHeaders;
    this.maxBatchHeaders = b.maxBatchHeaders;
    this.headerCacheSize = b.headerCacheSize;
    this.hashCacheSize = b.hashCacheSize;
    this.maxWaiters = b.maxWaiters;
    this.maxDeleteHeaders = b.maxDeleteHeaders;
  }

  /** {@return the defaults listed in the class documentation} */
  public static StoreOptions defaults() {
    return DEFAULTS;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.writeQueueHeaders = writeQueueHeaders;
    b.maxBatchHeaders = maxBatchHeaders;
    b.headerCacheSize = headerCacheSize;
    b.hashCacheSize = hashCacheSize;
    b.maxWaiters = maxWaiters;
    b.maxDeleteHeaders = maxDeleteHeaders;
    return b;
  }

  /** Headers queued for the writer before {@code append} blocks. */
  public int writeQueueHeaders() {
    return writeQueueHeaders;
  }

  /** Headers coalesced into one write batch. */
  public int maxBatchHeaders() {
    return maxBatchHeaders;
  }

  /** Entries of the height-to-header cache; 0 disables it. */
  public int headerCacheSize() {
    return headerCacheSize;
  }

  /** Entries of the hash-to-height cache; 0 disables it. */
  public int hashCacheSize() {
    return hashCacheSize;
  }

  /** Pending {@link Store#awaitHeight} futures allowed at once. */
  public int maxWaiters() {
    return maxWaiters;
  }

  /** Headers deleted by one {@link Store#deleteRange} or {@link Store#deleteTo} call at most. */
  public int maxDeleteHeaders() {
    return maxDeleteHeaders;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StoreOptions)) {
      return false;
    }
    StoreOptions x = (StoreOptions) o;
    return writeQueueHeaders == x.writeQueueHeaders && maxBatchHeaders == x.maxBatchHeaders
        && headerCacheSize == x.headerCacheSize && hashCacheSize == x.hashCacheSize && maxWaiters == x.maxWaiters
        && maxDeleteHeaders == x.maxDeleteHeaders;
  }

  @Override
  public int hashCode() {
    return Objects.hash(writeQueueHeaders, maxBatchHeaders, headerCacheSize, hashCacheSize, maxWaiters, maxDeleteHeaders);
  }

  @Override
  public String toString() {
    return "StoreOptions{writeQueueHeaders=" + writeQueueHeaders + ", maxBatchHeaders=" + maxBatchHeaders
        + ", headerCacheSize=" + headerCacheSize + ", hashCacheSize=" + hashCacheSize + ", maxWaiters="
        + maxWaiters + ", maxDeleteHeaders=" + maxDeleteHeaders + "}";
  }

  /** Builds {@link StoreOptions}; every setter rejects values out of range, naming the option. */
  public static final class Builder {
    private int writeQueueHeaders = DEFAULT_WRITE_QUEUE_HEADERS;
    private int maxBatchHeaders = DEFAULT_MAX_BATCH_HEADERS;
    private int headerCacheSize = DEFAULT_HEADER_CACHE_SIZE;
    private int hashCacheSize = DEFAULT_HASH_CACHE_SIZE;
    private int maxWaiters = DEFAULT_MAX_WAITERS;
    private int maxDeleteHeaders = DEFAULT_MAX_DELETE_HEADERS;

    private Builder() {}

    /** @throws IllegalArgumentException if {@code n < 1} */
    public Builder writeQueueHeaders(int n) {
      this.writeQueueHeaders = positive("writeQueueHeaders", n);
      return this;
    }

    /** @throws IllegalArgumentException if {@code n < 1} */
    public Builder maxBatchHeaders(int n) {
      this.maxBatchHeaders = positive("maxBatchHeaders", n);
      return this;
    }

    /** @throws IllegalArgumentException if {@code n < 0} */
    public Builder headerCacheSize(int n) {
      this.headerCacheSize = nonNegative("headerCacheSize", n);
      return this;
    }

    /** @throws IllegalArgumentException if {@code n < 0} */
    public Builder hashCacheSize(int n) {
      this.hashCacheSize = nonNegative("hashCacheSize", n);
      return this;
    }

    /** @throws IllegalArgumentException if {@code n < 0}; 0 makes every wait for a future height fail */
    public Builder maxWaiters(int n) {
      this.maxWaiters = nonNegative("maxWaiters", n);
      return this;
    }

    /** @throws IllegalArgumentException if {@code n < 1} */
    public Builder maxDeleteHeaders(int n) {
      this.maxDeleteHeaders = positive("maxDeleteHeaders", n);
      return this;
    }

    public StoreOptions build() {
      return new StoreOptions(this);
    }

    private static int positive(String name, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + n);
      }
      return n;
    }

    private static int nonNegative(String name, int n) {
      if (n < 0) {
        throw new IllegalArgumentException(name + " must not be negative, got " + n);
      }
      return n;
    }
  }
}
