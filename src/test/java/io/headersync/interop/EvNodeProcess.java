package io.headersync.interop;

import io.headersync.Hash;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real ev-node v1.2.2 node ({@code interop/evnode}: ev-node's {@code node} package with a KV
 * executor and the module's in-process DA), and its Connect-RPC ({@code evnode.v1.StoreService})
 * read as JSON.
 */
final class EvNodeProcess implements AutoCloseable {
  private final Process process;
  private final CompletableFuture<String> ready = new CompletableFuture<>();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread outReader;
  private final Thread errReader;
  private final String rpc;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private EvNodeProcess(List<String> args, int rpcPort) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(InteropBinaries.require("evnode").toString());
    cmd.addAll(args);
    cmd.addAll(List.of("-rpc", "127.0.0.1:" + rpcPort));
    this.rpc = "http://127.0.0.1:" + rpcPort + "/";
    process = new ProcessBuilder(cmd).start();
    outReader = new Thread(this::readOut, "evnode-stdout");
    errReader = new Thread(this::readErr, "evnode-stderr");
    outReader.setDaemon(true);
    errReader.setDaemon(true);
    outReader.start();
    errReader.start();
  }

  /** An aggregator that creates its signer key and genesis under {@code home/config}. */
  static EvNodeProcess aggregator(Path home, String chainId, int txsPerBlock, Duration blockTime)
      throws IOException {
    return aggregator(home, chainId, txsPerBlock, blockTime, freePort(), "");
  }

  /** An aggregator on {@code port} whose P2P client (and DHT) is seeded with {@code peers}. */
  static EvNodeProcess aggregator(
      Path home, String chainId, int txsPerBlock, Duration blockTime, int port, String peers)
      throws IOException {
    java.nio.file.Files.createDirectories(home);
    Path pass = home.resolve("passphrase");
    java.nio.file.Files.writeString(pass, "interop-secret\n");
    return new EvNodeProcess(
        List.of(
            "-role",
            "aggregator",
            "-home",
            home.toString(),
            "-chain-id",
            chainId,
            "-passphrase-file",
            pass.toString(),
            "-listen",
            "/ip4/127.0.0.1/tcp/" + port,
            "-peers",
            peers,
            "-txs-per-block",
            Integer.toString(txsPerBlock),
            "-block-time",
            blockTime.toMillis() + "ms"),
        freePort());
  }

  /** A full node of {@code genesis} seeded only with {@code peers}. */
  static EvNodeProcess fullNode(Path home, Path genesis, String peers, Duration blockTime)
      throws IOException {
    return new EvNodeProcess(
        List.of(
            "-role",
            "full",
            "-home",
            home.toString(),
            "-genesis",
            genesis.toString(),
            "-listen",
            "/ip4/127.0.0.1/tcp/" + freePort(),
            "-peers",
            peers,
            "-block-time",
            blockTime.toMillis() + "ms"),
        freePort());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void readOut() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.contains("\"ready\":true")) {
          ready.complete(line);
        }
      }
    } catch (IOException e) {
      // gone
    }
    ready.completeExceptionally(new IOException("evnode exited; stderr:\n" + stderr));
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
      // gone
    }
  }

  /** The node's P2P address with {@code /p2p/<id>}. */
  String address() throws Exception {
    return GoPeer.string(ready.get(60, TimeUnit.SECONDS), "addr");
  }

  String stderr() {
    return stderr.toString();
  }

  /** The zerolog lines at level error, less those {@code allowed} matches. */
  List<String> errors(Pattern allowed) {
    return stderr()
        .lines()
        .filter(
            l ->
                l.contains("\"level\":\"error\"")
                    || l.contains("\"level\":\"fatal\"")
                    || l.contains("\"level\":\"panic\"")
                    || l.startsWith("panic:"))
        .filter(l -> !allowed.matcher(l).find())
        .collect(Collectors.toList());
  }

  /**
   * {@code GetState}: the last block height, or 0 before the first block (or before the RPC is up).
   */
  long height() {
    try {
      String state = post("GetState", "{}");
      String h = field(state, "lastBlockHeight");
      return h == null ? 0 : Long.parseLong(h);
    } catch (IOException e) {
      return 0;
    }
  }

  /** {@code GetState}'s app hash. */
  Hash appHash() throws IOException {
    return base64(field(post("GetState", "{}"), "appHash"));
  }

  /** {@code P2PService.GetPeerInfo}: the ids of the connected peers. */
  List<String> peers() {
    try {
      String info = post("GetPeerInfo", "{}", "evnode.v1.P2PService");
      List<String> out = new ArrayList<>();
      Matcher m = Pattern.compile("\"id\":\\s*\"([^\"]*)\"").matcher(info);
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** {@code GetBlock{height}} as JSON. */
  String block(long height) throws IOException {
    return post("GetBlock", "{\"height\":\"" + height + "\"}");
  }

  /** The hash of header {@code height} and of its data, as block {@code height + 1} names them. */
  Hash[] hashesAt(long height) throws IOException {
    String next = block(height + 1);
    if (field(next, "lastHeaderHash") == null) {
      throw new IOException(
          "the ev-node node has no block "
              + (height + 1)
              + " to name header "
              + height
              + ": "
              + next);
    }
    return new Hash[] {base64(field(next, "lastHeaderHash")), base64(field(next, "lastDataHash"))};
  }

  private String post(String method, String body) throws IOException {
    return post(method, body, "evnode.v1.StoreService");
  }

  private String post(String method, String body, String service) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(rpc + service + "/" + method))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString()).body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  private static Hash base64(String s) {
    return s == null ? Hash.EMPTY : Hash.wrap(Base64.getDecoder().decode(s));
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close(); // stdin closing stops the node
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    outReader.join(5000);
    errReader.join(5000);
  }
}
