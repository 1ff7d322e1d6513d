package io.headersync.store;

/**
 * An append did not extend the head contiguously. The store is unchanged. The message names the
 * expected and the attempted heights.
 */
public class NonContiguousAppendException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** The height the next header had to have. */
  private final long expectedHeight;

  /** The height it had. */
  private final long attemptedHeight;

  /**
   * Creates an exception for an append that did not extend the head.
   *
   * @param expectedHeight the height the next header had to have: the head's height + 1 (counting
   *     queued appends)
   * @param attemptedHeight the height of the header that was appended instead
   * @param message the two heights, in words
   */
  public NonContiguousAppendException(long expectedHeight, long attemptedHeight, String message) {
    super(message);
    this.expectedHeight = expectedHeight;
    this.attemptedHeight = attemptedHeight;
  }

  /** {@return the height the next header had to have} */
  public long expectedHeight() {
    return expectedHeight;
  }

  /** {@return the height it had} */
  public long attemptedHeight() {
    return attemptedHeight;
  }
}
