package io.headersync.store;

import io.headersync.Header;

/**
 * The stored range {@code [tail, head]} as one immutable value, so a reader sees a tail and a head
 * that belong together. Published (volatile) only after the headers it covers are readable.
 */
final class Bounds<H extends Header> {
  final H tail;
  final H head;

  Bounds(H tail, H head) {
    this.tail = tail;
    this.head = head;
  }

  long tailHeight() {
    return tail.height();
  }

  long headHeight() {
    return head.height();
  }

  boolean contains(long height) {
    return height >= tail.height() && height <= head.height();
  }

  @Override
  public String toString() {
    return "[" + tail.height() + ", " + head.height() + "]";
  }
}
