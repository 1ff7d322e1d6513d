package io.headersync.libp2p;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry in which hosts built with {@link Host.Builder#inMemory(InMemoryNetwork)} listen on
 * {@code /memory/<n>} addresses and find each other, in one JVM, without sockets. Connections run the
 * same upgrade as TCP (multistream, Noise, Yamux), so tests over it exercise the real protocol code.
 *
 * <p>Each network is its own namespace: {@code /memory/1} in one network is not {@code /memory/1} in
 * another. A listen address of {@code /memory/0} takes the next free number. Thread-safe.
 */
public final class InMemoryNetwork {
  private static final AtomicLong NETWORKS = new AtomicLong();

  private final long id = NETWORKS.incrementAndGet();
  private final AtomicLong next = new AtomicLong();

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
