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
   * the previous, and that the first is at {@code pendingHead + 1} ({@code pendingHead == 0} means
   * an empty store, which any positive first height initialises). Returns an immutable copy, so
   * later changes to the caller's list cannot reach the writer.
   *
   * @throws NonContiguousAppendException naming the expected and attempted heights
   */
  static <H extends Header> List<H> checkContiguous(List<? extends H> headers, long pendingHead) {
    List<H> copy = copyChecked(headers);
    checkExtends(copy, pendingHead);
    return copy;
  }

  /**
   * The checks of {@link #checkContiguous} that do not depend on the store: all but the first
   * height.
   */
  static <H extends Header> List<H> copyChecked(List<? extends H> headers) {
    Objects.requireNonNull(headers, "headers == null");
    if (headers.isEmpty()) {
      throw new IllegalArgumentException("headers is empty");
    }
    List<H> copy = new ArrayList<>(headers.size());
    long expected = -1;
    for (int i = 0; i < headers.size(); i++) {
      H h = Objects.requireNonNull(headers.get(i), "headers[" + i + "] == null");
      long height = h.height();
      if (height < 1) {
        throw new IllegalArgumentException(
            "headers[" + i + "] has height " + height + "; heights start at 1");
      }
      if (expected != -1 && height != expected) {
        throw new NonContiguousAppendException(
            expected,
            height,
            "non-contiguous append: headers["
                + i
                + "] has height "
                + height
                + " but height "
                + expected
                + " was expected (it does not follow headers["
                + (i - 1)
                + "]); nothing was written");
      }
      expected = height + 1;
      copy.add(h);
    }
    return List.copyOf(copy);
  }

  /**
   * Checks that {@code headers} (already checked by {@link #copyChecked}) start at {@code
   * pendingHead + 1}.
   */
  static void checkExtends(List<? extends Header> headers, long pendingHead) {
    long height = headers.get(0).height();
    if (pendingHead != 0 && height != pendingHead + 1) {
      String what =
          height <= pendingHead
              ? "overlaps the head " + pendingHead
              : "leaves a gap after the head " + pendingHead;
      throw new NonContiguousAppendException(
          pendingHead + 1,
          height,
          "non-contiguous append: headers[0] has height "
              + height
              + " but height "
              + (pendingHead + 1)
              + " was expected ("
              + what
              + "; the head counts queued appends); nothing was written");
    }
  }

  /**
   * Checks that {@code headers} (already checked by {@link #copyChecked}) end at {@code pendingTail
   * - 1}.
   */
  static void checkPrecedes(List<? extends Header> headers, long pendingTail) {
    long last = headers.get(headers.size() - 1).height();
    if (pendingTail == 0) {
      throw new NonContiguousAppendException(
          0,
          last,
          "cannot prepend heights "
              + headers.get(0).height()
              + ".."
              + last
              + ": the store is empty (append initialises it); nothing was written");
    }
    if (last != pendingTail - 1) {
      throw new NonContiguousAppendException(
          pendingTail - 1,
          last,
          "non-contiguous prepend: the last header has height "
              + last
              + " but height "
              + (pendingTail - 1)
              + " was expected (just below the tail "
              + pendingTail
              + ", counting queued writes); nothing was written");
    }
  }
}
