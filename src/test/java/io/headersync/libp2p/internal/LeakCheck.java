package io.headersync.libp2p.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leaked ByteBuf. Leak reports come from
 * the GC, so after each test this forces collections and allocations (which make the detector
 * look at its reference queue); a report that surfaces later fails a later test of the class.
 * Use with {@code -Dio.netty.leakDetection.level=paranoid} (the build's default).
 */
public final class LeakCheck implements BeforeAllCallback, AfterEachCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (installed) {
      return;
    }
    Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    f.setAccessible(true);
    ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
    detector.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
    installed = true;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (int i = 0; i < 3 && LEAKS.isEmpty(); i++) {
      System.gc();
      for (int j = 0; j < 64; j++) {
        ByteBuf a = Unpooled.buffer(1);
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(1);
        a.release();
        b.release();
      }
    }
    if (!LEAKS.isEmpty()) {
      String report = String.join("\n", LEAKS);
      LEAKS.clear();
      throw new AssertionError("ByteBuf leak detected:\n" + report);
    }
  }
}
