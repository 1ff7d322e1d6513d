package io.headersync.store;

/**
 * A {@link Store#deleteRange} or {@link Store#deleteTo} call asked for a range the store cannot
 * delete: empty or reversed, below the tail, above the head, one that would leave a gap inside
 * {@code [tail, head]}, or larger than {@link StoreOptions#maxDeleteHeaders()}. The store is unchanged.
 * The message names the range, the store's {@code [tail, head]} (counting queued writes) and the rule.
 */
public class InvalidDeleteException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final long from;
  private final long to;

  public InvalidDeleteException(long from, long to, String message) {
    super(message);
    this.from = from;
    this.to = to;
  }

  /** The first height asked for. */
  public long from() {
    return from;
  }

  /** The height after the last one asked for. */
  public long to() {
    return to;
  }
}
