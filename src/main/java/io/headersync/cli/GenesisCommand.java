package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.Signer;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code headersync genesis}: writes ev-node's {@code genesis.json} naming the key in an ev-node
 * signer key file ({@code signer.json}) as the proposer; {@code --create-key} first creates that
 * key file if it is absent.
 */
@Command(
    name = "genesis",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = Main.Version.class,
    description = {
      "Write ev-node's genesis.json naming the key in an ev-node signer key file as the proposer.",
      "With --create-key, first create the key file (encrypted with the passphrase in --passphrase-file) "
          + "if it does not exist.",
      "The passphrase is only ever read from a file, never from the command line."
    })
final class GenesisCommand implements Callable<Integer> {
  private final Main main;

  @Option(
      names = "--signer-key",
      paramLabel = "FILE",
      required = true,
      description = "ev-node's signer key file (signer.json), or the directory that holds it")
  Path signerKey;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description =
          "file holding the key's passphrase (needed with --create-key; otherwise checks it decrypts the key)")
  @Nullable
  Path passphraseFile;

  @Option(names = "--create-key", description = "create a new signer key file if there is none")
  boolean createKey;

  @Option(names = "--chain-id", paramLabel = "ID", required = true, description = "chain id")
  String chainId;

  @Option(
      names = "--initial-height",
      paramLabel = "N",
      description = "height of the first block (default: 1)")
  long initialHeight = 1;

  @Option(
      names = "--start-time",
      paramLabel = "T",
      description = "RFC 3339 time of the chain's start, e.g. 2026-12-05T00:00:00Z (default: now)")
  @Nullable
  String startTime;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "where to write it (default: ${DEFAULT-VALUE})")
  Path out = Path.of("genesis.json");

  @Option(names = "--force", description = "replace an existing --out file")
  boolean force;

  GenesisCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() {
    PrintStream o = main.out();
    if (initialHeight < 1) {
      throw new UsageException("--initial-height must be at least 1, got " + initialHeight);
    }
    if (chainId.isEmpty()) {
      throw new UsageException("--chain-id must not be empty");
    }
    Instant start = startTime == null ? main.clock().instant() : parseTime(startTime);
    if (createKey && passphraseFile == null) {
      throw new UsageException(
          "--create-key needs --passphrase-file: the key file is encrypted with that passphrase");
    }
    if (Files.exists(out) && !force) {
      throw new HeaderSyncException(
          out.toAbsolutePath() + " exists; choose another --out or add --force to replace it");
    }
    Path keyFile = SignerKeyFile.resolve(signerKey);
    Signer signer;
    if (!Files.exists(keyFile)) {
      if (!createKey) {
        throw new HeaderSyncException(
            "no signer key at "
                + keyFile.toAbsolutePath()
                + "; add --create-key (with --passphrase-file) to create one");
      }
      byte[] pass = SignerKeyFile.readPassphrase(passphraseFile);
      try {
        SignerKey key = SignerKey.generate(new SecureRandom());
        keyFile = SignerKeyFile.create(signerKey, key, pass, new SecureRandom());
        signer = key.signer();
        o.printf("created signer key %s%n", keyFile.toAbsolutePath());
      } finally {
        Arrays.fill(pass, (byte) 0);
      }
    } else {
      signer = SignerKeyFile.publicKey(signerKey);
      if (passphraseFile != null) {
        byte[] pass = SignerKeyFile.readPassphrase(passphraseFile);
        try {
          SignerKeyFile.load(signerKey, pass); // the passphrase opens it: the sequencer will start
        } finally {
          Arrays.fill(pass, (byte) 0);
        }
      }
    }
    Genesis genesis =
        Genesis.builder(chainId)
            .startTime(start)
            .initialHeight(initialHeight)
            .proposer(signer)
            .build();
    genesis.write(out);
    o.printf(
        "wrote %s: chain %s, initial height %,d, start %s%n",
        out.toAbsolutePath(), genesis.chainId(), genesis.initialHeight(), genesis.startTime());
    o.printf("proposer address %s%n", hex(genesis.proposerAddress()));
    o.printf("public key       %s%n", hex(signer.rawPublicKey()));
    return Main.OK;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static Instant parseTime(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new UsageException(
          "--start-time \"" + s + "\" is not an RFC 3339 time like 2026-12-05T00:00:00Z");
    }
  }
}
