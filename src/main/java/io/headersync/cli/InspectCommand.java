package io.headersync.cli;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.ProposerCheck;
import io.headersync.evnode.Signer;
import io.headersync.store.RocksDbReader;
import io.headersync.store.RocksDbStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code headersync inspect}: reads a node's stores without writing anything. {@code --data-dir}
 * may be a node's data directory (its {@code headers/} and {@code data/} stores are found) or one
 * RocksDB directory; the store prefixes of both network profiles are looked for. Prints each
 * store's tail and head, one height in detail, or a range one line per height; {@code inspect
 * verify} walks the stores.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = Main.Version.class,
    description = {
      "Print a node's stores (read-only: nothing is created or written, and a running node's "
          + "stores can be read): tail, head, one height in detail, or a range of heights.",
      "--data-dir is a node's data directory (headers/ and data/ are found) or one RocksDB directory."
    })
final class InspectCommand implements Callable<Integer> {
  /** Known store prefixes: both network profiles, headers and data. */
  static final List<String> HEADER_PREFIXES = List.of("headerEx", "headerSync");

  static final List<String> DATA_PREFIXES = List.of("blockEx", "dataSync");

  private final Main main;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "a node's data directory, or a RocksDB directory (required)")
  @Nullable
  Path dataDir;

  @Option(
      names = "--height",
      paramLabel = "N",
      description = "the height to print in detail (default: the head)")
  @Nullable
  Long height;

  @Option(
      names = "--from",
      paramLabel = "N",
      description = "list heights from N (with --to; one line each)")
  @Nullable
  Long from;

  @Option(names = "--to", paramLabel = "N", description = "list heights up to N, inclusive")
  @Nullable
  Long to;

  @Option(
      names = "--prefix",
      paramLabel = "P",
      description =
          "only the store under this key prefix (default: any of headerEx, blockEx, headerSync, dataSync)")
  @Nullable
  String prefix;

  InspectCommand(Main main) {
    this.main = main;
  }

  /** One store found: where, what, and the open store. */
  record Found<H extends Header>(String kind, Path dir, String prefix, RocksDbStore<H> store) {}

  /** The stores under a data directory, opened read-only. */
  static final class Stores implements AutoCloseable {
    final List<RocksDbReader> readers = new ArrayList<>();
    @Nullable Found<P2PSignedHeader> headers;
    @Nullable Found<P2PData> data;

    @Override
    public void close() {
      readers.forEach(RocksDbReader::close);
    }
  }

  /**
   * Finds the header and data stores under {@code dir}.
   *
   * @throws HeaderSyncException if there is no store there, naming what was looked for
   */
  static Stores locate(Path dir, @Nullable String prefix) {
    List<Path> dbs = new ArrayList<>();
    if (RocksDbReader.isStore(dir)) {
      dbs.add(dir);
    } else {
      for (String sub : List.of("headers", "data")) {
        if (RocksDbReader.isStore(dir.resolve(sub))) {
          dbs.add(dir.resolve(sub));
        }
      }
    }
    if (dbs.isEmpty()) {
      if (!Files.isDirectory(dir)) {
        RocksDbReader.open(dir).close(); // names the reason: missing, not a directory
      }
      List<String> nodes = nodeDirs(dir);
      throw new HeaderSyncException(
          "no store at "
              + dir.toAbsolutePath()
              + (nodes.isEmpty()
                  ? ": neither a RocksDB directory nor a node's data directory (headers/, data/)"
                  : ": it holds the node directories "
                      + String.join(", ", nodes)
                      + "; give one of them as --data-dir"));
    }
    Stores s = new Stores();
    try {
      for (Path db : dbs) {
        RocksDbReader r = RocksDbReader.open(db);
        s.readers.add(r);
        for (String p : HEADER_PREFIXES) {
          if (s.headers == null && (prefix == null || prefix.equals(p))) {
            s.headers =
                r.store(EvNodeTypes.P2P_SIGNED_HEADER, p)
                    .map(st -> new Found<>("headers", db, p, st))
                    .orElse(null);
          }
        }
        for (String p : DATA_PREFIXES) {
          if (s.data == null && (prefix == null || prefix.equals(p))) {
            s.data =
                r.store(EvNodeTypes.P2P_DATA, p)
                    .map(st -> new Found<>("data", db, p, st))
                    .orElse(null);
          }
        }
        if (prefix != null
            && !HEADER_PREFIXES.contains(prefix)
            && !DATA_PREFIXES.contains(prefix)
            && s.headers == null) {
          // Another prefix (a node's own store in its RocksDB): ev-node headers.
          s.headers =
              r.store(EvNodeTypes.P2P_SIGNED_HEADER, prefix)
                  .map(st -> new Found<>("headers", db, prefix, st))
                  .orElse(null);
        }
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private static List<String> nodeDirs(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> l = Files.list(dir)) {
      return l.filter(p -> RocksDbReader.isStore(p.resolve("headers")))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  @Override
  public Integer call() {
    if (dataDir == null) {
      throw new UsageException("Missing required option: '--data-dir=DIR'");
    }
    Path dataDir = this.dataDir;
    if ((from == null) != (to == null)) {
      throw new UsageException("give --from and --to together");
    }
    if (from != null && (from < 1 || to < from)) {
      throw new UsageException(
          "--from must be at least 1 and --to at least --from, got " + from + ".." + to);
    }
    PrintStream out = main.out();
    try (Stores s = locate(dataDir, prefix)) {
      if (s.headers == null && s.data == null) {
        out.printf(
            "no headers or data stored under %s%s%n",
            dataDir.toAbsolutePath(), prefix == null ? "" : " with prefix " + prefix);
        return Main.OK;
      }
      summary(out, s.headers);
      summary(out, s.data);
      if (from != null) {
        range(out, s, from, to);
        return Main.OK;
      }
      long at =
          height != null
              ? height
              : s.headers != null ? s.headers.store().height() : s.data.store().height();
      if (s.headers != null) {
        out.println();
        P2PSignedHeader h =
            s.headers.store().getByHeight(at).orElseThrow(() -> notStored(at, s.headers));
        header(out, h);
      }
      if (s.data != null) {
        Optional<P2PData> d = s.data.store().getByHeight(at);
        out.println();
        if (d.isPresent()) {
          data(out, d.get());
        } else if (s.headers == null) {
          throw notStored(at, s.data);
        } else {
          out.printf("data %,d not stored (data %s)%n", at, bounds(s.data));
        }
      }
      return Main.OK;
    }
  }

  private static HeaderSyncException notStored(long at, Found<?> f) {
    return new HeaderSyncException(
        f.kind() + " at height " + at + " is not stored (" + bounds(f) + ")");
  }

  private static String bounds(Found<?> f) {
    return "tail "
        + f.store().tail().map(Header::height).orElse(0L)
        + ", head "
        + f.store().height();
  }

  private static void summary(PrintStream out, @Nullable Found<?> f) {
    if (f == null) {
      return;
    }
    Header tail = f.store().tail().orElseThrow();
    Header head = f.store().head().orElseThrow();
    out.printf("%-8s %s (prefix %s)%n", f.kind(), f.dir().toAbsolutePath(), f.prefix());
    out.printf("  tail   %,d %s%n", tail.height(), tail.hash());
    out.printf("  head   %,d %s%n", head.height(), head.hash());
  }

  private static void header(PrintStream out, P2PSignedHeader h) {
    out.printf("header %,d%n", h.height());
    out.printf("  chain id        %s%n", h.chainId());
    out.printf("  time            %s%n", h.time());
    out.printf("  hash            %s%n", h.hash());
    out.printf("  last hash       %s%n", h.lastHeaderHash());
    out.printf("  data hash       %s%n", h.header().dataHash());
    out.printf("  app hash        %s%n", h.header().appHash());
    out.printf(
        "  proposer        %s%n",
        HexFormat.of().formatHex(h.header().proposerAddress()).toUpperCase(Locale.ROOT));
    Signer signer = h.signedHeader().signer();
    out.printf(
        "  signer key      %s%n",
        signer.isEmpty() ? "-" : HexFormat.of().formatHex(signer.rawPublicKey()));
    out.printf("  da height hint  %d%n", h.daHeightHint());
    String sig;
    try {
      h.verifySignature();
      sig = "valid";
    } catch (HeaderSyncException e) {
      sig = "INVALID: " + e.getMessage();
    }
    out.printf("  signature       %s%n", sig);
  }

  private static void data(PrintStream out, P2PData d) {
    out.printf("data %,d%n", d.height());
    out.printf("  chain id        %s%n", d.chainId().isEmpty() ? "-" : d.chainId());
    out.printf(
        "  time            %s%n", d.data().metadata().isPresent() ? d.time().toString() : "-");
    out.printf("  hash            %s%n", d.hash());
    out.printf("  last data hash  %s%n", d.lastHeaderHash());
    out.printf(
        "  txs             %,d (%,d bytes)%n",
        d.data().txCount(), d.data().txs().stream().mapToLong(t -> t.length).sum());
    out.printf("  da height hint  %d%n", d.daHeightHint());
  }

  private static void range(PrintStream out, Stores s, long from, long to) {
    out.println();
    out.printf("%10s  %-30s  %-64s  %s%n", "height", "time", "header hash", "txs");
    for (long h = from; h <= to; h += 256) {
      long end = Math.min(to, h + 255);
      List<P2PSignedHeader> hs =
          s.headers == null ? List.of() : s.headers.store().getRange(h, end + 1);
      List<P2PData> ds = s.data == null ? List.of() : s.data.store().getRange(h, end + 1);
      for (long x = h; x <= end; x++) {
        P2PSignedHeader hh = find(hs, x);
        P2PData dd = find(ds, x);
        if (hh == null && dd == null) {
          continue;
        }
        out.printf(
            "%,10d  %-30s  %-64s  %s%n",
            x,
            hh != null ? hh.time() : dd.time(),
            hh != null ? hh.hash() : "-",
            dd != null ? Integer.toString(dd.data().txCount()) : "-");
      }
    }
  }

  private static <H extends Header> @Nullable H find(List<H> list, long height) {
    for (H h : list) {
      if (h.height() == height) {
        return h;
      }
    }
    return null;
  }

  /**
   * {@code headersync inspect verify}: walks the stores from tail to head and stops at the first
   * fault, naming its height.
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      versionProvider = Main.Version.class,
      description = {
        "Walk a node's stores from tail to head (read-only): every height present, each header "
            + "linked to the one below, every signature valid (and by the proposer, with --proposer-key or "
            + "--genesis), each block's data matching its header and linked to the data below.",
        "Exits 1 at the first fault, naming its height."
      })
  static final class Verify implements Callable<Integer> {
    private final Main main;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        required = true,
        description = "a node's data directory, or a RocksDB directory")
    Path dataDir;

    @Option(
        names = "--prefix",
        paramLabel = "P",
        description = "only the store under this key prefix")
    @Nullable
    String prefix;

    @Option(
        names = "--proposer-key",
        paramLabel = "HEX",
        description = "every header must be signed by this Ed25519 public key")
    @Nullable
    String proposerKey;

    @Option(
        names = "--genesis",
        paramLabel = "FILE",
        description = "ev-node's genesis.json: every header must be signed by its proposer")
    @Nullable
    Path genesis;

    Verify(Main main) {
      this.main = main;
    }

    @Override
    public Integer call() {
      @Nullable ProposerCheck proposer = null;
      if (proposerKey != null && genesis != null) {
        throw new UsageException("give --proposer-key or --genesis, not both");
      }
      if (proposerKey != null) {
        proposer = ProposerCheck.of(NodeCommand.parseProposerKey(proposerKey));
      } else if (genesis != null) {
        proposer = ProposerCheck.ofAddress(Genesis.read(genesis).proposerAddress());
      }
      PrintStream out = main.out();
      try (Stores s = locate(dataDir, prefix)) {
        if (s.headers == null && s.data == null) {
          throw new HeaderSyncException(
              "nothing to verify: no headers or data stored under " + dataDir.toAbsolutePath());
        }
        long headers = s.headers == null ? 0 : walk(s.headers, s.headers.store(), proposer, s.data);
        long data = s.data == null ? 0 : walk(s.data, s.data.store(), null, null);
        out.printf(
            "ok: %s%s%s%n",
            s.headers == null
                ? ""
                : String.format(
                    "%,d headers (%s)%s",
                    headers,
                    bounds(s.headers),
                    proposer == null ? ", signatures valid" : ", signed by the proposer"),
            s.headers != null && s.data != null ? "; " : "",
            s.data == null
                ? ""
                : String.format(
                    "%,d data (%s)%s",
                    data, bounds(s.data), s.headers == null ? "" : ", matching their headers"));
        return Main.OK;
      }
    }

    /** Walks tail to head; returns how many were checked. */
    private static <H extends Header> long walk(
        Found<H> f,
        RocksDbStore<H> store,
        @Nullable ProposerCheck proposer,
        @Nullable Found<P2PData> data) {
      long tail = store.tail().orElseThrow().height();
      long head = store.height();
      H prev = null;
      long n = 0;
      for (long h = tail; h <= head; h += 256) {
        long end = Math.min(head, h + 255);
        List<H> batch = store.getRange(h, end + 1);
        for (long x = h; x <= end; x++) {
          H cur = find(batch, x);
          if (cur == null) {
            throw fault(
                f, x, "missing: the store has a gap (tail " + tail + ", head " + head + ")");
          }
          // Data without metadata (ev-node's empty blocks may have none) names no data below it.
          boolean unlinked = cur instanceof P2PData && cur.lastHeaderHash().equals(Hash.EMPTY);
          if (prev != null && !unlinked && !cur.lastHeaderHash().equals(prev.hash())) {
            throw fault(
                f,
                x,
                "not linked: its last hash "
                    + cur.lastHeaderHash()
                    + " is not the hash "
                    + prev.hash()
                    + " of height "
                    + prev.height());
          }
          try {
            if (cur instanceof P2PSignedHeader sh) {
              if (proposer != null) {
                proposer.check(sh);
              } else {
                sh.verifySignature();
              }
              if (data != null && data.store().hasAt(x)) {
                EvNodeTypes.validate(
                    sh.signedHeader(), data.store().getByHeight(x).orElseThrow().data());
              }
            }
          } catch (HeaderSyncException e) {
            throw fault(f, x, e.getMessage());
          }
          prev = cur;
          n++;
        }
      }
      return n;
    }

    private static HeaderSyncException fault(Found<?> f, long height, String what) {
      return new HeaderSyncException(
          "FAULT at height "
              + height
              + " of the "
              + f.kind()
              + " store "
              + f.dir().toAbsolutePath()
              + ": "
              + what);
    }
  }
}
