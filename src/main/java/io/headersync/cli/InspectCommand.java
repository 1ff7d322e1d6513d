package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.Signer;
import io.headersync.store.RocksDbStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code headersync inspect}: a store's head, tail, height and one header. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
    description = "Print a store's head, tail, height and one header.")
final class InspectCommand implements Callable<Integer> {
  private final Main main;

  @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "RocksDB directory")
  Path dataDir;

  @Option(names = "--height", paramLabel = "N", description = "the header to print (default: the head)")
  Long height;

  @Option(names = "--prefix", paramLabel = "P",
      description = "the store's key prefix (default: headerEx; headerSync for --profile evnode)")
  String prefix = RocksDbStore.DEFAULT_PREFIX;

  InspectCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() {
    PrintStream out = main.out();
    Path dir = dataDir;
    if (!Files.isDirectory(dir)) {
      throw new UsageException("no store at " + dir.toAbsolutePath() + " (run `headersync chain` first?)");
    }
    try (RocksDbStore<P2PSignedHeader> store = RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir)
        .prefix(prefix).build()) {
      Optional<P2PSignedHeader> head = store.head();
      if (head.isEmpty()) {
        out.println("store " + dir.toAbsolutePath() + " is empty");
        return Main.OK;
      }
      out.printf("store   %s (prefix %s)%n", dir.toAbsolutePath(), store.prefix());
      out.printf("tail    %,d %s%n", store.tail().orElseThrow().height(), store.tail().orElseThrow().hash());
      out.printf("head    %,d %s%n", head.get().height(), head.get().hash());
      out.printf("height  %,d%n", store.height());
      long at = height == null ? head.get().height() : height;
      P2PSignedHeader h = store.getByHeight(at).orElseThrow(() -> new UsageException(
          "height " + at + " is not stored (tail " + store.tail().orElseThrow().height() + ", head "
              + head.get().height() + ")"));
      out.println();
      out.printf("header %,d%n", h.height());
      out.printf("  chain id        %s%n", h.chainId());
      out.printf("  time            %s%n", h.time());
      out.printf("  hash            %s%n", h.hash());
      out.printf("  last hash       %s%n", h.lastHeaderHash());
      out.printf("  data hash       %s%n", h.header().dataHash());
      out.printf("  proposer        %s%n", HexFormat.of().formatHex(h.header().proposerAddress()).toUpperCase());
      Signer signer = h.signedHeader().signer();
      out.printf("  signer key      %s%n", signer.isEmpty() ? "-" : HexFormat.of().formatHex(signer.rawPublicKey()));
      out.printf("  da height hint  %d%n", h.daHeightHint());
      String sig;
      try {
        h.verifySignature();
        sig = "valid";
      } catch (HeaderSyncException e) {
        sig = "INVALID: " + e.getMessage();
      }
      out.printf("  signature       %s%n", sig);
      return Main.OK;
    }
  }
}
