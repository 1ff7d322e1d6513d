package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.libp2p.Libp2pException;
import io.headersync.service.NetworkProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code headersync} command line, on picocli: {@code devnet}, {@code node}, {@code genesis},
 * {@code inspect}, {@code chain}, {@code completion} and {@code help}; each subcommand has its own
 * {@code --help}. {@code ./headersync} at the repository root runs it.
 *
 * <p>Exit codes: 0 success, 1 runtime failure (the message says why), 2 bad usage (one line and a
 * hint to {@code --help}).
 */
public final class Main {
  /** Exit code of a run that did its job. */
  static final int OK = 0;

  /** Exit code of a run that failed at run time (network, store, files); the message says why. */
  static final int FAILURE = 1;

  /** Exit code of a bad command line. */
  static final int USAGE = 2;

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;
  private volatile CountDownLatch stop = new CountDownLatch(0);

  Main(PrintStream out, PrintStream err, Clock clock) {
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  public static void main(String[] argv) {
    System.exit(new Main(System.out, System.err, Clock.systemUTC()).run(Arrays.asList(argv)));
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  Clock clock() {
    return clock;
  }

  /** Whether output goes to a terminal (status lines are then redrawn in place). */
  boolean interactive() {
    return out == System.out && System.console() != null;
  }

  /**
   * A fresh stop signal for a long-running command; {@link #stop()} (Ctrl-C, a test) releases it.
   */
  CountDownLatch newStopSignal() {
    CountDownLatch s = new CountDownLatch(1);
    stop = s;
    return s;
  }

  /** Asks the running {@code node} or {@code devnet} to stop gracefully, as Ctrl-C does. */
  void stop() {
    stop.countDown();
  }

  /** Runs the command line; returns the exit code. */
  int run(List<String> argv) {
    PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    try {
      return commandLine(o, e).execute(argv.toArray(String[]::new));
    } finally {
      o.flush();
      e.flush();
    }
  }

  CommandLine commandLine(PrintWriter o, PrintWriter e) {
    CommandLine cl = new CommandLine(new Top());
    cl.addSubcommand(new CommandLine(new DevnetCommand(this)));
    cl.addSubcommand(new CommandLine(new NodeCommand(this)));
    cl.addSubcommand(new CommandLine(new GenesisCommand(this)));
    CommandLine inspect = new CommandLine(new InspectCommand(this));
    inspect.addSubcommand(new CommandLine(new InspectCommand.Verify(this)));
    cl.addSubcommand(inspect);
    cl.addSubcommand(new CommandLine(new ChainCommand(this)));
    cl.addSubcommand(new CommandLine(new CompletionCommand(this)));
    cl.addSubcommand("help", new CommandLine.HelpCommand());
    cl.setOut(o);
    cl.setErr(e);
    cl.registerConverter(Duration.class, Main::parseDuration);
    cl.registerConverter(NetworkProfile.class, Main::parseProfile);
    exitCodes(cl);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof UsageException) {
            return usageError(new ParameterException(commandLine, ex.getMessage()), new String[0]);
          }
          PrintWriter w = commandLine.getErr();
          if (ex instanceof HeaderSyncException || ex instanceof Libp2pException) {
            w.println(prefix(commandLine) + ": " + ex.getMessage());
          } else if (ex instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            w.println(prefix(commandLine) + ": interrupted");
          } else {
            // Not a failure we know how to explain: a bug. The stack trace is what a report needs.
            w.println(prefix(commandLine) + ": unexpected " + ex);
            ex.printStackTrace(w);
          }
          return FAILURE;
        });
    return cl;
  }

  /** Every command's help ends with the exit codes. */
  private static void exitCodes(CommandLine c) {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put("0", "success");
    codes.put("1", "runtime failure (the message says why)");
    codes.put("2", "bad usage (unknown command or option, bad value)");
    c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    for (CommandLine sub : c.getSubcommands().values()) {
      exitCodes(sub);
    }
  }

  static NetworkProfile parseProfile(String name) {
    try {
      return NetworkProfile.parse(name);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** One line naming the problem, typo suggestions if any, and where the help is. */
  private static int usageError(ParameterException ex, String[] args) {
    CommandLine c = ex.getCommandLine();
    PrintWriter w = c.getErr();
    w.println(prefix(c) + ": " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, w);
    w.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
    return USAGE;
  }

  private static String prefix(CommandLine c) {
    return c.getCommandSpec().qualifiedName();
  }

  /** Durations like {@code 100ms}, {@code 2s}, {@code 1m}; positive. */
  static Duration parseDuration(String v) {
    Duration d;
    try {
      if (v.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      } else {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          "\"" + v + "\" is not a duration like 100ms, 2s, 1m or 337h");
    }
    if (d.isNegative() || d.isZero()) {
      throw new CommandLine.TypeConversionException("must be positive, got " + v);
    }
    return d;
  }

  /** The version of this build, from the pom (a filtered resource). */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // no version then
    }
    return p.getProperty("version", "unknown");
  }

  /** The top command: only subcommands do something. */
  @Command(
      name = "headersync",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      versionProvider = Main.Version.class,
      description = {
        "go-header compatible P2P header sync for ev-node (Rollkit) rollups, on the JVM.",
        "Run 'headersync COMMAND --help' for a command's options."
      },
      commandListHeading = "%nCommands:%n",
      footer = {"", "Logs: HEADERSYNC_LOG=info or debug (default warn). Docs: docs/operations.md."})
  static final class Top implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(
          spec.commandLine(),
          "a command is needed: " + String.join(", ", spec.subcommands().keySet()));
    }
  }

  /** {@code --version}: the pom's version. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "headersync " + version(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
