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
 *   queue fills and backpressure sets the pace: the sustained rate of the store. It includes making
 *   the headers (one SHA-256 each for dummy headers); {@code generate64} measures that part alone.
 *   <li>{@code append64Sync}: waits for each batch to be readable: the rate of a caller that appends
 *   one range at a time, bound by the hand-off to the writer thread.
 *   <li>{@code getByHeight}, {@code getByHash}, {@code getRange64}: uniformly random heights of a
 *   store of {@value #READ_HEADERS} headers, so the RocksDB store mostly misses its caches and reads
 *   from RocksDB (memtable and block cache; the data fits in memory).
 * </ul>
 *
 * <p>Run: {@code mvn -B -o test-compile exec:exec -Pbench -Dbench.args="StoreBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s"}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBenchmark {
  static final int BATCH = 64;
  static final int READ_HEADERS = 100_000;

  /** A store of one kind and the chain appended to it. */
  @State(Scope.Thread)
  public static class AppendState {
    @Param({"rocksdb", "memory"})
    public String store;

    @Param({BenchHeaders.KINDS})
    public String headerKind;

    BenchHeaders<Header> headers;
    Store<Header> target;
    Path dir;
    Header last;

    @Setup(Level.Trial)
    public void open() throws IOException {
      headers = cast(BenchHeaders.of(headerKind));
      dir = Files.createTempDirectory("store-bench");
      target = openStore(store, headers, dir);
      last = null;
    }

    /** The in-memory store never forgets: start a fresh one per iteration so the heap stays small. */
    @Setup(Level.Iteration)
    public void freshMemoryStore() {
      if (store.equals("memory") && target.height() > 0) {
        target.close();
        target = openStore(store, headers, dir);
      }
    }

    /** Drains the queue so an iteration does not hand its backlog to the next. */
    @TearDown(Level.Iteration)
    public void drain() {
      target.flush();
    }

    @TearDown(Level.Trial)
    public void close() {
      target.close();
      deleteRecursively(dir);
    }

    List<Header> nextBatch() {
      List<Header> batch = new ArrayList<>(BATCH);
      Header h = last;
      for (int i = 0; i < BATCH; i++) {
        h = h == null ? headers.first(1) : headers.next(h);
        batch.add(h);
      }
      last = h;
      return batch;
    }
  }

  /** A store of one kind filled with {@value #READ_HEADERS} headers. */
  @State(Scope.Benchmark)
  public static class ReadState {
    @Param({"rocksdb", "memory"})
    public String store;

    @Param({BenchHeaders.KINDS})
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

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object generate64(AppendState s) {
    return s.nextBatch();
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
        throw new IllegalArgumentException("unknown store \"" + kind + "\"; implemented: rocksdb, memory");
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
