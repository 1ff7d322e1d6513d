package io.headersync.store;

import io.headersync.testkit.DummyHeader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The child process of {@link RocksDbStoreKillTest}: opens a {@link RocksDbStore} at {@code
 * args[0]} and appends linked {@link DummyHeader}s from its head for ever, in batches of 1 to 100
 * without waiting (so the write queue is full and batches are coalesced), printing {@code appended
 * <height>} each time an append becomes readable. With a third argument {@code window} it also
 * prunes after each append (and once at open, before the first), {@code deleteTo(head - window +
 * 1)} without waiting, so appends and deletions interleave in the writer's queue. It exits when its
 * stdin closes (the test died) and never closes the store: the test kills it with SIGKILL.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path path = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    long window = args.length > 2 ? Long.parseLong(args[2]) : 0;
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    io.headersync.testing.OrphanGuard.start(3);

    RocksDbStore<DummyHeader> store = RocksDbStore.builder(DummyHeader.TYPE).path(path).build();
    DummyHeader last = store.head().orElse(null);
    out.println(
        "opened " + store.tail().map(DummyHeader::height).orElse(0L) + " " + store.height());
    if (window > 0
        && last != null
        && last.height() - window + 1 > store.tail().orElseThrow().height()) {
      store.deleteTo(
          last.height() - window + 1); // as the syncer prunes at start: before the next append
    }
    Random rnd = new Random(seed);
    while (true) {
      int n = 1 + rnd.nextInt(100);
      List<DummyHeader> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        last =
            last == null
                ? DummyHeader.genesis("crash-test", 1, Instant.parse("2024-01-01T00:00:00Z"))
                : last.next();
        batch.add(last);
      }
      long h = last.height();
      store
          .append(batch)
          .whenComplete((v, e) -> out.println(e == null ? "appended " + h : "failed " + e));
      if (window > 0 && h - window + 1 > 1) {
        store
            .deleteTo(h - window + 1)
            .whenComplete(
                (t, e) -> {
                  if (e != null) {
                    out.println("failed " + e);
                  }
                });
      }
    }
  }
}
