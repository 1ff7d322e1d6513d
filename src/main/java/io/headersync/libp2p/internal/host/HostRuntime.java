package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.internal.SerialExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * What the parts of a host share: the configuration, our peer id, the user executor, the ordered
 * connection events and whether the host runs (accepts, dials and registers connections).
 */
final class HostRuntime {
  final HostConfig config;
  final PeerId self;
  final UserExecutor user;

  /** Connection events in order, over the user executor, so a listener sees them in order. */
  final SerialExecutor events;

  private volatile boolean running;

  HostRuntime(HostConfig config, UserExecutor user) {
    this.config = config;
    this.self = config.identity().peerId();
    this.user = user;
    this.events = new SerialExecutor(user.executor());
  }

  boolean running() {
    return running;
  }

  void running(boolean running) {
    this.running = running;
  }

  /** Queues a connection event; dropped (logged by nobody: the host is stopping) if refused. */
  void event(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException e) {
      // the user executor is gone: there is nobody left to tell
    }
  }

  /** Completes {@code f} on the user executor; a refusal fails it (the host is closing). */
  <T> void completeOnUser(CompletableFuture<T> f, @Nullable T value, @Nullable Throwable failure) {
    user.complete(f, value, failure, HostRuntime::refused);
  }

  static ConnectionException refused(RejectedExecutionException e) {
    return new ConnectionException(
        ConnectionException.Reason.HOST_CLOSED,
        "the host's user executor refused the task: " + e.getMessage(),
        e);
  }

  static ConnectionException notRunning() {
    return new ConnectionException(ConnectionException.Reason.HOST_CLOSED, "host is not running");
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
