package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import io.headersync.libp2p.internal.PrivateFiles;
import io.headersync.service.NetworkProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code headersync devnet}: see {@link Devnet}. */
@Command(
    name = "devnet",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = Main.Version.class,
    description = {
      "A sequencer, full nodes and a light node in one process on loopback TCP, with live progress.",
      "Exits 0 only if every node reached the sequencer's head."
    })
final class DevnetCommand implements Callable<Integer> {
  private final Main main;

  @Option(
      names = "--chain-id",
      paramLabel = "ID",
      description = "chain id (default: gm, or the chain of a reused --data-dir)")
  @Nullable
  String chainId;

  @Option(
      names = "--blocks",
      paramLabel = "N",
      description = "stop after the sequencer produced N blocks (default: 200)")
  @Nullable
  Long blocks;

  @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds instead")
  @Nullable
  Long seconds;

  @Option(
      names = "--block-time",
      paramLabel = "D",
      description = "time between blocks, e.g. 100ms, 1s (default: 100ms)")
  Duration blockTime = Duration.ofMillis(100);

  @Option(
      names = "--full",
      paramLabel = "N",
      description = "full nodes (default: ${DEFAULT-VALUE})")
  int full = 2;

  @Option(
      names = "--light",
      paramLabel = "N",
      description =
          "light nodes; they join when half the blocks are out (default: ${DEFAULT-VALUE})")
  int light = 1;

  @Option(
      names = "--profile",
      paramLabel = "P",
      completionCandidates = Profiles.class,
      description =
          "seed (/<chainId>/header-sub/v0.0.1, default) or evnode (/<chainId>-headerSync/...)")
  NetworkProfile profile = NetworkProfile.SEED;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "where the nodes' RocksDB stores go (default: a new temporary directory)")
  @Nullable
  Path dataDir;

  @Option(
      names = "--genesis-out",
      paramLabel = "FILE",
      description =
          "also write the devnet's ev-node genesis.json (names the sequencer's key) to FILE")
  @Nullable
  Path genesisOut;

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
      throw new UsageException(
          (full < 0 ? "--full" : "--light") + " must be at least 0, got " + Math.min(full, light));
    }
    if (full + light > 16) {
      throw new UsageException("at most 16 followers in one devnet, got " + (full + light));
    }
    Path dir = dataDir != null ? dataDir : tempDir("headersync-devnet-");
    DataDirs.prepare(dir);
    Path genesisFile = dir.resolve(Devnet.GENESIS);
    Path keyFile = dir.resolve(SignerKeyFile.FILE_NAME);
    Path passphraseFile = dir.resolve("passphrase.txt");
    Path profileFile = dir.resolve("profile");
    Genesis genesis;
    SignerKey key;
    if (Files.exists(genesisFile)) {
      // A devnet ran here before: the same chain, key and profile go on after the stored heads.
      genesis = Genesis.read(genesisFile);
      if (chainId != null && !chainId.equals(genesis.chainId())) {
        throw new UsageException(
            dir
                + " holds devnet chain \""
                + genesis.chainId()
                + "\", not \""
                + chainId
                + "\"; drop --chain-id to go on with it, or choose another --data-dir");
      }
      String stored = read(profileFile).strip();
      if (!stored.equalsIgnoreCase(profile.name())) {
        throw new UsageException(
            dir
                + " holds a devnet of --profile "
                + stored.toLowerCase(Locale.ROOT)
                + "; use that profile to go on with it, or choose another --data-dir");
      }
      byte[] pass = SignerKeyFile.readPassphrase(passphraseFile);
      try {
        key = SignerKeyFile.load(keyFile, pass);
      } finally {
        Arrays.fill(pass, (byte) 0);
      }
    } else {
      if (!isEmpty(dir)) {
        throw new UsageException(
            dir
                + " is not empty and holds no devnet (no "
                + Devnet.GENESIS
                + "); choose an empty or new --data-dir");
      }
      SecureRandom random = new SecureRandom();
      key = SignerKey.generate(random);
      byte[] pass = new byte[16];
      random.nextBytes(pass);
      pass = HexFormat.of().formatHex(pass).getBytes(StandardCharsets.US_ASCII);
      try {
        write(passphraseFile, pass);
        SignerKeyFile.create(keyFile, key, pass, random);
      } finally {
        Arrays.fill(pass, (byte) 0);
      }
      write(profileFile, profile.name().getBytes(StandardCharsets.US_ASCII));
      genesis =
          Genesis.builder(chainId == null ? "gm" : chainId)
              .startTime(main.clock().instant())
              .proposer(key)
              .build();
      genesis.write(genesisFile);
    }
    if (genesisOut != null) {
      genesis.write(genesisOut);
      main.out().printf("wrote the devnet's genesis to %s%n", genesisOut.toAbsolutePath());
    }
    return new Devnet(
            main.out(),
            main.clock(),
            genesis,
            key,
            profile,
            blockTime,
            n,
            seconds == null ? null : Duration.ofSeconds(seconds),
            full,
            light,
            dir,
            main.newStopSignal())
        .run();
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new HeaderSyncException("cannot list " + dir.toAbsolutePath() + ": " + e, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new HeaderSyncException("cannot read " + file.toAbsolutePath() + ": " + e, e);
    }
  }

  private static void write(Path file, byte[] content) {
    try {
      PrivateFiles.writeAtomically(file, content);
    } catch (IOException e) {
      throw new HeaderSyncException("cannot write " + file.toAbsolutePath() + ": " + e, e);
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (java.io.IOException e) {
      throw new HeaderSyncException(
          "cannot create a temporary data directory: " + e.getMessage(), e);
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
