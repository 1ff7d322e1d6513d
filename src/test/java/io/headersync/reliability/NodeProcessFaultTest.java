package io.headersync.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.service.P2PConfig;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.testkit.DummyHeader;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node in a process of its own ({@link SyncNodeChild}), syncing over TCP from a serving node in
 * this JVM, under the faults a machine has: SIGKILL at random points of the sync, and a disk that
 * fills up. After each fault its RocksDB store opens, holds a contiguous prefix of the served chain
 * header for header, and the node resumes from its head without fetching again what it has.
 */
class NodeProcessFaultTest {
  private static final int CHAIN = 120_000;
  private static final long WAIT_S = 120;

  /**
   * Headers a killed node may have received but not yet stored: requests in flight, verified
   * batches waiting for the store's writer, and its queue. A node that fetched its chain again from
   * the start would exceed it as soon as it holds more than this.
   */
  private static final long IN_FLIGHT = 4_096;

  private static List<DummyHeader> chain;

  @TempDir Path dir;

  private HeaderSyncService<DummyHeader> server;
  private Path libDir;

  @BeforeEach
  void serve() throws Exception {
    if (chain == null) {
      List<DummyHeader> c = new ArrayList<>(CHAIN);
      DummyHeader h =
          DummyHeader.genesis(SyncNodeChild.CHAIN_ID, 1, Instant.now().minusSeconds(60));
      c.add(h);
      while (c.size() < CHAIN) {
        h = h.next();
        c.add(h);
      }
      chain = c;
    }
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    for (int from = 0; from < CHAIN; from += 4096) {
      store.append(chain.subList(from, Math.min(CHAIN, from + 4096))).get(30, TimeUnit.SECONDS);
    }
    server =
        HeaderSyncService.builder(DummyHeader.TYPE, SyncNodeChild.CHAIN_ID)
            .blockTime(Duration.ofSeconds(1))
            .store(store)
            .p2p(
                P2PConfig.builder()
                    .identity(PrivateKey.generateEd25519(new java.security.SecureRandom()))
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .build())
            .build();
    server.start().get(30, TimeUnit.SECONDS);
    // RocksDB's native library, unpacked once for all children (each would unpack 17 MB otherwise,
    // and a child under a file-size limit could not).
    libDir = Files.createDirectories(dir.resolve("lib"));
    try (InputStream in =
        RocksDbStore.class.getClassLoader().getResourceAsStream("librocksdbjni-linux64.so")) {
      if (in != null) {
        Files.copy(
            in, libDir.resolve("librocksdbjni-linux64.so"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void fiftySigkillsDuringANetworkSyncLeaveAContiguousStoreThatResumes() throws Exception {
    Path store = dir.resolve("node");
    Random rnd = new Random(20261205);
    long head = 0;
    for (int run = 0; run < 50; run++) {
      // Some kills land during start-up and initialisation, most in the middle of range requests.
      long more = run % 10 == 0 ? 0 : 1 + rnd.nextInt(3_000);
      long servedBefore = server.serverStats().headersServed();
      try (Child child = Child.start(store, server.p2p().addresses().get(0), libDir, dir, null)) {
        assertEquals(head, child.opened(), "run " + run + ": the store reopened at another head");
        long target = Math.min(CHAIN, head + more);
        child.awaitHeight(target);
        child.kill();
      }
      long recovered = checkStore(store);
      assertTrue(
          recovered >= head, "run " + run + ": head went back from " + head + " to " + recovered);
      long served = server.serverStats().headersServed() - servedBefore;
      assertTrue(
          served <= recovered - head + IN_FLIGHT,
          "run "
              + run
              + ": served "
              + served
              + " headers for "
              + (recovered - head)
              + " new ones: the node fetched again what it had");
      head = recovered;
    }
    try (Child child = Child.start(store, server.p2p().addresses().get(0), libDir, dir, null)) {
      assertEquals(head, child.opened());
      child.awaitHeight(CHAIN);
    }
    assertEquals(CHAIN, checkStore(store));
  }

  @Test
  void aFullDiskStopsTheNodeWithAClearErrorAndItResumesWhenSpaceReturns() throws Exception {
    Path store = dir.resolve("node");
    long limitKiB =
        4 * 1024; // RLIMIT_FSIZE: a write past 4 MiB in any file fails (EFBIG), as on a full disk
    String failure;
    try (Child child = Child.start(store, server.p2p().addresses().get(0), libDir, dir, limitKiB)) {
      assertEquals(0, child.opened());
      failure = child.awaitFailure();
    }
    System.out.println("disk full: " + failure);
    assertTrue(
        failure.contains("File too large") || failure.contains("No space left"),
        "the failure does not say the disk is full: " + failure);
    long head = checkStore(store);
    assertTrue(head > 0 && head < CHAIN, "head " + head);
    try (Child child = Child.start(store, server.p2p().addresses().get(0), libDir, dir, null)) {
      assertEquals(head, child.opened());
      child.awaitHeight(CHAIN);
    }
    assertEquals(CHAIN, checkStore(store));
  }

  /**
   * Opens the node's store here: contiguous from 1, each header the served one; returns the head.
   */
  private static long checkStore(Path path) {
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE)
            .path(path)
            .prefix(NetworkProfile.SEED.storePrefix(SyncKind.HEADERS))
            .build()) {
      long head = s.height();
      if (head == 0) {
        return 0;
      }
      assertEquals(1, s.tail().orElseThrow().height());
      for (long from = 1; from <= head; from += 4096) {
        long to = Math.min(head + 1, from + 4096);
        List<DummyHeader> got = s.getRange(from, to);
        for (DummyHeader g : got) {
          assertEquals(
              chain.get((int) g.height() - 1),
              g,
              "header " + g.height() + " is not the served one");
        }
      }
      return head;
    }
  }

  /** A running {@link SyncNodeChild}. */
  private static final class Child implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> exited;

    private Child(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (Exception e) {
                  lines.add("reader " + e);
                }
                lines.add("exited");
              },
              "child-stdout");
      reader.setDaemon(true);
      reader.start();
      this.exited = process.onExit().thenApply(Process::exitValue);
    }

    static Child start(Path store, Multiaddr seed, Path libDir, Path tmp, Long fileSizeLimitKiB)
        throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd = new ArrayList<>();
      if (fileSizeLimitKiB != null) {
        cmd.addAll(
            List.of("bash", "-c", "ulimit -f " + fileSizeLimitKiB + " && exec \"$@\"", "child"));
      }
      cmd.addAll(
          List.of(
              java,
              "-Xmx256m",
              "-XX:TieredStopAtLevel=1",
              "-Djava.io.tmpdir=" + tmp,
              "-Djava.library.path=" + libDir,
              "-cp",
              System.getProperty("java.class.path"),
              SyncNodeChild.class.getName(),
              store.toString(),
              seed.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      return new Child(pb.start());
    }

    private String next() throws Exception {
      String line = lines.poll(WAIT_S, TimeUnit.SECONDS);
      if (line == null) {
        throw new AssertionError("the child said nothing for " + WAIT_S + " s");
      }
      return line;
    }

    long opened() throws Exception {
      String line = next();
      if (!line.startsWith("opened ")) {
        throw new AssertionError("child: " + line);
      }
      return Long.parseLong(line.substring("opened ".length()));
    }

    void awaitHeight(long height) throws Exception {
      while (true) {
        String line = next();
        if (line.startsWith("height ")) {
          if (Long.parseLong(line.substring("height ".length())) >= height) {
            return;
          }
        } else {
          throw new AssertionError("child: " + line);
        }
      }
    }

    String awaitFailure() throws Exception {
      while (true) {
        String line = next();
        if (line.startsWith("failed ")) {
          return line.substring("failed ".length());
        }
        if (!line.startsWith("height ")) {
          throw new AssertionError("child: " + line);
        }
      }
    }

    void kill() throws Exception {
      process.destroyForcibly(); // SIGKILL on Linux
      assertEquals(
          137, exited.get(WAIT_S, TimeUnit.SECONDS), "the child was not killed by SIGKILL");
    }

    @Override
    public void close() throws Exception {
      process.destroyForcibly();
      exited.get(WAIT_S, TimeUnit.SECONDS);
    }
  }
}
