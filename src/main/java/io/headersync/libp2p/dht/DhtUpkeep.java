package io.headersync.libp2p.dht;

import static io.headersync.libp2p.dht.DhtState.unwrap;

import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.libp2p.dht.internal.Messages;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing-table upkeep of a {@link Dht}, as go-libp2p-kad-dht does it: the admission check of
 * peers (FIND_NODE for their own id), the bootstrap (offer connected peers, dial the bootstrap
 * peers into an empty table), the refresh (stale-peer checks, then lookups of our id and of a
 * random key per common prefix length), and the timers that run refresh, low-peer check and
 * provider GC on the scheduler. State under the {@link DhtState} lock, timers included.
 */
final class DhtUpkeep {
  private static final Logger log = LoggerFactory.getLogger(Dht.class);

  /** Go re-offers connected peers while the table holds at most this many. */
  private static final int LOW_TABLE_SIZE = 10;

  /** Go's bootstrap stops dialling after this many bootstrap peers answered. */
  private static final int MAX_BOOTSTRAPPERS = 2;

  /** Admission checks in flight at once. */
  private static final int MAX_ADMISSIONS = 64;

  /**
   * A peer not heard from for this long is checked on refresh (kad-dht: ln(1/k)/ln(1-α/k) × 10
   * min).
   */
  private static final Duration STALE_AFTER = Duration.ofSeconds(2592);

  private final DhtState state;
  private final DhtClient client;
  private final DhtLookups lookups;
  private final ScheduledExecutorService scheduler;
  private final Random random;
  private final List<Multiaddr> bootstrapPeers;

  /** Admission checks in flight; guarded by the state's lock. */
  private final Map<PeerId, CompletableFuture<Boolean>> admitting = new HashMap<>();

  /** Guarded by the state's lock. */
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();

  DhtUpkeep(
      DhtState state,
      DhtClient client,
      DhtLookups lookups,
      ScheduledExecutorService scheduler,
      Random random,
      List<Multiaddr> bootstrapPeers) {
    this.state = state;
    this.client = client;
    this.lookups = lookups;
    this.scheduler = scheduler;
    this.random = random;
    this.bootstrapPeers = List.copyOf(bootstrapPeers);
  }

  /** Schedules the refresh, low-peer check and hourly provider GC timers. */
  void startTimers() {
    DhtOptions options = state.options;
    synchronized (state) {
      timers.add(
          scheduler.scheduleWithFixedDelay(
              this::refreshQuietly,
              options.refreshInterval().toMillis(),
              options.refreshInterval().toMillis(),
              TimeUnit.MILLISECONDS));
      timers.add(
          scheduler.scheduleWithFixedDelay(
              this::fixLowPeers,
              options.lowPeerCheckInterval().toMillis(),
              options.lowPeerCheckInterval().toMillis(),
              TimeUnit.MILLISECONDS));
      long hour = Duration.ofHours(1).toMillis();
      timers.add(
          scheduler.scheduleWithFixedDelay(this::gcProviders, hour, hour, TimeUnit.MILLISECONDS));
    }
  }

  /** Marks the state closed and cancels the timers. */
  void close() {
    synchronized (state) {
      state.closed = true;
      timers.forEach(t -> t.cancel(false));
    }
  }

  /** See {@link Dht#offerPeer}. */
  CompletableFuture<Boolean> offerPeer(PeerId peer) {
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    synchronized (state) {
      if (state.closed || peer.equals(state.self)) {
        return CompletableFuture.completedFuture(false);
      }
      if (state.table.contains(peer)) {
        return CompletableFuture.completedFuture(true);
      }
      CompletableFuture<Boolean> inFlight = admitting.get(peer);
      if (inFlight != null) {
        return inFlight;
      }
      if (admitting.size() >= MAX_ADMISSIONS) {
        return CompletableFuture.completedFuture(false);
      }
      admitting.put(peer, mine);
    }
    client
        .send(peer, Messages.request(Message.MessageType.FIND_NODE, peer.bytes()).build(), true)
        .whenComplete(
            (m, t) -> {
              boolean in;
              synchronized (state) {
                admitting.remove(peer);
                if (t != null || state.closed) {
                  log.debug(
                      "DHT admission check of {} failed: {}",
                      peer,
                      t == null ? "closed" : unwrap(t).toString());
                  in = false;
                } else {
                  in =
                      state.table.tryAdd(peer, state.clock.instant(), state.refreshesCompleted < 2);
                }
              }
              mine.complete(in);
            });
    return mine;
  }

