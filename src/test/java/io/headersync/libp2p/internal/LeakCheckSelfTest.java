package io.headersync.libp2p.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

class LeakCheckSelfTest {
  @Test
  void reportsALeakedBuffer() throws Exception {
    LeakCheck check = new LeakCheck();
    check.beforeAll(null);
    ByteBufAllocator.DEFAULT.buffer(16).writeInt(1); // leaked on purpose
    assertThrows(AssertionError.class, () -> check.afterEach((ExtensionContext) null));
  }
}
