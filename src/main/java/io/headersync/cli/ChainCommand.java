package io.headersync.cli;

import io.headersync.Verification;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.store.RocksDbStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code headersync chain}: a sequencer's job on one machine: sign, verify and store a header
 * chain.
 */
@Command(
    name = "chain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = Main.Version.class,
    description =
        "Sign, verify and store an ev-node header chain, as a sequencer does, with figures.")
final class ChainCommand implements Callable<Integer> {
  private final Main main;

  @Option(
      names = "--chain-id",
      paramLabel = "ID",
      description = "chain id (default: ${DEFAULT-VALUE})")
  String chainId = "gm";

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "headers to produce (default: ${DEFAULT-VALUE})")
  long count = 100_000;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "RocksDB directory; must not hold headers yet (default: a new temporary directory)")
  @Nullable
  Path dataDir;

  @Option(
      names = "--block-time",
      paramLabel = "D",
      description = "time between headers, e.g. 100ms, 1s (default: 100ms)")
  Duration blockTime = Duration.ofMillis(100);

  @Option(
      names = "--seed",
      paramLabel = "TEXT",
      description =
          "the signing key is derived from this text (default: devnet; not for production)")
  String seed = "devnet";

  ChainCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() {
    if (count < 1) {
      throw new UsageException("--count must be positive, got " + count);
    }
    PrintStream out = main.out();
    Clock clock = main.clock();
    Path dir = dataDir != null ? dataDir : DevnetCommand.tempDir("headersync-chain-");
    SignerKey key = SignerKey.fromSeed(sha256(seed));
    // Times end now, so every header passes the "not from the future" checks.
    Instant start = clock.instant().minus(blockTime.multipliedBy(count));
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(key)
            .chainId(chainId)
            .startTime(start)
            .blockTime(blockTime)
            .build();
    Verification<P2PSignedHeader> verification =
        new Verification<>(EvNodeTypes.P2P_SIGNED_HEADER, clock);

    try (RocksDbStore<P2PSignedHeader> store =
        RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir).build()) {
      Optional<P2PSignedHeader> existing = store.head();
      if (existing.isPresent()) {
        throw new UsageException(
            dir
                + " already holds headers "
                + store.tail().orElseThrow().height()
                + ".."
                + existing.get().height()
                + "; inspect it or choose another --data-dir");
      }
      out.printf(
          "chain %s: producing %,d signed ev-node headers into %s (proposer %s)%n",
          chainId,
          count,
          dir.toAbsolutePath(),
          HexFormat.of().withUpperCase().formatHex(key.address()));
      long signNanos = 0;
      long verifyNanos = 0;
      long t0 = System.nanoTime();
      long lastReport = t0;
      Block prev = null;
      P2PSignedHeader trusted = null;
      CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);
      List<P2PSignedHeader> batch = new ArrayList<>(64);
      for (long i = 0; i < count; i++) {
        long s = System.nanoTime();
        prev = prev == null ? signer.genesis(List.of()) : signer.next(prev, List.of());
        P2PSignedHeader h = prev.p2pHeader();
        long v = System.nanoTime();
        signNanos += v - s;
        h.validate(clock);
        h.verifySignature();
        if (trusted != null) {
          verification.verify(trusted, h);
        }
        verifyNanos += System.nanoTime() - v;
        trusted = h;
        batch.add(h);
        if (batch.size() == 64 || i == count - 1) {
          lastAppend = store.append(batch);
          batch = new ArrayList<>(64);
        }
        long now = System.nanoTime();
        if (now - lastReport >= 1_000_000_000L) {
          lastReport = now;
          out.printf("  height %,d  %,.0f headers/s%n", h.height(), (i + 1) / ((now - t0) / 1e9));
        }
      }
      lastAppend.join();
      store.flush();
      double total = (System.nanoTime() - t0) / 1e9;
      P2PSignedHeader head = store.head().orElseThrow();
      out.printf(
          "done: %,d headers in %.2f s (%,.0f headers/s end to end)%n",
          count, total, count / total);
      out.printf("  sign   %,.0f headers/s%n", count / (signNanos / 1e9));
      out.printf(
          "  verify %,.0f headers/s (validate + Ed25519 signature + go-header verify)%n",
          count / (verifyNanos / 1e9));
      out.printf(
          "  store  head %,d %s, tail %,d%n",
          head.height(), head.hash(), store.tail().orElseThrow().height());
      out.printf("inspect it: ./headersync inspect --data-dir %s%n", dir.toAbsolutePath());
      return Main.OK;
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
