package io.headersync.testkit;

import io.headersync.annotation.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Generates linked chains of {@link DummyHeader}s (go-header's {@code DummySuite}): the genesis
 * header first, then each following one at height + 1 carrying its predecessor's hash. Two chains
 * made with the same arguments (or the same seed) are equal header for header.
 *
 * <pre>{@code
 * DummyChain chain = new DummyChain(Instant.parse("2024-01-01T00:00:00Z"));
 * List<DummyHeader> first = chain.next(100);      // heights 1..100
 * DummyHeader more = chain.next();                // height 101
 * List<DummyHeader> other = DummyChain.seeded(7).next(100); // another chain, the same on every run
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class DummyChain {
  private static final Instant SEEDED_EPOCH = Instant.parse("2024-01-01T00:00:00Z");

  private final DummyHeader genesis;
  private final @Nullable Random steps;
  private @Nullable DummyHeader head;

  /**
   * A chain whose genesis is at height 1, chain id "test"; each header is 1 ns after the one below.
   *
   * @param genesisTime the time of the genesis header
   */
  public DummyChain(Instant genesisTime) {
    this("test", 1, genesisTime);
  }

  /**
   * A chain whose genesis is at {@code genesisHeight}; each header is 1 ns after the one below.
   *
   * @param chainId the chain id of every header
   * @param genesisHeight the height of the first header, at least 1
   * @param genesisTime the time of the first header
   */
  public DummyChain(String chainId, long genesisHeight, Instant genesisTime) {
    this(
        DummyHeader.genesis(
            Objects.requireNonNull(chainId, "chainId == null"),
            checkHeight(genesisHeight),
            Objects.requireNonNull(genesisTime, "genesisTime == null")),
        null);
  }

  private DummyChain(DummyHeader genesis, @Nullable Random steps) {
    this.genesis = genesis;
    this.steps = steps;
  }

  /**
   * A chain of chain id "test" from height 1 whose genesis time (within 2024) and block times (1 ms
   * to 2 s apart) come from {@code seed}: the same seed gives the same chain, another seed another
   * chain (other hashes from the genesis on).
   *
   * @param seed the seed of its times
   * @return a new chain
   */
  public static DummyChain seeded(long seed) {
    Random random = new Random(seed);
    Instant genesisTime =
        SEEDED_EPOCH.plusMillis(random.nextInt(365 * 24 * 3600) * 1000L + random.nextInt(1000));
    return new DummyChain(DummyHeader.genesis("test", 1, genesisTime), random);
  }

  private static long checkHeight(long genesisHeight) {
    if (genesisHeight < 1) {
      throw new IllegalArgumentException("genesisHeight must be at least 1, got " + genesisHeight);
    }
    return genesisHeight;
  }

  /**
   * The next header: the genesis header first, then each following one.
   *
   * @return the header after the last one generated
   */
  public DummyHeader next() {
    DummyHeader h = head;
    if (h == null) {
      h = genesis;
    } else if (steps == null) {
      h = h.next();
    } else {
      h = h.next().withTime(h.time().plus(Duration.ofMillis(1 + steps.nextInt(2000))));
    }
    head = h;
    return h;
  }

  /**
   * The next {@code n} headers.
   *
   * @param n how many, at least 0
   * @return them, lowest first
   */
  public List<DummyHeader> next(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    List<DummyHeader> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /**
   * The last header generated.
   *
   * @return the chain's head
   * @throws IllegalStateException if none was generated yet
   */
  public DummyHeader head() {
    DummyHeader h = head;
    if (h == null) {
      throw new IllegalStateException("no header generated yet");
    }
    return h;
  }
}
