package io.headersync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class FuturesTest {
  @Test
  void stopInOrderStopsEachPartOnceTheOneBeforeStoppedAndReportsTheFirstFailure() {
    List<String> calls = new ArrayList<>();
    CompletableFuture<Void> a = new CompletableFuture<>();
    CompletableFuture<Void> b = new CompletableFuture<>();
    IllegalStateException first = new IllegalStateException("b failed");
    IllegalStateException later = new IllegalStateException("c failed");
    List<Supplier<CompletableFuture<Void>>> parts =
        List.of(
            () -> {
              calls.add("a");
              return a;
            },
            () -> {
              calls.add("b");
              return b;
            },
            () -> {
              calls.add("c");
              throw later;
            },
            () -> {
              calls.add("d");
              return CompletableFuture.completedFuture(null);
            });
    CompletableFuture<Void> all = Futures.stopInOrder(parts);
    assertEquals(List.of("a"), calls, "b waits for a");
    a.complete(null);
    assertEquals(List.of("a", "b"), calls);
    b.completeExceptionally(first);
    assertEquals(List.of("a", "b", "c", "d"), calls, "a failure does not stop the parts after it");
    ExecutionException e = assertThrows(ExecutionException.class, all::get);
    assertSame(first, e.getCause());
    assertSame(later, first.getSuppressed()[0]);
  }

  @Test
  void stopInOrderOfNothingIsDone() {
    CompletableFuture<Void> all = Futures.stopInOrder(List.of());
    assertTrue(all.isDone());
    assertFalse(all.isCompletedExceptionally());
  }
}
