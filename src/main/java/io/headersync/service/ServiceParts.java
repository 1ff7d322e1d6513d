package io.headersync.service;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.P2PServer;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.Subscription;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import io.headersync.subscriber.Subscriber;
import io.headersync.sync.Anchor;
import io.headersync.sync.HeaderCheck;
import io.headersync.sync.Syncer;
import io.headersync.sync.SyncerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link HeaderSyncService} and who owns them: the store, the P2P client, the
 * exchange server and client, the subscriber and the syncer, wired from the builder's settings and
 * their defaults. The constructor opens what the service owns and releases it again when a later
 * step fails; {@link #startInOrder} and {@link #stopInReverse} are the two halves of the service's
 * lifecycle that touch every part.
 */
final class ServiceParts<H extends Header> {
  /** The service's logger: the parts log as the service always did. */
  private static final Logger log = LoggerFactory.getLogger(HeaderSyncService.class);

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  final String networkId;
  final Store<H> store;
  final boolean ownsStore;
  final P2PClient p2p;
  final boolean ownsP2P;

  /**
   * The exchange's trusted peers, the ones the service initialises from; protected in the
   * connection manager.
   */
  final List<PeerId> trustedPeers;

  final P2PServer<H> server;
  final Exchange<H> exchange;
  final Subscriber<H> subscriber;
  final Syncer<H> syncer;
  final @Nullable HeaderCheck<H> extraCheck;
  final @Nullable Anchor<H> anchor;

  /**
   * Opens the store and builds the P2P client (when the service owns them) and builds the other
   * parts; starts nothing. What this opens (RocksDB, the P2P client) is released when a later step
   * fails, and the executors by the builder, so a failed build leaves no lock on the store's
   * directory and no thread running.
   */
  ServiceParts(HeaderSyncService.Builder<H> b, ServiceThreads threads) {
    NetworkProfile profile = b.profile;
    String chainId = b.chainId;
    this.networkId = profile.networkId(chainId, b.kind);
    List<Runnable> acquired = new ArrayList<>();
    try {
      if (b.store != null) {
        this.store = b.store;
        this.ownsStore = false;
      } else if (b.storePath != null) {
        this.store =
            RocksDbStore.builder(b.type)
                .path(b.storePath)
                .prefix(profile.storePrefix(b.kind))
                .callbackExecutor(threads.workers)
                .build();
        this.ownsStore = true;
        acquired.add(store::close);
      } else {
        this.store = new InMemoryStore<>();
        this.ownsStore = true;
      }
      if (b.p2pClient != null) {
        this.p2p = b.p2pClient;
        this.ownsP2P = false;
      } else {
        P2PConfig config = b.p2pConfig != null ? b.p2pConfig : P2PConfig.builder().build();
        this.p2p =
            P2PClient.create(
                config,
                profile.maxPubsubMessageSize(),
                threads.scheduler,
                threads.workers,
                b.clock,
                chainId);
        this.ownsP2P = true;
        acquired.add(p2p::close);
      }
      this.trustedPeers = b.trustedPeers != null ? List.copyOf(b.trustedPeers) : p2p.seedPeers();
      for (PeerId p : trustedPeers) {
        p2p.connectionManager().protect(p, "trusted"); // the peers the service initialises from
      }
      String protocolId = profile.protocolId(chainId, b.kind);
      // Every part's lifecycle futures complete on the worker pool, as the service's do.
      this.server =
          new P2PServer<>(p2p.host(), store, protocolId, b.serverOptions, threads.workers, b.clock);
      ExchangeOptions exchangeOptions =
          b.exchangeOptions != null
              ? b.exchangeOptions
              : ExchangeOptions.builder().maxFrameSize(profile.maxExchangeFrameSize()).build();
      Exchange.Builder<H> eb =
          Exchange.builder(p2p.host(), b.type, protocolId)
              .chainId(chainId)
              .trustedPeers(trustedPeers)
              .gater(p2p.gater())
              .scheduler(threads.scheduler)
              .clock(b.clock)
              .random(b.random)
              .options(exchangeOptions)
              .callbackExecutor(threads.workers);
      if (b.extraCheck != null) {
        eb.headCheck(b.extraCheck::check); // a forged head must not win the head quorum
      }
      this.exchange = eb.build();
      this.subscriber =
          new Subscriber<>(
              p2p.pubSub(), b.type, profile.topic(chainId, b.kind), b.clock, threads.workers);
      Syncer.Builder<H> sb =
          Syncer.builder(store, exchange, b.type)
              .options(syncerOptions(b))
              .clock(b.clock)
              .scheduler(threads.scheduler)
              .workerExecutor(threads.workers);
      this.extraCheck = b.extraCheck;
      if (b.extraCheck != null) {
        sb.extraCheck(b.extraCheck);
      }
      this.anchor = b.anchor;
      if (b.anchor != null) {
        sb.anchor(b.anchor);
      }
      if (b.followerLimit != null) {
        sb.followerLimit(b.followerLimit);
      }
      if (b.listener != null) {
        sb.listener(b.listener);
      }
      this.syncer = sb.build();
    } catch (RuntimeException | Error e) {
      for (int i = acquired.size() - 1; i >= 0; i--) {
        try {
          acquired.get(i).run();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * The syncer's options: the builder's or the defaults, with the builder's tail settings on top.
   */
  private static SyncerOptions syncerOptions(HeaderSyncService.Builder<?> b) {
    SyncerOptions.Builder sb =
        b.syncerOptions != null
            ? b.syncerOptions.toBuilder()
            : SyncerOptions.builder(Objects.requireNonNull(b.blockTime, "blockTime"))
                .trustingPeriod(b.profile.trustingPeriod())
                .pruningWindow(b.profile.pruningWindow());
    if (b.pruningWindow != null) {
      sb.pruningWindow(b.pruningWindow);
    }
    if (b.syncFromHash != null) {
      sb.syncFromHash(b.syncFromHash);
    }
    if (b.syncFromHeight > 0) {
      sb.syncFromHeight(b.syncFromHeight);
    }
    return sb.build();
  }

  /**
   * Starts the parts in order: the P2P client (when owned; it starts listening and dials the
   * seeds), the server, the exchange, the subscriber. The store is ready once built; the syncer
   * starts once the store is initialised.
   */
  CompletableFuture<Void> startInOrder() {
    CompletableFuture<Void> p2pStarted =
        ownsP2P ? p2p.start() : CompletableFuture.completedFuture(null);
    return p2pStarted
        .thenCompose(v -> server.start())
        .thenCompose(v -> exchange.start())
        .thenCompose(v -> subscriber.start());
  }

  /**
   * The service subscribes so that peers send us the topic; the syncer sees every header through
   * the verifier, so the delivered copies are dropped here, undecoded. Queued messages are taken in
   * a loop (no recursion); the next one is waited for without a thread.
   */
  static void drain(Subscription sub) {
    CompletableFuture<Message> next;
    while ((next = sub.next()).isDone()) {
      if (next.isCompletedExceptionally()) {
        return; // cancelled: the service stopped
      }
    }
    next.whenComplete(
        (m, e) -> {
          if (e == null) {
            drain(sub);
          }
        });
  }

  /**
   * Releases every part in reverse order of the start, on a thread of its own: the syncer's stop
   * may complete on the store's writer thread, which closing the store waits for. The syncer (given
   * {@link #STOP_TIMEOUT}), the topic subscription {@code sub} (when there is one), the subscriber,
   * the exchange, the server, the P2P client (when owned); then the store is flushed (when {@code
   * graceful}: a failed service may have failed on the store) and closed (when owned), and {@code
   * threads} shut down. Every part is tried; the future fails with the first failure.
   */
  CompletableFuture<Void> stopInReverse(
      @Nullable Subscription sub, boolean graceful, ServiceThreads threads) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              Release release = new Release(networkId);
              release.await("syncer", syncer.stop(), STOP_TIMEOUT);
              if (sub != null) {
                release.run("subscription", sub::close);
              }
              release.await("subscriber", subscriber.stop(), null);
              release.await("exchange", exchange.stop(), null);
              release.await("server", server.stop(), null);
              if (ownsP2P) {
                release.await("P2P client", p2p.stop(), null);
              }
              if (graceful) {
                release.run("store flush", store::flush);
              }
              if (ownsStore) {
                release.run("store", store::close);
              }
              threads.shutDown();
              if (release.first != null) {
                done.completeExceptionally(release.first);
              } else {
                done.complete(null);
              }
            },
            "headersync-stop-" + networkId);
    t.setDaemon(true);
    t.start();
    return done;
  }

  /**
   * The parts' histograms: the store's (when it is a {@link RocksDbStore}), the server's, the
   * exchange's, the subscriber's, the syncer's.
   */
  List<Histogram> histograms() {
    List<Histogram> out = new ArrayList<>();
    if (store instanceof RocksDbStore<H> rocks) {
      out.addAll(rocks.histograms());
    }
    out.addAll(server.histograms());
    out.addAll(exchange.histograms());
    out.addAll(subscriber.histograms());
    out.addAll(syncer.histograms());
    return List.copyOf(out);
  }

  /** Releases parts one after the other, keeping the first failure; each failure is a WARN. */
  private static final class Release {
    private final String networkId;
    @Nullable Throwable first;

    Release(String networkId) {
      this.networkId = networkId;
    }

    void run(String what, Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        failed(what, e);
      }
    }

    void await(String what, CompletableFuture<Void> stopped, @Nullable Duration timeout) {
      try {
        if (timeout == null) {
          stopped.get();
        } else {
          stopped.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed(what, e);
      } catch (TimeoutException e) {
        log.warn("{}: the {} did not stop cleanly within {}", networkId, what, timeout);
      } catch (ExecutionException e) {
        failed(what, unwrap(e));
      }
    }

    private void failed(String what, Throwable e) {
      log.warn("{}: closing the {} failed: {}", networkId, what, e.toString());
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
  }
}
