package io.headersync.reliability;

import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.P2PConfig;
import io.headersync.testkit.DummyHeader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node in a process of its own for {@link NodeProcessFaultTest}: a {@link HeaderSyncService} of
 * {@link DummyHeader}s on RocksDB at {@code args[0]}, over TCP, seeded with {@code args[1]}. It
 * prints {@code opened <height>} once its store is open, {@code height <h>} whenever its store grew
 * (checked every 10 ms), and {@code failed <message>} if the service fails (then exits 1). It exits
 * when its stdin closes (the test died); the test usually ends it with SIGKILL.
 */
public final class SyncNodeChild {
  static final String CHAIN_ID = "faults";

  private SyncNodeChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    io.headersync.testing.OrphanGuard.start(3);

    HeaderSyncService<DummyHeader> node;
    try {
      node =
          HeaderSyncService.builder(DummyHeader.TYPE, CHAIN_ID)
              .blockTime(Duration.ofSeconds(1))
              .storePath(Path.of(args[0]))
              .p2p(
                  P2PConfig.builder()
                      .identity(PrivateKey.generateEd25519(new java.security.SecureRandom()))
                      .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                      .seed(Multiaddr.parse(args[1]))
                      .build())
              .build();
    } catch (RuntimeException e) {
      out.println("failed " + e.getMessage());
      System.exit(1);
      return;
    }
    out.println("opened " + node.store().height());
    ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor();
    long[] last = {-1};
    poll.scheduleWithFixedDelay(
        () -> {
          if (node.state() == HeaderSyncService.State.FAILED) {
            out.println("failed " + node.failure().map(Throwable::getMessage).orElse("?"));
            Runtime.getRuntime().halt(1);
          }
          try {
            long h = node.store().height();
            if (h != last[0]) {
              last[0] = h;
              out.println("height " + h);
            }
          } catch (RuntimeException e) {
            // closed while failing: the next round reports the failure
          }
        },
        0,
        10,
        TimeUnit.MILLISECONDS);
    node.start()
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                out.println("failed " + e.getMessage());
                Runtime.getRuntime().halt(1);
              }
            });
  }
}
