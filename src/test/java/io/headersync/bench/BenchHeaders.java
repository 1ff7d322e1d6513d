package io.headersync.bench;

import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.testing.DummyHeader;
import java.time.Instant;

/**
 * How a benchmark makes a chain of headers of one kind: the hook for header types other than
 * {@link DummyHeader}. To benchmark ev-node headers, add a kind here (e.g. {@code "evnode"}, making
 * signed headers with a fixed key) and add its name to the {@code headerKind} {@code @Param} of the
 * benchmarks.
 *
 * @param <H> the header type
 */
public interface BenchHeaders<H extends Header> {
  /** The header type, for decoding. */
  HeaderType<H> type();

  /** The first header of a chain, at {@code height}. */
  H first(long height);

  /** The header after {@code previous}, linked to it. */
  H next(H previous);

  /** The header kinds implemented so far. */
  String KINDS = "dummy";

  /** The factory for {@code kind}. */
  static BenchHeaders<?> of(String kind) {
    switch (kind) {
      case "dummy":
        return DUMMY;
      default:
        throw new IllegalArgumentException("unknown header kind \"" + kind + "\"; implemented: " + KINDS);
    }
  }

  /**
   * {@link DummyHeader}s with a 290-character chain id, so that an encoded header is 352 bytes, in
   * the 250-400 bytes of a real ev-node header.
   */
  BenchHeaders<DummyHeader> DUMMY = new BenchHeaders<>() {
    private final String chainId = "bench-" + "x".repeat(284);

    @Override
    public HeaderType<DummyHeader> type() {
      return DummyHeader.TYPE;
    }

    @Override
    public DummyHeader first(long height) {
      return DummyHeader.genesis(chainId, height, Instant.parse("2024-01-01T00:00:00Z"));
    }

    @Override
    public DummyHeader next(DummyHeader previous) {
      return previous.next();
    }
  };
}
