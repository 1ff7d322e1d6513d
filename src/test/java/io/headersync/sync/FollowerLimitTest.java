package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.store.InMemoryStore;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FollowerLimitTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<DummyHeader> chain =
      new DummyChain(Instant.parse("2026-01-01T00:00:00Z")).next(600);
  private final InMemoryStore<DummyHeader> follower = new InMemoryStore<>();

  @AfterEach
  void close() {
    scheduler.shutdownNow();
  }

  @Test
  void aBatchWaitsUntilTheFollowerIsWithinTheLead() throws Exception {
    FollowerLimit limit = new FollowerLimit(128, Duration.ofSeconds(30));
    assertTrue(limit.admit(1_000, scheduler).isDone(), "no follower attached: nothing is held");
    limit.attach(follower);
    follower.append(chain.subList(0, 100)).join();
    assertTrue(limit.admit(228, scheduler).isDone(), "228 - 128 = 100: the follower is there");
    CompletableFuture<Void> held = limit.admit(300, scheduler);
    assertFalse(held.isDone(), "300 needs the follower at 172");
    follower.append(chain.subList(100, 171)).join();
    assertFalse(held.isDone(), "171 is not enough");
    follower.append(chain.subList(171, 172)).join();
    held.get(10, TimeUnit.SECONDS);
    assertThrows(IllegalStateException.class, () -> limit.attach(follower));
  }

  @Test
  void aFollowerThatMakesNoProgressIsLeftBehindUntilItCatchesUp() throws Exception {
    FollowerLimit limit = new FollowerLimit(128, Duration.ofMillis(50));
    limit.attach(follower);
    follower.append(chain.subList(0, 10)).join();
    limit.admit(500, scheduler).get(10, TimeUnit.SECONDS); // released after the patience
    assertTrue(limit.admit(564, scheduler).isDone(), "released: no more waiting");
    follower.append(chain.subList(10, 500)).join();
    assertTrue(limit.admit(600, scheduler).isDone(), "within the lead: engaged again");
    assertFalse(limit.admit(700, scheduler).isDone(), "engaged again: 700 waits for 572");
  }
}
