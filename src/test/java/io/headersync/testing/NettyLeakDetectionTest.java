package io.headersync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

class NettyLeakDetectionTest {
  @Test
  void testsRunWithParanoidLeakDetection() {
    assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
  }

  @Test
  void reportsABufferThatWasNeverReleased() {
    leakOneBuffer();
    boolean reported = false;
    for (int i = 0; i < 10 && !reported; i++) {
      reported = NettyLeakDetection.drain().stream().anyMatch(s -> s.contains("LEAK"));
    }
    assertTrue(reported, "the deliberately leaked buffer was not reported");
    assertFalse(
        NettyLeakDetection.drain().stream().anyMatch(s -> s.contains("LEAK")),
        "leak list not cleared");
  }

  private static void leakOneBuffer() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(16);
    leaked.writeInt(42);
  }
}
