package io.headersync.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go interop peer ({@code interop/peer}, a default go-libp2p v0.48 host) as a child process
 * driven by JSON lines. Answers are kept as raw JSON text; the tiny accessors below read the flat
 * fields the peer prints. Its stderr (go-libp2p warnings and errors) is collected for assertions.
 */
public final class GoPeer implements AutoCloseable {
  private final Process process;
  private final Writer stdin;
  private final Map<String, CompletableFuture<String>> answers = new ConcurrentHashMap<>();
  private final CompletableFuture<String> ready = new CompletableFuture<>();
  private final StringBuffer stderr = new StringBuffer();
  private final AtomicInteger ids = new AtomicInteger();
  private final Thread outReader;
  private final Thread errReader;

  public GoPeer(long seed) throws IOException {
    this(seed, new String[0]);
  }

  /** A peer started with extra flags, e.g. {@code -network gm-headerSync -chain-id gm}. */
  public GoPeer(long seed, String... flags) throws IOException {
    this(Binary.DEFAULT, seed, flags);
  }

  /** Which build of {@code interop/peer}. */
  public enum Binary {
    /** go-libp2p-pubsub v0.16.0, as go-header v0.8.6 pins. */
    DEFAULT("peer"),
    /** go-libp2p-pubsub v0.17.0, as ev-node v1.2.3 pins ({@code go.pubsub17.mod}). */
    PUBSUB_V017("peer-pubsub17"),
    /** {@code interop/dht}: go-libp2p-kad-dht v0.40.0 as ev-node v1.2.2 runs it. */
    DHT("dht"),
    /**
     * {@code interop/dht} on go-libp2p-kad-dht v0.42.2, the newest the Go module proxy serves
     * ({@code go.kaddht042.mod}).
     */
    DHT_KADDHT042("dht-kaddht042");

    final String file;

    Binary(String file) {
      this.file = file;
    }
  }

  /** A peer of the given build, started with extra flags. */
  public GoPeer(Binary binary, long seed, String... flags) throws IOException {
    Path bin = InteropBinaries.require(binary.file);
    List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-seed", Long.toString(seed)));
    cmd.addAll(List.of(flags));
    process = new ProcessBuilder(cmd).start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    outReader = new Thread(this::readOut, "go-peer-stdout");
    errReader = new Thread(this::readErr, "go-peer-stderr");
    outReader.setDaemon(true);
    errReader.setDaemon(true);
    outReader.start();
    errReader.start();
  }

  private void readOut() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.contains("\"event\":\"ready\"")) {
          ready.complete(line);
          continue;
        }
        String id = string(line, "id");
        CompletableFuture<String> f = id == null ? null : answers.remove(id);
        if (f != null) {
          f.complete(line);
        }
      }
    } catch (IOException e) {
      // process gone
    }
    IOException gone = new IOException("go peer exited; stderr:\n" + stderr);
    ready.completeExceptionally(gone);
    answers.values().forEach(f -> f.completeExceptionally(gone));
  }

  private void readErr() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stderr.append(line).append('\n');
      }
    } catch (IOException e) {
      // process gone
    }
  }

  /** The ready line: {@code {"event":"ready","peer":..,"addrs":[..]}}. */
  public String ready() throws Exception {
    return ready.get(60, TimeUnit.SECONDS);
  }

  public String peerId() throws Exception {
    return string(ready(), "peer");
  }

  /** The first /ip4 TCP address with /p2p. */
  public String tcpAddress() throws Exception {
    for (String a : strings(ready(), "addrs")) {
      if (a.startsWith("/ip4/") && a.contains("/tcp/")) {
        return a + "/p2p/" + peerId();
      }
    }
    throw new AssertionError("no TCP address in " + ready());
  }

  /** As {@link #tcpAddress()}, for lambdas. */
  public String tcpAddressUnchecked() {
    try {
      return tcpAddress();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends a command (a JSON object's fields without braces, e.g. {@code "cmd":"peers"}) and returns
   * the answer line.
   */
  public String command(String fields, long timeoutSeconds) throws Exception {
    String id = "c" + ids.incrementAndGet();
    CompletableFuture<String> f = new CompletableFuture<>();
    answers.put(id, f);
    synchronized (stdin) {
      stdin.write("{\"id\":\"" + id + "\"," + fields + "}\n");
      stdin.flush();
    }
    return f.get(timeoutSeconds, TimeUnit.SECONDS);
  }

  /** Sends a command and requires {@code "ok":true}. */
  public String ok(String fields, long timeoutSeconds) throws Exception {
    String answer = command(fields, timeoutSeconds);
    if (!answer.contains("\"ok\":true")) {
      throw new AssertionError("go peer answered " + answer + "\nstderr:\n" + stderr);
    }
    return answer;
  }

  public String stderr() {
    return stderr.toString();
  }

  @Override
  public void close() throws Exception {
    try {
      synchronized (stdin) {
        stdin.write("{\"cmd\":\"quit\"}\n");
        stdin.flush();
      }
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    outReader.join(5000);
    errReader.join(5000);
  }

  /** A top-level string field of a flat JSON line, or null. */
  public static String string(String json, String field) {
    Matcher m =
        Pattern.compile("\"" + Pattern.quote(field) + "\":\"((?:[^\"\\\\]++|\\\\.)*+)\"")
            .matcher(json);
    return m.find() ? m.group(1) : null;
  }

  /** A top-level array of strings of a flat JSON line (empty if absent). */
  public static List<String> strings(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":\\[([^\\]]*)\\]").matcher(json);
    List<String> out = new ArrayList<>();
    if (m.find()) {
      Matcher s = Pattern.compile("\"((?:[^\"\\\\]++|\\\\.)*+)\"").matcher(m.group(1));
      while (s.find()) {
        out.add(s.group(1));
      }
    }
    return out;
  }
}
