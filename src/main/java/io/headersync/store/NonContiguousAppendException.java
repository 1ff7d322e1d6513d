package io.headersync.store;

/**
 * An append did not extend the head contiguously. The store is unchanged. The message names the
 * expected and the attempted heights.
 */
public class NonContiguousAppendException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final long expectedHeight;
  private final long attemptedHeight;

  public NonContiguousAppendException(long expectedHeight, long attemptedHeight, String message) {
    super(message);
    this.expectedHeight = expectedHeight;
    this.attemptedHeight = attemptedHeight;
  }

  /** The height the next header had to have. */
  public long expectedHeight() {
    return expectedHeight;
  }

  /** The height it had. */
  public long attemptedHeight() {
    return attemptedHeight;
  }
}
