package io.headersync.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Generates linked chains of {@link DummyHeader}s (go-header's {@code DummySuite}). */
public final class DummyChain {
  private DummyHeader head;

  /** A chain whose genesis is at height 1, chain id "test", at {@code genesisTime}. */
  public DummyChain(Instant genesisTime) {
    this("test", 1, genesisTime);
  }

  public DummyChain(String chainId, long genesisHeight, Instant genesisTime) {
    this.head = null;
    this.genesis = DummyHeader.genesis(chainId, genesisHeight, genesisTime);
  }

  private final DummyHeader genesis;

  /** The next header: genesis first, then each following one. */
  public DummyHeader next() {
    head = head == null ? genesis : head.next();
    return head;
  }

  /** The next {@code n} headers. */
  public List<DummyHeader> next(int n) {
    List<DummyHeader> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /** The last header generated. */
  public DummyHeader head() {
    if (head == null) {
      throw new IllegalStateException("no header generated yet");
    }
    return head;
  }
}
