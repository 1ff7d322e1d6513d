package io.headersync.service;

import io.headersync.annotation.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The executors a {@link HeaderSyncService} runs on: the builder's, or its own, shut down when it
 * stops (or when its build fails).
 */
final class ServiceThreads {
  final ScheduledExecutorService scheduler;
  final ExecutorService workers;
  private final List<ExecutorService> owned = new ArrayList<>();

  ServiceThreads(@Nullable ScheduledExecutorService scheduler, @Nullable ExecutorService workers) {
    if (scheduler != null) {
      this.scheduler = scheduler;
    } else {
      ScheduledExecutorService s =
          Executors.newSingleThreadScheduledExecutor(daemon("headersync-scheduler"));
      owned.add(s);
      this.scheduler = s;
    }
    if (workers != null) {
      this.workers = workers;
    } else {
      ExecutorService w =
          Executors.newFixedThreadPool(
              Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("headersync-worker"));
      owned.add(w);
      this.workers = w;
    }
  }

  /** Shuts down the executors the service created; the builder's are the caller's to shut down. */
  void shutDown() {
    for (ExecutorService e : owned) {
      e.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
