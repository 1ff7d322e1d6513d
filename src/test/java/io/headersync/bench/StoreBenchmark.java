package io.headersync.bench;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of the header stores. Scores are per header for the append benchmarks
 * ({@code @OperationsPerInvocation(64)}) and per call for the reads.
 *
 * <ul>
 *   <li>{@code append64}: appends batches of 64 without waiting for each future, so the writer's
 *       queue fills and backpressure sets the pace: the sustained rate of the store. The headers
 *       are made before each iteration; {@code generate64} measures what making them costs (one
 *       SHA-256 each for dummy headers), which a real node pays when it decodes headers anyway.
 *   <li>{@code append64Sync}: waits for each batch to be readable: the rate of a caller that
 *       appends one range at a time, bound by the hand-off to the writer thread.
 *   <li>{@code getByHeight}, {@code getByHash}, {@code getRange64}: uniformly random heights of a
 *       store of {@value #READ_HEADERS} headers, so the RocksDB store mostly misses its caches and
 *       reads from RocksDB (memtable and block cache; the data fits in memory).
 * </ul>
 *
 * <p>Run: {@code mvn -B -o test-compile exec:exec -Pbench -Dbench.args="StoreBenchmark -f 1 -wi 2
 * -i 3 -w 2s -r 3s"}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBenchmark {
  static final int BATCH = 64;
  static final int READ_HEADERS = 100_000;

  /**
   * A store of one kind and the chain appended to it. Each iteration's headers are made in advance
   * ({@code poolHeaders} of them, outside the measurement) so that the append scores measure the
   * store, not SHA-256; should an iteration use them all, the rest are made during the measurement
   * and a note is printed.
   */
  @State(Scope.Thread)
  public static class AppendState {
    @Param({"rocksdb", "memory"})
    public String store;

    @Param({BenchHeaders.DUMMY_KIND, BenchHeaders.EVNODE_KIND})
    public String headerKind;

    /**
     * Headers made before each iteration; "auto" is enough for a 3 s iteration: 1.5 million for
     * RocksDB (~500k/s at most here), 4 million for the in-memory store.
     */
    @Param({"auto"})
    public String poolHeaders;

    BenchHeaders<Header> headers;
    Store<Header> target;
    Path dir;

    /** The last header handed out (appended), or null before the first. */
    Header last;

    List<List<Header>> pool = new ArrayList<>();
    int nextInPool;
    long generatedDuringMeasurement;

    @Setup(Level.Trial)
    public void open() throws IOException {
      headers = cast(BenchHeaders.of(headerKind));
      dir = Files.createTempDirectory("store-bench");
      target = openStore(store, headers, dir);
      last = null;
    }

    /**
     * The in-memory store never forgets: start a fresh one per iteration so the heap stays small.
     * Then make this iteration's headers, continuing from the last one appended.
     */
    @Setup(Level.Iteration)
    public void prepareIteration() {
      if (store.equals("memory") && target.height() > 0) {
        target.close();
        target = openStore(store, headers, dir);
      }
      int n =
          poolHeaders.equals("auto")
              ? (store.equals("memory") ? 4_000_000 : 1_500_000)
              : Integer.parseInt(poolHeaders);
      pool = null; // let the last iteration's leftovers go before making new ones
      pool = new ArrayList<>(n / BATCH + 1);
      Header h = last;
      for (int i = 0; i < n; i += BATCH) {
        List<Header> batch = makeBatch(h);
        h = batch.get(BATCH - 1);
        pool.add(batch);
      }
      nextInPool = 0;
      generatedDuringMeasurement = 0;
    }

    /** Drains the queue so an iteration does not hand its backlog to the next. */
    @TearDown(Level.Iteration)
    public void drain() {
      target.flush();
      pool = new ArrayList<>();
      if (generatedDuringMeasurement > 0) {
        System.out.println(
            "note: the header pool ran out; "
                + generatedDuringMeasurement
                + " headers were made during the measurement (raise -p poolHeaders)");
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      target.close();
      deleteRecursively(dir);
    }

    /** The next batch of 64 from the pool (or freshly made if it ran out). */
    List<Header> nextBatch() {
      List<Header> batch;
      if (nextInPool < pool.size()) {
        batch = pool.get(nextInPool);
        pool.set(nextInPool++, null); // let the collector have it once the store is done with it
      } else {
        batch = makeBatch(last);
        generatedDuringMeasurement += BATCH;
      }
      last = batch.get(BATCH - 1);
      return batch;
    }

    List<Header> makeBatch(Header previous) {
      List<Header> batch = new ArrayList<>(BATCH);
      Header h = previous;
      for (int i = 0; i < BATCH; i++) {
        h = h == null ? headers.first(1) : headers.next(h);
        batch.add(h);
      }
      return batch;
    }
  }

  /** A store of one kind filled with {@value #READ_HEADERS} headers. */
  @State(Scope.Benchmark)
  public static class ReadState {
    @Param({"rocksdb", "memory"})
    public String store;

    @Param({BenchHeaders.DUMMY_KIND, BenchHeaders.EVNODE_KIND})
    public String headerKind;

    Store<Header> target;
    Path dir;
    Hash[] hashes;

    @Setup(Level.Trial)
    public void fill() throws IOException {
      BenchHeaders<Header> headers = cast(BenchHeaders.of(headerKind));
      dir = Files.createTempDirectory("store-bench");
      target = openStore(store, headers, dir);
      hashes = new Hash[READ_HEADERS];
      Header h = null;
      List<Header> batch = new ArrayList<>();
      for (int i = 0; i < READ_HEADERS; i++) {
        h = h == null ? headers.first(1) : headers.next(h);
        hashes[i] = h.hash();
        batch.add(h);
        if (batch.size() == 1_000) {
          target.append(batch);
          batch = new ArrayList<>();
        }
      }
      target.flush();
    }

    @TearDown(Level.Trial)
    public void close() {
      target.close();
      deleteRecursively(dir);
    }
  }

  /** Per-thread randomness for the read benchmarks. */
  @State(Scope.Thread)
  public static class Rnd {
    final SplittableRandom random = new SplittableRandom(42);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object append64(AppendState s) {
    return s.target.append(s.nextBatch());
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object append64Sync(AppendState s) {
    return s.target.append(s.nextBatch()).join();
  }

  /** The cost of making headers of this kind (not included in the append scores). */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object generate64(AppendState s) {
    List<Header> batch = s.makeBatch(s.last);
    s.last = batch.get(BATCH - 1);
    return batch;
  }

  @Benchmark
  public Optional<Header> getByHeight(ReadState s, Rnd r) {
    return s.target.getByHeight(1 + r.random.nextInt(READ_HEADERS));
  }

  @Benchmark
  public Optional<Header> getByHash(ReadState s, Rnd r) {
    return s.target.get(s.hashes[r.random.nextInt(READ_HEADERS)]);
  }

  @Benchmark
  public List<Header> getRange64(ReadState s, Rnd r) {
    long from = 1 + r.random.nextInt(READ_HEADERS - BATCH);
    return s.target.getRange(from, from + BATCH);
  }

  @SuppressWarnings("unchecked")
  static BenchHeaders<Header> cast(BenchHeaders<?> h) {
    return (BenchHeaders<Header>) h;
  }

  static Store<Header> openStore(String kind, BenchHeaders<Header> headers, Path dir) {
    switch (kind) {
      case "rocksdb":
        return RocksDbStore.builder(headers.type()).path(dir.resolve("db")).build();
      case "memory":
        return new InMemoryStore<>();
      default:
        throw new IllegalArgumentException(
            "unknown store \"" + kind + "\"; implemented: rocksdb, memory");
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
