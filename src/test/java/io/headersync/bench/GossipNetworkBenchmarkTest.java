package io.headersync.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A small {@link GossipNetworkBenchmark} network (20 hosts dialing 8 random others, 100 messages),
 * heartbeats on a {@link ManualScheduler}: every message reaches every application exactly once.
 */
class GossipNetworkBenchmarkTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private int barriers;

  /**
   * Everything each host sent so far has been handled by its neighbours (twice over, for answers).
   */
  void settle(GossipNetworkBenchmark net) throws Exception {
    for (int round = 0; round < 2; round++) {
      List<CompletableFuture<Void>> waits = new ArrayList<>();
      for (int h = 0; h < net.pubsubs.size(); h++) {
        String topic = "barrier-" + barriers++;
        net.pubsubs.get(h).subscribe(topic);
        for (int n : net.neighbours(h)) {
          waits.add(net.pubsubs.get(n).awaitPeer(topic, net.hosts.get(h).peerId()));
        }
      }
      CompletableFuture<Void> all =
          CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
      // A subscription announced to a peer whose queue was full is retried 1-1000 ms later (as Go
      // does): if the barrier has not passed, let the retry timers fire.
      for (int second = 0; ; second++) {
        try {
          all.get(second == 0 ? 30 : 5, TimeUnit.SECONDS);
          break;
        } catch (TimeoutException e) {
          if (second == 5) {
            throw e;
          }
          scheduler.advance(Duration.ofSeconds(1));
        }
      }
    }
  }

  void heartbeat(GossipNetworkBenchmark net) throws Exception {
    scheduler.advance(Duration.ofSeconds(1));
    settle(net);
  }

  @Test
  void twentyHostsDeliverEveryMessageToEveryApplicationExactlyOnce() throws Exception {
    int messages = 100;
    try (GossipNetworkBenchmark net =
        new GossipNetworkBenchmark(20, messages, 7, scheduler, clock)) {
      net.connect(8);
      heartbeat(net); // meshes form
      heartbeat(net); // and settle under Dhi
      for (PubSub p : net.pubsubs) {
        int mesh = p.meshPeers(GossipNetworkBenchmark.TOPIC).get(10, TimeUnit.SECONDS).size();
        assertEquals(
            true,
            mesh >= 5 || mesh == net.neighbours(net.pubsubs.indexOf(p)).size(),
            "mesh of " + mesh);
      }
      for (int i = 0; i < messages; i++) {
        net.publish(i);
      }
      // The mesh carries nearly everything at once; a heartbeat or two of gossip fills any gap.
      for (int round = 0; ; round++) {
        try {
          net.allDelivered().get(round < 5 ? 10 : 1, TimeUnit.SECONDS);
          System.out.printf(
              "all delivered after %d gossip heartbeats; %.1f duplicates per message%n",
              round, net.duplicatesPerMessage());
          break;
        } catch (TimeoutException e) {
          if (round == 10) {
            throw new AssertionError(net.missing() + " deliveries missing");
          }
          heartbeat(net);
        }
      }
      settle(net); // every copy in flight has arrived
      assertEquals(20L * messages, net.deliveries());
      assertEquals(0, net.appDuplicates());
      assertEquals(0, net.missing());
    }
  }
}
