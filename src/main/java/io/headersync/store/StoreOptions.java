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
 *       <td>decoded headers kept in the height-to-header cache (recently written or read), rounded
 *       down to a power of two; direct-mapped by height, so the most recent consecutive heights are
 *       all kept</td></tr>
 *   <tr><td>{@link #hashCacheSize()}</td><td>{@value #DEFAULT_HASH_CACHE_SIZE}</td>
 *       <td>entries of the hash-to-height cache (direct-mapped), rounded down to a power of
 *       two</td></tr>
 *   <tr><td>{@link #maxWaiters()}</td><td>{@value #DEFAULT_MAX_WAITERS}</td>
 *       <td>pending {@link Store#awaitHeight} futures; the next one fails with a {@link StoreException}</td></tr>
 *   <tr><td>{@link #maxDeleteHeaders()}</td><td>{@value #DEFAULT_MAX_DELETE_HEADERS}</td>
 *       <td>headers one {@link Store#deleteRange} or {@link Store#deleteTo} call deletes (one write batch)</td></tr>
 * </table>
 *
 * <p>Memory: with ~400-byte headers the defaults hold at most about 16 MiB in the write queue (each
 * queued header also carries its encoded records) and about 3 MiB of cached headers. {@link
 * InMemoryStore} uses only {@link #maxWaiters()} and {@link #maxDeleteHeaders()}; it keeps every
 * header anyway.
 */
public final class StoreOptions {
  /** The default of {@link #writeQueueHeaders()}: 16,384 headers. */
  public static final int DEFAULT_WRITE_QUEUE_HEADERS = 16_384;

  /** The default of {@link #maxBatchHeaders()}: 4,096 headers. */
  public static final int DEFAULT_MAX_BATCH_HEADERS = 4_096;

  /** The default of {@link #headerCacheSize()}: 4,096 headers. */
  public static final int DEFAULT_HEADER_CACHE_SIZE = 4_096;

  /** The default of {@link #hashCacheSize()}: 16,384 entries. */
  public static final int DEFAULT_HASH_CACHE_SIZE = 16_384;

  /** The default of {@link #maxWaiters()}: 1,024 futures. */
  public static final int DEFAULT_MAX_WAITERS = 1_024;

  /** The default of {@link #maxDeleteHeaders()}: 4,096 headers. */
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

  /** {@return a builder holding the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options, to change a few} */
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

  /**
   * {@return how many headers may be queued for the writer before {@code append} blocks} One append
   * larger than this is still accepted when the queue is empty.
   */
  public int writeQueueHeaders() {
    return writeQueueHeaders;
  }

  /**
   * {@return how many headers the writer coalesces from queued appends into one write batch} An
   * append is never split, so one larger append makes one larger batch.
   */
  public int maxBatchHeaders() {
    return maxBatchHeaders;
  }

  /** {@return how many decoded headers the height-to-header cache holds at most; 0 disables it} */
  public int headerCacheSize() {
    return headerCacheSize;
  }

  /** {@return how many entries the hash-to-height cache holds at most; 0 disables it} */
  public int hashCacheSize() {
    return hashCacheSize;
  }

  /**
   * {@return how many {@link Store#awaitHeight} futures may be pending at once} The next one fails
   * with a {@link StoreException}.
   */
  public int maxWaiters() {
    return maxWaiters;
  }

  /**
   * {@return how many headers one {@link Store#deleteRange} or {@link Store#deleteTo} call may
   * delete} They are deleted in one write batch.
   */
  public int maxDeleteHeaders() {
    return maxDeleteHeaders;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StoreOptions)) {
      return false;
    }
    StoreOptions x = (StoreOptions) o;
    return writeQueueHeaders == x.writeQueueHeaders
        && maxBatchHeaders == x.maxBatchHeaders
        && headerCacheSize == x.headerCacheSize
        && hashCacheSize == x.hashCacheSize
        && maxWaiters == x.maxWaiters
        && maxDeleteHeaders == x.maxDeleteHeaders;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        writeQueueHeaders,
        maxBatchHeaders,
        headerCacheSize,
        hashCacheSize,
        maxWaiters,
        maxDeleteHeaders);
  }

  @Override
  public String toString() {
    return "StoreOptions{writeQueueHeaders="
        + writeQueueHeaders
        + ", maxBatchHeaders="
        + maxBatchHeaders
        + ", headerCacheSize="
        + headerCacheSize
        + ", hashCacheSize="
        + hashCacheSize
        + ", maxWaiters="
        + maxWaiters
        + ", maxDeleteHeaders="
        + maxDeleteHeaders
        + "}";
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

    /**
     * Sets how many headers may be queued for the writer before {@code append} blocks. Default
     * {@value #DEFAULT_WRITE_QUEUE_HEADERS}.
     *
     * @param n the queue bound in headers; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder writeQueueHeaders(int n) {
      this.writeQueueHeaders = positive("writeQueueHeaders", n);
      return this;
    }

    /**
     * Sets how many headers the writer coalesces into one write batch. Default {@value
     * #DEFAULT_MAX_BATCH_HEADERS}.
     *
     * @param n the batch bound in headers; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder maxBatchHeaders(int n) {
      this.maxBatchHeaders = positive("maxBatchHeaders", n);
      return this;
    }

    /**
     * Sets how many decoded headers the height-to-header cache holds at most (rounded down to a
     * power of two). Default {@value #DEFAULT_HEADER_CACHE_SIZE}.
     *
     * @param n the cache size in headers; 0 disables the cache
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public Builder headerCacheSize(int n) {
      this.headerCacheSize = nonNegative("headerCacheSize", n);
      return this;
    }

    /**
     * Sets how many entries the hash-to-height cache holds at most (rounded down to a power of
     * two). Default {@value #DEFAULT_HASH_CACHE_SIZE}.
     *
     * @param n the cache size in entries; 0 disables the cache
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public Builder hashCacheSize(int n) {
      this.hashCacheSize = nonNegative("hashCacheSize", n);
      return this;
    }

    /**
     * Sets how many {@link Store#awaitHeight} futures may be pending at once. Default {@value
     * #DEFAULT_MAX_WAITERS}.
     *
     * @param n the bound; 0 makes every wait for a future height fail
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public Builder maxWaiters(int n) {
      this.maxWaiters = nonNegative("maxWaiters", n);
      return this;
    }

    /**
     * Sets how many headers one delete call may delete. Default {@value
     * #DEFAULT_MAX_DELETE_HEADERS}.
     *
     * @param n the bound in headers; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder maxDeleteHeaders(int n) {
      this.maxDeleteHeaders = positive("maxDeleteHeaders", n);
      return this;
    }

    /** {@return the options; immutable, safe to share between stores} */
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
