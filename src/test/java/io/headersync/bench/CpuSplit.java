package io.headersync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a benchmark run's CPU went: CPU time per thread group (a thread's name without its numbers)
 * between {@link #start()} and {@link #toString()}, plus the rest of the JVM (GC, JIT compilers).
 */
final class CpuSplit {
  private final Map<String, Long> threads0 = threadCpu();
  private final Map<String, Long> native0 = nativeThreadCpu();
  private final long process0 = processCpuNanos();

  private CpuSplit() {}

  static CpuSplit start() {
    return new CpuSplit();
  }

  /**
   * CPU time of this JVM since {@link #start()}, in nanoseconds (0 where the platform does not
   * say).
   */
  long processNanos() {
    return processCpuNanos() - process0;
  }

  /**
   * The share of this JVM's CPU since {@link #start()} that its JIT compiler threads took (0 where
   * unknown).
   */
  double jitShare() {
    long process = processNanos();
    long jit = 0;
    for (var e : nativeThreadCpu().entrySet()) {
      if (e.getKey().startsWith("C1")
          || e.getKey().startsWith("C2")
          || e.getKey().startsWith("CN")) {
        jit += e.getValue() - native0.getOrDefault(e.getKey(), 0L);
      }
    }
    return process <= 0 ? 0 : (double) jit / process;
  }

  /**
   * CPU time since {@link #start()} of the native threads whose name starts with {@code prefix}, in
   * nanoseconds.
   */
  long nativeNanos(String prefix) {
    long sum = 0;
    for (var e : nativeThreadCpu().entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        sum += e.getValue() - native0.getOrDefault(e.getKey(), 0L);
      }
    }
    return sum;
  }

  @Override
  public String toString() {
    long process = processNanos();
    StringBuilder split = new StringBuilder();
    long javaThreads = 0;
    for (var e : threadCpu().entrySet()) {
      long d = e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
      javaThreads += d;
      if (d >= 1_000_000) {
        split.append(e.getKey()).append(' ').append(d / 1_000_000).append(" ms, ");
      }
    }
    StringBuilder jvm = new StringBuilder();
    for (var e : nativeThreadCpu().entrySet()) {
      long d = e.getValue() - native0.getOrDefault(e.getKey(), 0L);
      if (d >= 1_000_000) {
        jvm.append(jvm.length() == 0 ? " (" : ", ")
            .append(e.getKey())
            .append(' ')
            .append(d / 1_000_000)
            .append(" ms");
      }
    }
    return "CPU "
        + process / 1_000_000
        + " ms: "
        + split
        + "JVM "
        + (process - javaThreads) / 1_000_000
        + " ms"
        + (jvm.length() == 0 ? "" : jvm + ")");
  }

  /**
   * CPU time of the JVM's own threads (GC, JIT compilers) and RocksDB's background threads (flushes
   * and compactions, {@code rocksdb:low}/{@code rocksdb:high}) by name, from Linux's {@code
   * /proc/self/task/<tid>/schedstat}; empty elsewhere.
   */
  private static Map<String, Long> nativeThreadCpu() {
    Map<String, Long> out = new TreeMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File task : tasks) {
      try {
        String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
        if (!name.startsWith("GC")
            && !name.startsWith("G1")
            && !name.startsWith("C1")
            && !name.startsWith("C2")
            && !name.startsWith("VM")
            && !name.startsWith("rocksdb")) {
          continue;
        }
        String schedstat =
            java.nio.file.Files.readString(task.toPath().resolve("schedstat")).trim();
        out.merge(
            name.replaceAll("[0-9]+", "N"), Long.parseLong(schedstat.split(" ")[0]), Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended while we read it
      }
    }
    return out;
  }

  private static Map<String, Long> threadCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new TreeMap<>();
    for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (ti != null) {
        long t = mx.getThreadCpuTime(ti.getThreadId());
        if (t > 0) {
          out.merge(ti.getThreadName().replaceAll("[0-9]+", "N"), t, Long::sum);
        }
      }
    }
    return out;
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }
}
