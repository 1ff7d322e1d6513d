package io.headersync.libp2p.internal.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ByteQueueTest {
  @Test
  void takingExactlyTheFirstChunkReturnsItWithoutACopy() {
    ByteQueue q = new ByteQueue();
    byte[] a = {1, 2, 3};
    byte[] b = {4, 5};
    q.add(a);
    q.add(b);
    assertSame(a, q.take(3));
    assertEquals(2, q.size());
    assertSame(b, q.take(2));
    assertEquals(0, q.size());
  }

  @Test
  void takesAndSkipsAcrossChunks() {
    ByteQueue q = new ByteQueue();
    q.add(new byte[] {1, 2, 3});
    q.add(new byte[0]);
    q.add(new byte[] {4, 5});
    q.add(new byte[] {6, 7, 8, 9});
    q.skip(1);
    assertEquals(2, q.peek(0));
    assertEquals(8, q.size());
    assertArrayEquals(new byte[] {2, 3, 4}, q.take(3));
    q.skip(2); // 5, 6
    assertEquals(7, q.peek(0));
    assertEquals(3, q.size());
    assertArrayEquals(new byte[] {7, 8, 9}, q.take(3)); // the rest of a chunk: copied
    assertEquals(0, q.size());
  }
}
