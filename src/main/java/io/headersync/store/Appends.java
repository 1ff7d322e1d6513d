package io.headersync.store;

import io.headersync.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The contiguity rule both stores apply to {@link Store#append}. */
final class Appends {
  private Appends() {}

  /**
   * Checks that {@code headers} are non-empty, non-null, at positive heights, each one height above
   * the previous, and that the first is at {@code pendingHead + 1} ({@code pendingHead == 0} means an
   * empty store, which any positive first height initialises). Returns an immutable copy, so later
   * changes to the caller's list cannot reach the writer.
   *
   * @throws NonContiguousAppendException naming the expected and attempted heights
   */
  static <H extends Header> List<H> checkContiguous(List<? extends H> headers, long pendingHead) {
    Objects.requireNonNull(headers, "headers == null");
    if (headers.isEmpty()) {
      throw new IllegalArgumentException("headers is empty");
    }
    List<H> copy = new ArrayList<>(headers.size());
    long expected = pendingHead == 0 ? -1 : pendingHead + 1;
    for (int i = 0; i < headers.size(); i++) {
      H h = Objects.requireNonNull(headers.get(i), "headers[" + i + "] == null");
      long height = h.height();
      if (height < 1) {
        throw new IllegalArgumentException("headers[" + i + "] has height " + height + "; heights start at 1");
      }
      if (expected != -1 && height != expected) {
        String what = i == 0
            ? (height <= pendingHead ? "overlaps the head " + pendingHead : "leaves a gap after the head " + pendingHead)
            : "does not follow headers[" + (i - 1) + "] at height " + (expected - 1);
        throw new NonContiguousAppendException(expected, height,
            "non-contiguous append: headers[" + i + "] has height " + height + " but height " + expected
                + " was expected (" + what + "; heads count queued appends); nothing was written");
      }
      expected = height + 1;
      copy.add(h);
    }
    return List.copyOf(copy);
  }
}
