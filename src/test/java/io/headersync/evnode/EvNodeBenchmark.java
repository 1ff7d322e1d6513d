package io.headersync.evnode;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Costs of the ev-node header path: decode, hash, encode and the signature check.
 *
 * <p>Run: {@code mvn -B test-compile exec:exec -Pbench -Dbench.args="EvNodeBenchmark -f 1"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class EvNodeBenchmark {
  private byte[] wire;
  private P2PSignedHeader header;

  @Setup
  public void setUp() {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(1)))
            .chainId("bench")
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .build();
    Block block = signer.next(signer.genesis(List.of()), List.of(new byte[100]));
    header = block.p2pHeader();
    wire = header.encode();
  }

  @Benchmark
  public P2PSignedHeader decode() {
    return P2PSignedHeader.decode(wire);
  }

  @Benchmark
  public Object decodeAndHash() {
    return P2PSignedHeader.decode(wire).hash();
  }

  /** What a synced header costs the codec: decoded from the wire, hashed, encoded for the store. */
  @Benchmark
  public byte[] decodeHashEncode() {
    P2PSignedHeader h = P2PSignedHeader.decode(wire);
    h.hash();
    return h.encode();
  }

  @Benchmark
  public byte[] encode() {
    return header.encode();
  }

  @Benchmark
  public P2PSignedHeader decodeAndVerifySignature() {
    P2PSignedHeader h = P2PSignedHeader.decode(wire);
    h.verifySignature();
    return h;
  }
}
