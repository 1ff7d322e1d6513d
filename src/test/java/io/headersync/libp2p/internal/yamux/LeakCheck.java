package io.headersync.libp2p.internal.yamux;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a ByteBuf leak. Leak detection must be paranoid (the
 * build's argLine sets it); after each test this collects garbage and allocates tracked buffers so
 * that the detector reports leaked buffers that are now unreachable.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
  private static final List<String> leaks = new ArrayList<>();

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    // ByteBuf leaks are reported by AbstractByteBuf's own detector; the listener is per detector.
    try {
      Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
      field.setAccessible(true);
      ((ResourceLeakDetector<?>) field.get(null)).setLeakListener((resourceType, records) -> {
        synchronized (leaks) {
          leaks.add(resourceType + " " + records);
        }
      });
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    flushReports();
    synchronized (leaks) {
      leaks.clear();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    flushReports();
    synchronized (leaks) {
      if (!leaks.isEmpty()) {
        String report = String.join("\n", leaks);
        leaks.clear();
        fail("ByteBuf leak detected:\n" + report);
      }
    }
  }

  private static void flushReports() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      // Each tracked allocation polls the detector's reference queue and reports collected leaks.
      for (int j = 0; j < 64; j++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(1);
        a.release();
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(1);
        b.release();
      }
    }
  }
}
