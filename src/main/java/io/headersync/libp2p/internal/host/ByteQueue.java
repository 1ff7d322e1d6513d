package io.headersync.libp2p.internal.host;

import java.util.ArrayDeque;

/**
 * Received bytes waiting for a read: a queue of owned arrays. Not thread-safe (event loop only).
 */
final class ByteQueue {
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private int headOffset;
  private int size;

  void add(byte[] chunk) {
    if (chunk.length > 0) {
      chunks.addLast(chunk);
      size += chunk.length;
    }
  }

  int size() {
    return size;
  }

  /** The byte at {@code index} from the front; {@code index < size()}. */
  int peek(int index) {
    int i = index + headOffset;
    for (byte[] c : chunks) {
      if (i < c.length) {
        return c[i] & 0xFF;
      }
      i -= c.length;
    }
    throw new IndexOutOfBoundsException(index);
  }

  /** Removes and returns the first chunk (or what remains of it). */
  byte[] takeChunk() {
    byte[] c = chunks.removeFirst();
    byte[] out = headOffset == 0 ? c : java.util.Arrays.copyOfRange(c, headOffset, c.length);
    headOffset = 0;
    size -= out.length;
    return out;
  }

  /**
   * Removes and returns the first {@code n} bytes; {@code n <= size()}. When they are exactly the
   * first chunk, that array is returned as it is (no copy).
   */
  byte[] take(int n) {
    byte[] first = chunks.peekFirst();
    if (headOffset == 0 && first != null && first.length == n) {
      chunks.removeFirst();
      size -= n;
      return first;
    }
    byte[] out = new byte[n];
    int done = 0;
    while (done < n) {
      byte[] c = chunks.peekFirst();
      int avail = c.length - headOffset;
      int k = Math.min(avail, n - done);
      System.arraycopy(c, headOffset, out, done, k);
      done += k;
      headOffset += k;
      if (headOffset == c.length) {
        chunks.removeFirst();
        headOffset = 0;
      }
    }
    size -= n;
    return out;
  }

  void skip(int n) {
    size -= n;
    while (n > 0) {
      byte[] c = chunks.peekFirst();
      int k = Math.min(c.length - headOffset, n);
      n -= k;
      headOffset += k;
      if (headOffset == c.length) {
        chunks.removeFirst();
        headOffset = 0;
      }
    }
  }

  void clear() {
    chunks.clear();
    headOffset = 0;
    size = 0;
  }
}
