package io.headersync.bench;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.evnode.BlockHeader;
import io.headersync.evnode.Data;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.testkit.DummyHeader;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * How a benchmark makes a chain of headers of one kind: {@code "dummy"} ({@link DummyHeader}) or
 * {@code "evnode"} (ev-node {@link P2PSignedHeader}s). Select one with {@code -p
 * headerKind=evnode}.
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

  /** The {@link DummyHeader} kind. */
  String DUMMY_KIND = "dummy";

  /** The ev-node {@link P2PSignedHeader} kind. */
  String EVNODE_KIND = "evnode";

  /** The factory for {@code kind}. */
  static BenchHeaders<?> of(String kind) {
    switch (kind) {
      case DUMMY_KIND:
        return DUMMY;
      case EVNODE_KIND:
        return EVNODE;
      default:
        throw new IllegalArgumentException(
            "unknown header kind \""
                + kind
                + "\"; implemented: "
                + DUMMY_KIND
                + ", "
                + EVNODE_KIND);
    }
  }

  /**
   * {@link DummyHeader}s with a 290-character chain id, so that an encoded header is 352 bytes, in
   * the 250-400 bytes of a real ev-node header.
   */
  BenchHeaders<DummyHeader> DUMMY =
      new BenchHeaders<>() {
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

  /** ev-node {@link P2PSignedHeader}s, unsigned: see {@link EvNode}. */
  EvNode EVNODE = new EvNode();

  /**
   * ev-node {@link P2PSignedHeader}s as a sequencer makes them (version, chain id, height, time,
   * last header hash, data hash, app hash, proposer, validator hash, signer with its libp2p public
   * key, a 64-byte signature): about 330 bytes encoded, 100 ms apart from 2024-01-01. The signature
   * is a fixed value, not a real one: the store never checks signatures, and signing would make
   * generation, not the store, the bottleneck.
   */
  final class EvNode implements BenchHeaders<P2PSignedHeader> {
    /** The chain id of every header. */
    public static final String CHAIN_ID = "bench-chain";

    /** Time between two headers. */
    public static final Duration BLOCK_TIME = Duration.ofMillis(100);

    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private final SignerKey key = SignerKey.fromSeed(new byte[32]);
    private final byte[] signature = filled(64, (byte) 0x5A);
    private final Hash appHash = Hash.of(filled(32, (byte) 0xAB));

    private EvNode() {}

    @Override
    public HeaderType<P2PSignedHeader> type() {
      return EvNodeTypes.P2P_SIGNED_HEADER;
    }

    @Override
    public P2PSignedHeader first(long height) {
      return header(height, START, Hash.EMPTY);
    }

    @Override
    public P2PSignedHeader next(P2PSignedHeader previous) {
      return header(previous.height() + 1, previous.time().plus(BLOCK_TIME), previous.hash());
    }

    /**
     * Header {@code height} of the chain whose header 1 is {@code first(1)}, given its
     * predecessor's hash.
     */
    public P2PSignedHeader at(long height, Hash last) {
      return header(height, START.plus(BLOCK_TIME.multipliedBy(height - 1)), last);
    }

    private P2PSignedHeader header(long height, Instant time, Hash last) {
      BlockHeader h =
          BlockHeader.builder()
              .chainId(CHAIN_ID)
              .height(height)
              .time(time)
              .lastHeaderHash(last)
              .dataHash(Data.EMPTY_TXS_DATA_HASH)
              .appHash(appHash)
              .proposerAddress(key.address())
              .validatorHash(Hash.of(key.address()))
              .build();
      return P2PSignedHeader.of(SignedHeader.of(h, signature, key.signer()), 0);
    }

    private static byte[] filled(int n, byte b) {
      byte[] out = new byte[n];
      Arrays.fill(out, b);
      return out;
    }
  }
}
