package io.headersync.store;

/**
 * A {@link Store#deleteRange} or {@link Store#deleteTo} call asked for a range the store cannot
 * delete: empty or reversed, below the tail, above the head, one that would leave a gap inside
 * {@code [tail, head]}, or larger than {@link StoreOptions#maxDeleteHeaders()}. The store is
 * unchanged. The message names the range, the store's {@code [tail, head]} (counting queued writes)
 * and the rule.
 */
public class InvalidDeleteException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** The first height asked for. */
  private final long from;

  /** The height after the last one asked for. */
  private final long to;

  /**
   * Creates an exception for a refused delete of {@code [from, to)}.
   *
   * @param from the first height asked for
   * @param to the height after the last one asked for (exclusive)
   * @param message the range, the store's {@code [tail, head]} and the rule it breaks
   */
  public InvalidDeleteException(long from, long to, String message) {
    super(message);
    this.from = from;
    this.to = to;
  }

  /** {@return the first height asked for} */
  public long from() {
    return from;
  }

  /** {@return the height after the last one asked for} */
  public long to() {
    return to;
  }
}
