package io.headersync.store;

/**
 * The rule both stores apply to {@link Store#deleteRange} and {@link Store#deleteTo}: go-header's
 * three shapes of {@code DeleteRange}, so the store never holds a gap, and a bound per call.
 */
final class Deletes {
  private Deletes() {}

  /** What a valid deletion does to the stored range. */
  enum Shape {
    /** {@code from == tail}, {@code to <= head}: the tail moves up to {@code to}. */
    TAIL_UP,
    /**
     * {@code tail < from <= head}, {@code to == head + 1}: the head moves down to {@code from - 1}.
     */
    HEAD_DOWN,
    /** {@code from == tail}, {@code to == head + 1}: the store becomes empty. */
    WIPE
  }

  /**
   * Checks {@code [from, to)} against the stored range {@code [tail, head]} (which counts queued
   * writes; {@code head == 0} means empty) and the limit per call.
   *
   * @throws InvalidDeleteException naming the range, the stored range and the rule broken
   */
  static Shape check(long from, long to, long tail, long head, int maxDeleteHeaders) {
    if (from < 1 || from >= to) {
      throw new InvalidDeleteException(
          from,
          to,
          "cannot delete ["
              + from
              + ", "
              + to
              + "): the range must start at a positive height and not be empty or reversed");
    }
    if (head == 0) {
      throw new InvalidDeleteException(
          from, to, "cannot delete [" + from + ", " + to + "): the store is empty");
    }
    String stored = "; the store holds [" + tail + ", " + head + "] (counting queued writes)";
    if (to - from > maxDeleteHeaders) {
      throw new InvalidDeleteException(
          from,
          to,
          "cannot delete ["
              + from
              + ", "
              + to
              + "): "
              + (to - from)
              + " headers is more than StoreOptions.maxDeleteHeaders = "
              + maxDeleteHeaders
              + " per call"
              + stored);
    }
    if (from < tail) {
      throw new InvalidDeleteException(
          from,
          to,
          "cannot delete [" + from + ", " + to + "): it starts below the tail " + tail + stored);
    }
    if (from > head || to > head + 1) {
      throw new InvalidDeleteException(
          from,
          to,
          "cannot delete [" + from + ", " + to + "): it reaches above the head " + head + stored);
    }
    if (from == tail) {
      return to == head + 1 ? Shape.WIPE : Shape.TAIL_UP;
    }
    if (to == head + 1) {
      return Shape.HEAD_DOWN;
    }
    throw new InvalidDeleteException(
        from,
        to,
        "cannot delete ["
            + from
            + ", "
            + to
            + "): it would leave a gap; only a range starting at the tail "
            + tail
            + " or ending after the head "
            + head
            + " can be deleted"
            + stored);
  }

  /**
   * The range {@link Store#deleteTo} deletes in one call: {@code [tail, min(to, tail + max))}, or
   * {@code null} when {@code to <= tail} (nothing to do).
   *
   * @throws InvalidDeleteException if the store is empty or {@code to > head} (deleteTo keeps the
   *     head)
   */
  static long @io.headersync.annotation.Nullable [] stepTo(
      long to, long tail, long head, int maxDeleteHeaders) {
    if (head == 0) {
      throw new InvalidDeleteException(
          tail, to, "cannot delete up to " + to + ": the store is empty");
    }
    if (to > head) {
      throw new InvalidDeleteException(
          tail,
          to,
          "cannot delete up to "
              + to
              + ": deleteTo keeps the head "
              + head
              + " (use deleteRange(tail, head + 1) to empty the store); the store holds ["
              + tail
              + ", "
              + head
              + "] (counting queued writes)");
    }
    if (to <= tail) {
      return null;
    }
    return new long[] {tail, Math.min(to, tail + maxDeleteHeaders)};
  }
}
