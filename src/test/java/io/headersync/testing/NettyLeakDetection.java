package io.headersync.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Fails tests that leak Netty buffers.
 *
 * <p>As a {@link LauncherSessionListener} (registered in {@code META-INF/services}) it installs,
 * before any buffer class loads, a leak detector factory whose detectors record every leak report
 * instead of only logging it; the build runs with {@code -Dio.netty.leakDetection.level=paranoid},
 * so every buffer is tracked. As a JUnit extension (auto-detected, see {@code
 * junit-platform.properties}) it collects garbage after each test (once) and after each test class
 * (a few times), provokes the detectors to drain their reference queues, and fails the test or
 * class if any leak was reported. A leak found after a test is usually that test's; one found after
 * the class may be any of its tests'.
 */
public final class NettyLeakDetection
    implements LauncherSessionListener, AfterEachCallback, AfterAllCallback {
  private static final List<String> LEAKS = new ArrayList<>();
  private static volatile boolean installed;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    install();
  }

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context, 1);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context, 3);
  }

  private static void check(ExtensionContext context, int rounds) {
    List<String> leaks = drain(rounds);
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size()
              + " Netty buffer leak(s) detected after "
              + context.getDisplayName()
              + ":\n"
              + String.join("\n----\n", leaks));
    }
  }

  /** Runs garbage collection and returns (and forgets) every leak reported so far. */
  public static List<String> drain() {
    return drain(3);
  }

  private static List<String> drain(int rounds) {
    for (int i = 0; i < rounds; i++) {
      System.gc();
      // Each tracked allocation polls the detector's reference queue and reports collected leaks.
      for (ByteBufAllocator alloc :
          new ByteBufAllocator[] {
            PooledByteBufAllocator.DEFAULT,
            UnpooledByteBufAllocator.DEFAULT,
            ByteBufAllocator.DEFAULT
          }) {
        for (int j = 0; j < 4; j++) {
          ByteBuf probe = alloc.directBuffer(1);
          probe.release();
          probe = alloc.heapBuffer(1);
          probe.release();
        }
      }
    }
    synchronized (LEAKS) {
      List<String> out = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return out;
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      record(
          "LEAK: "
              + resourceType
              + ".release() was not called before it was garbage-collected."
              + records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      record(
          "LEAK: " + resourceType + ".release() was not called before it was garbage-collected.");
    }

    private static void record(String s) {
      synchronized (LEAKS) {
        LEAKS.add(s);
      }
    }
  }
}
