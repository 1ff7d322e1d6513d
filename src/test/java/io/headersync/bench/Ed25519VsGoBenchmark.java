package io.headersync.bench;

import io.headersync.libp2p.KeyType;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.PublicKey;
import io.headersync.libp2p.internal.crypto.GoEd25519;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 18 goal 4, side by side in one run: our Go-exact Ed25519 verify against Go's {@code
 * crypto/ed25519.Verify} ({@code interop/ed25519bench}) on the same key, 256-byte message and
 * signature, both single-threaded, in rounds of {@code ops} verifications. Prints per round the
 * time per verification of ours (a fresh {@link GoEd25519#verify(byte[], byte[], byte[])}, which
 * decodes the key each time as Go's does, and {@link PublicKey#verify}, which keeps the decoded
 * key) and Go's, then the first round (cold) and the median of the rest (steady), with ratios.
 *
 * <p>Run (after the interop profile built {@code target/interop/ed25519bench}): {@code mvn -B
 * -Pbench -DskipTests verify exec:exec -Dbench.main=io.headersync.bench.Ed25519VsGoBenchmark
 * -Dbench.args="15 2000"}.
 */
public final class Ed25519VsGoBenchmark {
  private Ed25519VsGoBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
    byte[] seed =
        Arrays.copyOf(
            sha512.digest("headersync/ed25519/bench".getBytes(StandardCharsets.UTF_8)), 32);
    byte[] msg = new byte[256];
    byte[] block = sha512.digest("headersync/ed25519/message".getBytes(StandardCharsets.UTF_8));
    for (int off = 0; off < msg.length; off += 64) {
      System.arraycopy(block, 0, msg, off, Math.min(64, msg.length - off));
      block = sha512.digest(block);
    }
    PrivateKey key = PrivateKey.ed25519FromSeed(seed);
    byte[] pub = key.publicKey().raw();
    byte[] sig = key.sign(msg);
    PublicKey prepared = PublicKey.fromRaw(KeyType.ED25519, pub);

    double[] fresh = new double[rounds];
    double[] kept = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) {
        if (!GoEd25519.verify(pub, msg, sig)) {
          throw new IllegalStateException("signature does not verify");
        }
      }
      fresh[r] = (System.nanoTime() - t0) / (double) ops;
      t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) {
        if (!prepared.verify(msg, sig)) {
          throw new IllegalStateException("signature does not verify");
        }
      }
      kept[r] = (System.nanoTime() - t0) / (double) ops;
    }
    String bin =
        Path.of(System.getProperty("headersync.interop.dir", "target/interop"), "ed25519bench")
            .toString();
    Process go =
        new ProcessBuilder(bin, "-rounds", Integer.toString(rounds), "-ops", Integer.toString(ops))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    List<Double> goNs = new ArrayList<>();
    Pattern p = Pattern.compile("\"ns_per_op\":([0-9.eE+]+)");
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(go.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          goNs.add(Double.parseDouble(m.group(1)));
        }
      }
    }
    if (go.waitFor() != 0 || goNs.size() != rounds) {
      throw new IllegalStateException("the Go benchmark failed: " + goNs.size() + " rounds");
    }
    System.out.printf("%-6s %14s %14s %10s%n", "round", "ours fresh µs", "ours kept µs", "Go µs");
    for (int r = 0; r < rounds; r++) {
      System.out.printf(
          "%-6d %14.1f %14.1f %10.1f%n", r, fresh[r] / 1e3, kept[r] / 1e3, goNs.get(r) / 1e3);
    }
    double[] goArr = goNs.stream().mapToDouble(Double::doubleValue).toArray();
    System.out.printf(
        "cold (round 0): ours %.1f µs, kept key %.1f µs, Go %.1f µs: %.2fx / %.2fx Go's time%n",
        fresh[0] / 1e3, kept[0] / 1e3, goArr[0] / 1e3, fresh[0] / goArr[0], kept[0] / goArr[0]);
    double f = median(fresh), k = median(kept), g = median(goArr);
    System.out.printf(
        "steady (median of rounds 1..%d): ours %.1f µs, kept key %.1f µs, Go %.1f µs: %.2fx / %.2fx Go's time%n",
        rounds - 1, f / 1e3, k / 1e3, g / 1e3, f / g, k / g);
  }

  private static double median(double[] all) {
    double[] rest = Arrays.copyOfRange(all, 1, all.length);
    Arrays.sort(rest);
    return rest[rest.length / 2];
  }
}
