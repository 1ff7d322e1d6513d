package io.headersync.bench;

import io.headersync.Hash;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.store.HeaderNotFoundException;
import io.headersync.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A read-only {@link Store} of the {@link BenchHeaders#EVNODE} chain {@code 1..n} that holds almost
 * nothing: headers are made again when asked for, from the hash of every 64th header (kept when the
 * store is built, 32 bytes per 64 headers: 5 MB for 10,000,000 headers). So a server can serve a
 * chain far larger than its heap, and faster than it would read one from disk: a catch-up asks for
 * ascending heights, which extend a window of the last 16,384 headers made (each header is made
 * once); a height below the window is made again from the nearest kept hash (at most 63 more).
 * Enough for {@code P2PServer}: head, tail, by height, ranges; by hash only the head and header 1.
 * Thread-safe (one lock).
 */
final class GeneratedChainStore implements Store<P2PSignedHeader> {
  private static final int STEP = 64;
  private static final int WINDOW = 16_384;
  private final BenchHeaders.EvNode chain = BenchHeaders.EVNODE;
  private final long n;

  /** {@code kept[k]}: the hash of header {@code (k + 1) * STEP}. */
  private final Hash[] kept;

  private final P2PSignedHeader genesis;
  private final P2PSignedHeader head;
  private final P2PSignedHeader[] window = new P2PSignedHeader[WINDOW];

  /** The heights {@link #window} holds: {@code [low, high]}, empty when {@code high < low}. */
  private long low = 1;

  private long high;

  /** Makes the chain once (about 1-2 µs per header), keeping every 64th hash. */
  GeneratedChainStore(long n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be positive: " + n);
    }
    this.n = n;
    this.kept = new Hash[(int) (n / STEP)];
    this.genesis = chain.first(1);
    P2PSignedHeader h = genesis;
    for (long height = 2; height <= n; height++) {
      if ((height - 1) % STEP == 0) {
        kept[(int) ((height - 1) / STEP) - 1] = h.hash();
      }
      h = chain.at(height, h.hash());
    }
    this.head = h;
  }

  /** Header {@code height}; from the window, by extending it, or made again from a kept hash. */
  private P2PSignedHeader make(long height) {
    if (height >= low && height <= high) {
      return window[(int) (height % WINDOW)];
    }
    if (height <= high || height > high + WINDOW) { // start a new window at the kept hash below
      long base = (height - 1) / STEP * STEP; // a height whose hash is kept (0: before genesis)
      low = base + 1;
      high = base;
    }
    while (high < height) {
      long next = high + 1;
      P2PSignedHeader h;
      if (next == 1) {
        h = genesis;
      } else if (next == low) {
        h = chain.at(next, kept[(int) ((next - 1) / STEP) - 1]);
      } else {
        h = chain.at(next, window[(int) (high % WINDOW)].hash());
      }
      window[(int) (next % WINDOW)] = h;
      high = next;
      if (high - low >= WINDOW) {
        low = high - WINDOW + 1;
      }
    }
    return window[(int) (height % WINDOW)];
  }

  @Override
  public Optional<P2PSignedHeader> head() {
    return Optional.of(head);
  }

  @Override
  public Optional<P2PSignedHeader> tail() {
    return Optional.of(genesis);
  }

  @Override
  public long height() {
    return n;
  }

  @Override
  public Optional<P2PSignedHeader> get(Hash hash) {
    if (hash.equals(head.hash())) {
      return Optional.of(head);
    }
    return hash.equals(genesis.hash()) ? Optional.of(genesis) : Optional.empty();
  }

  @Override
  public synchronized Optional<P2PSignedHeader> getByHeight(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("height must be positive: " + height);
    }
    return height > n ? Optional.empty() : Optional.of(height == n ? head : make(height));
  }

  @Override
  public CompletableFuture<P2PSignedHeader> awaitHeight(long height) {
    return getByHeight(height)
        .map(CompletableFuture::completedFuture)
        .orElseGet(CompletableFuture::new);
  }

  @Override
  public synchronized List<P2PSignedHeader> getRange(long from, long to) {
    if (from < 1 || from >= to) {
      throw new IllegalArgumentException("bad range [" + from + ", " + to + ")");
    }
    if (to - 1 > n) {
      throw new HeaderNotFoundException("heights [" + from + ", " + to + ") above the head " + n);
    }
    List<P2PSignedHeader> out = new ArrayList<>((int) (to - from));
    for (long h = from; h < to; h++) {
      out.add(h == n ? head : make(h));
    }
    return out;
  }

  @Override
  public boolean has(Hash hash) {
    return get(hash).isPresent();
  }

  @Override
  public boolean hasAt(long height) {
    return height >= 1 && height <= n;
  }

  @Override
  public CompletableFuture<Void> append(List<? extends P2PSignedHeader> headers) {
    throw new UnsupportedOperationException("a generated chain is read-only");
  }

  @Override
  public CompletableFuture<Void> prepend(List<? extends P2PSignedHeader> headers) {
    throw new UnsupportedOperationException("a generated chain is read-only");
  }

  @Override
  public CompletableFuture<Void> deleteRange(long from, long to) {
    throw new UnsupportedOperationException("a generated chain is read-only");
  }

  @Override
  public CompletableFuture<Long> deleteTo(long to) {
    throw new UnsupportedOperationException("a generated chain is read-only");
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