  /** The host's identify listener: offers peers that speak the DHT, drops those that stopped. */
  void peerIdentified(PeerInfo info) {
    if (info.protocols().contains(Dht.PROTOCOL)) {
      offerPeer(info.peer());
    } else {
      state.evict(info.peer()); // Go's peerStoppedDHT
    }
  }

  /** See {@link Dht#bootstrap}. */
  CompletableFuture<Void> bootstrap() {
    return offerConnectedPeers()
        .thenCompose(
            v ->
                state.tableSize() == 0
                    ? dialBootstrapPeers()
                    : CompletableFuture.completedFuture(null))
        .thenCompose(v -> refresh().exceptionally(t -> null));
  }

  private void fixLowPeers() {
    boolean wasEmpty = state.tableSize() == 0;
    offerConnectedPeers()
        .thenCompose(
            v ->
                state.tableSize() == 0
                    ? dialBootstrapPeers()
                    : CompletableFuture.completedFuture(null))
        .thenRun(
            () -> {
              if (wasEmpty && state.tableSize() > 0) {
                refreshQuietly();
              }
            });
  }

  private CompletableFuture<Void> offerConnectedPeers() {
    if (state.tableSize() > LOW_TABLE_SIZE) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Boolean>> offers = new ArrayList<>();
    for (PeerId p : state.host.connectedPeers()) {
      if (state.host.peerProtocols(p).contains(Dht.PROTOCOL)) {
        offers.add(offerPeer(p));
      }
    }
    return CompletableFuture.allOf(offers.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> dialBootstrapPeers() {
    List<Multiaddr> order = new ArrayList<>(bootstrapPeers);
    Collections.shuffle(order, random);
    return dialBootstrap(order, 0, 0);
  }

  private CompletableFuture<Void> dialBootstrap(List<Multiaddr> order, int i, int admitted) {
    if (i >= order.size() || admitted >= MAX_BOOTSTRAPPERS || state.isClosed()) {
      return CompletableFuture.completedFuture(null);
    }
    Multiaddr a = order.get(i);
    PeerId p = a.peerId().orElseThrow();
    return state
        .host
        .connect(a)
        .thenCompose(peer -> offerPeer(p))
        .handle((ok, t) -> ok != null && ok)
        .thenCompose(ok -> dialBootstrap(order, i + 1, admitted + (ok ? 1 : 0)));
  }

  /** See {@link Dht#refresh}. */
  CompletableFuture<Void> refresh() {
    List<PeerId> stale;
    int maxCpl;
    synchronized (state) {
      if (state.closed) {
        return CompletableFuture.failedFuture(
            new DhtException(DhtException.Reason.CLOSED, "DHT closed"));
      }
      stale = state.table.staleSince(state.clock.instant().minus(STALE_AFTER));
      maxCpl = Math.min(state.table.maxCpl(), 15);
    }
    List<CompletableFuture<Void>> checks = new ArrayList<>();
    for (PeerId p : stale) {
      checks.add(
          client
              .send(p, Messages.request(Message.MessageType.FIND_NODE, p.bytes()).build(), true)
              .handle(
                  (m, t) -> {
                    synchronized (state) {
                      if (t != null) {
                        state.table.remove(p);
                      } else {
                        state.table.tryAdd(p, state.clock.instant(), false);
                      }
                    }
                    return null;
                  }));
    }
    CompletableFuture<Void> chain =
        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
            .thenCompose(v -> lookups.findClosestPeers(state.self.bytes()))
            .thenApply(peers -> null);
    for (int cpl = 0; cpl <= maxCpl; cpl++) {
      int c = cpl;
      chain =
          chain.thenCompose(
              v ->
                  lookups
                      .findClosestPeers(Keys.randomKeyWithCpl(state.localId, c, random))
                      .handle((peers, t) -> null));
    }
    return chain.thenRun(
        () -> {
          synchronized (state) {
            state.refreshesCompleted++;
            if (state.refreshesCompleted == 2 && !state.closed) {
              timers.add(
                  scheduler.schedule(
                      () -> {
                        synchronized (state) {
                          state.table.markAllIrreplaceable();
                        }
                      },
                      1,
                      TimeUnit.MINUTES));
            }
          }
        });
  }

  private void refreshQuietly() {
    refresh()
        .whenComplete(
            (v, t) -> {
              if (t != null) {
                log.debug("DHT refresh: {}", unwrap(t).getMessage());
              }
            });
  }

  private void gcProviders() {
    synchronized (state) {
      Instant now = state.clock.instant();
      int n = state.providers.gc(now);
      state.localProvides.values().removeIf(exp -> !exp.isAfter(now));
      if (n > 0) {
        log.debug("DHT dropped {} expired provider records", n);
      }
    }
  }
}
