package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.headersync.store.InMemoryStore;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AppendPipelineTest {
  private final DummyChain chain = new DummyChain(Instant.parse("2026-01-01T00:00:00Z"));
  private final InMemoryStore<DummyHeader> store = new InMemoryStore<>();

  private AppendPipeline<DummyHeader> pipeline(DummyHeader from) {
    return new AppendPipeline<>(
        store, Runnable::run, 4, b -> CompletableFuture.completedFuture(null), (b, t) -> {}, from);
  }

  @Test
  void aBatchHandedOverAfterTheJobEndedIsRefusedAndNeverAppended() throws Exception {
    DummyHeader genesis = chain.next();
    store.append(List.of(genesis)).join();
    AppendPipeline<DummyHeader> p = pipeline(genesis);
    List<DummyHeader> first = chain.next(10);
    p.submit(first, false).get();
    p.finish().get();
    assertEquals(11, store.height());

    // A range session's delivery that raced its cancellation arrives now.
    CompletableFuture<Void> late = p.submit(chain.next(10), false);
    assertThrows(CancellationException.class, late::get);
    assertEquals(11, store.height(), "the stopped job's store does not grow");
    assertEquals(first.get(9), p.last());
  }

  @Test
  void drainingBetweenRangesLeavesThePipelineOpen() throws Exception {
    DummyHeader genesis = chain.next();
    store.append(List.of(genesis)).join();
    AppendPipeline<DummyHeader> p = pipeline(genesis);
    p.submit(chain.next(5), false).get();
    p.drain().get();
    p.submit(chain.next(5), false).get();
    p.finish().get();
    assertEquals(11, store.height());
  }
}
