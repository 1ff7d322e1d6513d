package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.NetworkProfile;
import io.headersync.annotation.Nullable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code headersync devnet}: see {@link Devnet}. */
@Command(name = "devnet", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
    description = {"A sequencer, full nodes and a light node in one process on loopback TCP, with live progress.",
        "Exits 0 only if every node reached the sequencer's head."})
final class DevnetCommand implements Callable<Integer> {
  private final Main main;

  @Option(names = "--chain-id", paramLabel = "ID", description = "chain id (default: ${DEFAULT-VALUE})")
  String chainId = "gm";

  @Option(names = "--blocks", paramLabel = "N",
      description = "stop after the sequencer produced N blocks (default: 200)")
  @Nullable Long blocks;

  @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds instead")
  @Nullable Long seconds;

  @Option(names = "--block-time", paramLabel = "D",
      description = "time between blocks, e.g. 100ms, 1s (default: 100ms)")
  Duration blockTime = Duration.ofMillis(100);

  @Option(names = "--full", paramLabel = "N", description = "full nodes (default: ${DEFAULT-VALUE})")
  int full = 2;

  @Option(names = "--light", paramLabel = "N",
      description = "light nodes; they join when half the blocks are out (default: ${DEFAULT-VALUE})")
  int light = 1;

  @Option(names = "--profile", paramLabel = "P", completionCandidates = Profiles.class,
      description = "seed (/<chainId>/header-sub/v0.0.1, default) or evnode (/<chainId>-headerSync/...)")
  NetworkProfile profile = NetworkProfile.SEED;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "where the nodes' RocksDB stores go (default: a new temporary directory)")
  @Nullable Path dataDir;

  DevnetCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (blocks != null && seconds != null) {
      throw new UsageException("give --blocks or --seconds, not both");
    }
    long n = blocks == null ? 200 : blocks;
    if (n < 1) {
      throw new UsageException("--blocks must be positive, got " + n);
    }
    if (seconds != null && seconds < 1) {
      throw new UsageException("--seconds must be positive, got " + seconds);
    }
    if (full < 0 || light < 0) {
      throw new UsageException((full < 0 ? "--full" : "--light") + " must be at least 0, got " + Math.min(full, light));
    }
    if (full + light > 16) {
      throw new UsageException("at most 16 followers in one devnet, got " + (full + light));
    }
    Path dir = dataDir != null ? dataDir : tempDir("headersync-devnet-");
    return new Devnet(main.out(), main.clock(), chainId, profile, blockTime, n,
        seconds == null ? null : Duration.ofSeconds(seconds), full, light, dir).run();
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (java.io.IOException e) {
      throw new HeaderSyncException("cannot create a temporary data directory: " + e.getMessage(), e);
    }
  }

  /** Shell completion of {@code --profile}. */
  static final class Profiles implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("seed", "evnode").iterator();
    }
  }
}
