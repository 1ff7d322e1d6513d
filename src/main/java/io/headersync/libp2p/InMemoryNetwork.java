package io.headersync.libp2p;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry in which hosts built with {@link Host.Builder#inMemory(InMemoryNetwork)} listen on
 * {@code /memory/<n>} addresses and find each other, in one JVM, without sockets. Connections run
 * the same upgrade as TCP (multistream, Noise, Yamux), so tests over it exercise the real protocol
 * code.
 *
 * <p>Each network is its own namespace: {@code /memory/1} in one network is not {@code /memory/1}
 * in another. A listen address of {@code /memory/0} takes the next free number. Thread-safe.
 *
 * <p>The hosts of one network share its event loops (both ends of an in-memory connection must
 * outlive each other's close), started with the first host: {@link #close()} the network after its
 * hosts to stop them (they are daemon threads named {@code headersync-memory-*}).
 */
public final class InMemoryNetwork implements AutoCloseable {
  private static final AtomicLong NETWORKS = new AtomicLong();

  private final long id = NETWORKS.incrementAndGet();
  private final AtomicLong next = new AtomicLong();
  private final int threads;
  private EventLoopGroup group;
  private boolean closed;

  /** A network whose hosts share 2 event loop threads. */
  public InMemoryNetwork() {
    this(2);
  }

  /**
   * A network whose hosts share {@code eventLoopThreads} event loop threads.
   *
   * @param eventLoopThreads how many threads carry every connection of the network; positive
   * @throws IllegalArgumentException if {@code eventLoopThreads} is zero or negative
   */
  public InMemoryNetwork(int eventLoopThreads) {
    if (eventLoopThreads <= 0) {
      throw new IllegalArgumentException("eventLoopThreads must be positive: " + eventLoopThreads);
    }
    this.threads = eventLoopThreads;
  }

  synchronized EventLoopGroup eventLoopGroup() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    if (group == null) {
      group =
          new MultiThreadIoEventLoopGroup(
              threads,
              new DefaultThreadFactory("headersync-memory-" + id, true),
              LocalIoHandler.newFactory());
    }
    return group;
  }

  /** Stops the network's event loops; close its hosts first. Idempotent. */
  @Override
  public void close() {
    EventLoopGroup g;
    synchronized (this) {
      closed = true;
      g = group;
      group = null;
    }
    if (g != null) {
      g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  /** The next free address number (from 1). */
  long allocate() {
    return next.incrementAndGet();
  }

  /** The JVM-wide name of the in-memory endpoint for {@code /memory/<n>} in this network. */
  String endpointName(long n) {
    return "headersync-mem-" + id + "-" + n;
  }

  @Override
  public String toString() {
    return "InMemoryNetwork#" + id;
  }
}
