package io.headersync.service;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderType;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.P2PServer;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.pubsub.PubSubException;
import io.headersync.libp2p.pubsub.Subscription;
import io.headersync.lifecycle.AbstractService;
import io.headersync.lifecycle.Service;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import io.headersync.subscriber.HeaderSubscription;
import io.headersync.subscriber.Subscriber;
import io.headersync.subscriber.SubscriberMetrics;
import io.headersync.sync.SyncMetrics;
import io.headersync.sync.SyncState;
import io.headersync.sync.Syncer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Header sync for one header type of one chain, as Rollkit / ev-node's {@code SyncService}: a
 * {@link Store}, a {@link P2PServer} answering header requests, an {@link Exchange} client, a
 * {@link Subscriber} on the header topic and a {@link Syncer} that catches up to the network head
 * and follows gossip. A full node runs two (headers and data, sharing one {@link P2PClient}); a
 * light node runs the header service only; a sequencer adds its headers with {@link
 * #writeToStoreAndBroadcast}. {@link io.headersync.evnode.EvNodeSync} wires these roles for
 * ev-node.
 *
 * <pre>{@code
 * HeaderSyncService<P2PSignedHeader> headers = HeaderSyncService
 *     .builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
 *     .p2p(P2PConfig.builder().seeds("/ip4/10.0.0.1/tcp/7676/p2p/12D3KooW...").build())
 *     .storePath(Path.of("data/headers"))
 *     .blockTime(Duration.ofSeconds(1))
 *     .build();
 * headers.start().get();      // initialised from the store, a trusted hash or the genesis height
 * headers.syncWait().get();   // caught up with the network head
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 *
 * A {@link Service}: the one state machine of {@link AbstractService}, so {@link #state()} is a
 * {@link Service.State} (also reachable as {@code HeaderSyncService.State}). The builder opens the
 * store and builds the P2P client (when the service owns them); a build that fails releases what it
 * opened. {@link #start()} starts, in order: P2P client (when owned), server, exchange (the seeds
 * are its trusted peers), subscriber, then initialises the syncer: from the store head; else from
 * the trusted hash, fetched by hash; else from the header at the initial height, fetched from the
 * trusted peers with retries (1 s doubling to 10 s) for at most {@link Builder#initTimeout};
 * without trusted peers, the first {@link #writeToStoreAndBroadcast} initialises the store. A
 * failure on the way fails the start with a {@link HeaderSyncException} naming the cause, after
 * every part is closed; the service is then {@link State#FAILED} with {@link #failure()} that
 * exception. A part that fails while the service runs (the syncer on a store that failed a write, a
 * part that reports a failure) fails the service the same way. {@link #stop()} is asynchronous,
 * graceful and idempotent: it stops the parts in reverse order (syncer, subscriber, exchange,
 * server, P2P client when owned), then drains and flushes the store (and closes it when owned) and
 * shuts down the executors the service owns; its future fails with the first part that failed to
 * stop. {@link #close()} is {@code stop()} and a wait.
 *
 * <p>Threads: the lifecycle futures complete on the worker executor; other futures on the worker
 * executor, the scheduler or the store's writer; all methods are thread-safe.
 *
 * <p>Implementation: the builder's settings, defaults and checks are package-private {@code
 * ServiceSettings}; the wiring of the parts, their start in order and their stop in reverse {@code
 * ServiceParts}; the initialisation from the store, trusted hash or peers {@code StoreInitialiser};
 * the executors {@code ServiceThreads}.
 *
 * @param <H> the header type
 */
public final class HeaderSyncService<H extends Header> extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(HeaderSyncService.class);

  private final HeaderType<H> type;
  private final String chainId;
  private final String networkId;
  private final Duration blockTime;
  private final ServiceThreads threads;
  private final ServiceParts<H> parts;
  private final StoreInitialiser<H> init;

  /**
   * The future {@link #doStart()} returned: completed by the start, or early by a stop or a
   * failure.
   */
  private final CompletableFuture<Void> starting = new CompletableFuture<>();

  /** Guarded by {@code this}: set once, when the start is cancelled or the parts are released. */
  private @Nullable Subscription topicSubscription;

  /**
   * A stop was requested: the start gives up and no part starts any more. Guarded by {@code this}.
   */
  private volatile boolean stopping;

  /** The service failed (it releases without flushing; the store may be what failed). */
  private volatile boolean failed;

  private volatile boolean syncerStarted;

  /** Takes the parts {@link Builder#build} opened; acquires nothing, so it cannot leak them. */
  private HeaderSyncService(Builder<H> b, ServiceThreads threads, ServiceParts<H> parts) {
    super("header sync service " + parts.networkId, threads.workers);
    this.type = b.type;
    this.chainId = b.chainId;
    this.networkId = parts.networkId;
    this.blockTime = Objects.requireNonNull(b.blockTime, "blockTime");
    this.threads = threads;
    this.parts = parts;
    this.init =
        new StoreInitialiser<>(
            parts,
            b.trustedHash,
            b.initialHeight,
            b.initTimeout,
            b.clock,
            threads.scheduler,
            this::isClosing,
            this::startSyncer);
  }

  /**
   * A builder for the service of {@code type} on chain {@code chainId}.
   *
   * @param <H> the header type
   * @param type the header type the service syncs (its codec, verification and names)
   * @param chainId the chain's id, part of the topic, protocol and network names
   * @return a builder with the defaults; {@link Builder#blockTime} must still be set
   * @throws NullPointerException if {@code type} or {@code chainId} is null
   * @throws IllegalArgumentException if {@code chainId} is empty
   */
  public static <H extends Header> Builder<H> builder(HeaderType<H> type, String chainId) {
    return new Builder<>(type, chainId);
  }

  /**
   * Starts the parts in order (see the class comment) and initialises the syncer. The future
   * completes when the service runs: initialised and syncing, or waiting for the sequencer's first
   * header when there is nothing to initialise from; or fails with a {@link HeaderSyncException}
   * naming the cause (initialisation failed or timed out, a part did not start).
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    parts
        .startInOrder()
        .thenRun(
            () -> {
              parts.subscriber.setVerifier(this::verifyGossip);
              Subscription raw = parts.p2p.pubSub().subscribe(parts.subscriber.topic());
              synchronized (this) {
                if (stopping) {
                  raw.close(); // stopped meanwhile: the release already ran, or will not see it
                  throw new CancellationException(
                      "service " + networkId + " stopped while starting");
                }
                topicSubscription = raw;
              }
              ServiceParts.drain(raw);
            })
        .thenCompose(v -> init.initialise())
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                watch(parts.p2p, "P2P client");
                watch(parts.server, "exchange server");
                watch(parts.exchange, "exchange client");
                watch(parts.subscriber, "subscriber");
                starting.complete(null);
                return;
              }
              synchronized (this) {
                if (stopping || failed) {
                  return; // a stop or a failure ended the start and settled its future itself
                }
                failed = true;
              }
              Throwable cause = unwrap(e);
              log.error("{}: header sync service failed: {}", networkId, cause.toString());
              starting.completeExceptionally(asHeaderSyncException(cause));
            });
    return starting;
  }

  /**
   * A stop while starting: initialisation gives up now (retries end), and the parts are released.
   */
  @Override
  protected void cancelStart() {
    synchronized (this) {
      stopping = true;
    }
    starting.complete(null);
  }

  /**
   * Fails the service when {@code part} fails while it runs (a part stopped by the service is not a
   * failure).
   */
  private void watch(Service part, String what) {
    part.terminated()
        .thenRun(
            () ->
                part.failure()
                    .ifPresent(
                        cause ->
                            fail(
                                new HeaderSyncException(
                                    networkId + ": the " + what + " failed: " + cause, cause))));
  }

  /**
   * A part failed: the service fails with {@code cause} (as a {@link HeaderSyncException} while it
   * starts, so the start future says so) and releases every part. Ignored once a stop was
   * requested.
   */
  private void fail(Throwable cause) {
    synchronized (this) {
      if (stopping || failed) {
        return;
      }
      failed = true;
    }
    log.error("{}: header sync service failed: {}", networkId, cause.toString());
    Throwable f = state() == State.STARTING ? asHeaderSyncException(cause) : cause;
    notifyFailed(f);
    starting.completeExceptionally(f);
  }

  private Throwable asHeaderSyncException(Throwable cause) {
    return cause instanceof HeaderSyncException
        ? cause
        : new HeaderSyncException("header sync service " + networkId + " failed: " + cause, cause);
  }

  private synchronized void startSyncer() {
    if (!syncerStarted && !isClosing()) {
      syncerStarted = true;
      Syncer<H> syncer = parts.syncer;
      // A store that failed a write (disk full) stops the syncer for good: the service fails with
      // it.
      // (On a worker: the failure may surface on the store's writer thread, which close() waits
      // for.)
      syncer
          .fatalFailure()
          .whenCompleteAsync(
              (v, e) -> {
                if (e != null) {
                  fail(unwrap(e));
                }
              },
              threads.workers);
      // The syncer retries a failed network-head request on its own timer; nothing to wait for
      // here.
      syncer
          .start()
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.info(
                      "{}: first network head not known yet ({}); the syncer retries",
                      networkId,
                      unwrap(e).toString());
                }
              });
    }
  }

  private CompletableFuture<Void> verifyGossip(H header) {
    if (!syncerStarted) {
      // Not a verification failure: the subscriber ignores the message without blaming the sender.
      return CompletableFuture.failedFuture(
          new IllegalStateException("the store is not initialised yet"));
    }
    return parts.syncer.incomingHead(header);
  }

  /**
   * The sequencer path: stores {@code header} and publishes it. The first header of an empty store
   * initialises it (any height); later ones go through the topic validator like a gossiped header
   * (the syncer verifies and appends it), so the future completes once the header is stored and
   * handed to the peers, or fails naming why it was refused (a {@link PubSubException} from the
   * validator, e.g. a header that does not extend the head). Callable from any thread.
   *
   * @param header the sequencer's next header
   * @return a future completing once the header is stored and published; it fails with an {@link
   *     IllegalStateException} when the service is not {@link State#RUNNING}, an {@link
   *     IllegalArgumentException} for a zero header, or the validator's or the store's failure
   * @throws NullPointerException if {@code header} is null
   */
  public CompletableFuture<Void> writeToStoreAndBroadcast(H header) {
    Objects.requireNonNull(header, "header == null");
    State s = state();
    if (s != State.RUNNING) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("service " + networkId + " is " + s));
    }
    if (header.isZero()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("zero header"));
    }
    Store<H> store = parts.store;
    Subscriber<H> subscriber = parts.subscriber;
    if (init.claim()) {
      return store
          .append(List.of(header))
          .thenCompose(
              v -> {
                startSyncer();
                // Our own validator finds the header known: as ev-node, that is not an error on the
                // first write.
                return subscriber
                    .broadcast(header)
                    .exceptionally(
                        e -> {
                          if (unwrap(e) instanceof PubSubException pe
                              && pe.reason() != PubSubException.Reason.CLOSED) {
                            return null;
                          }
                          throw new CompletionException(unwrap(e));
                        });
              });
    }
    return subscriber
        .broadcast(header)
        .thenCompose(v -> store.awaitHeight(header.height()))
        .thenApply(h -> null);
  }

  /**
   * Waits for the catch-up: the syncer's {@link Syncer#syncWait}.
   *
   * @return a future completing when the store has caught up with the network head known when this
   *     is called
   */
  public CompletableFuture<Void> syncWait() {
    return parts.syncer.syncWait();
  }

  /**
   * The header at {@code height}: from the store, or, below the store's tail (pruned, or never
   * synced), fetched from peers and verified by hash links down from the tail without being stored
   * (at most {@link Syncer#MAX_BELOW_TAIL_DISTANCE} below it; see {@link Syncer#fetchBelowTail}).
   * Fails with a {@link io.headersync.store.HeaderNotFoundException} above the head or on an empty
   * store (or below the tail of a store that follows an anchor).
   *
   * @param height the height, at least 1
   * @return the header: completed at once when stored, else when fetched and verified
   * @throws IllegalArgumentException if {@code height} is not positive or too far below the tail
   */
  public CompletableFuture<H> getByHeight(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("height must be positive, got " + height);
    }
    Store<H> store = parts.store;
    Optional<H> stored = store.getByHeight(height);
    if (stored.isPresent()) {
      return CompletableFuture.completedFuture(stored.get());
    }
    Optional<H> t = store.tail();
    if (t.isEmpty() || height > store.height() || parts.anchor != null) {
      return CompletableFuture.failedFuture(
          new io.headersync.store.HeaderNotFoundException(
              "height "
                  + height
                  + " is not stored (the store holds "
                  + t.map(x -> "[" + x.height() + ", " + store.height() + "]").orElse("nothing")
                  + ")"));
    }
    return parts.syncer.fetchBelowTail(height);
  }

  /**
   * {@return a snapshot of the syncer's counters, the tail's among them ({@code tailHeight}, {@code
   * headersPruned}, {@code headersBackfilled})}
   */
  public SyncMetrics syncMetrics() {
    return parts.syncer.metrics();
  }

  /** {@return a future completing when no tail work (pruning, back-fill) is running} */
  public CompletableFuture<Void> tailIdle() {
    return parts.syncer.tailIdle();
  }

  /** {@return a snapshot of the syncer's progress: the latest sync job, with the store's height} */
  public SyncState syncState() {
    return parts.syncer.syncState();
  }

  /** {@return the store: the builder's, or the one the service opened and closes when it stops} */
  public Store<H> store() {
    return parts.store;
  }

  /** {@return the P2P client: the builder's shared one, or the one the service built and stops} */
  public P2PClient p2p() {
    return parts.p2p;
  }

  /**
   * {@return the exchange client that fetches headers from peers (started and stopped by the
   * service)}
   */
  public Exchange<H> exchange() {
    return parts.exchange;
  }

  /**
   * New headers accepted from the topic (ours included), for applications that follow the head.
   *
   * @return a new subscription; the caller closes it
   * @throws IllegalStateException if the subscriber is not running (service not started, or
   *     stopped)
   */
  public HeaderSubscription<H> subscribe() {
    return parts.subscriber.subscribe();
  }

  /**
   * {@return a snapshot of the subscriber's counters: accepted, ignored and rejected messages,
   * bytes, subscriptions}
   */
  public SubscriberMetrics gossipMetrics() {
    return parts.subscriber.metrics();
  }

  /**
   * {@return a snapshot of the exchange server's counters of the requests it answered for peers}
   */
  public P2PServer.Stats serverStats() {
    return parts.server.stats();
  }

  /**
   * The histograms of this service's components, under go-header's names: the store's (when it is a
   * {@link RocksDbStore}), the exchange server's and client's, the subscriber's and the syncer's.
   * {@link io.headersync.metrics.NodeMetrics} reads them; an application may too.
   *
   * @return the histograms, an immutable list of live histograms
   */
  public List<Histogram> histograms() {
    return parts.histograms();
  }

  /**
   * {@return the network id, the profile's name for this chain and kind (the service's name and log
   * prefix)}
   */
  public String networkId() {
    return networkId;
  }

  /** {@return the gossip topic the service subscribes and publishes to} */
  public String topic() {
    return parts.subscriber.topic();
  }

  /** {@return the exchange protocol id the server answers and the client asks on} */
  public String protocolId() {
    return parts.server.protocolId();
  }

  /** {@return the chain id given to the builder} */
  public String chainId() {
    return chainId;
  }

  /** {@return the network's block time given to the builder} */
  public Duration blockTime() {
    return blockTime;
  }

  /**
   * The executor the service's verification, store reads and callbacks run on: the builder's {@link
   * Builder#workerExecutor}, or the service's own pool (shut down when the service stops).
   *
   * @return the worker executor, to run work beside the service's (not to shut down)
   */
  public Executor workerExecutor() {
    return threads.workers;
  }

  /**
   * Releases every part in reverse order of the start (see the class comment), on a thread of its
   * own: the syncer's stop may complete on the store's writer thread, which closing the store waits
   * for. Every part is tried; the future fails with the first failure.
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    @Nullable Subscription sub;
    synchronized (this) {
      stopping = true;
      sub = topicSubscription;
    }
    return parts.stopInReverse(sub, !failed, threads);
  }

  private boolean isClosing() {
    return stopping || failed;
  }

  @Override
  public String toString() {
    return "HeaderSyncService{" + networkId + ", " + type.name() + ", " + state() + "}";
  }

  /**
   * Builds a {@link HeaderSyncService}: the setters (with their defaults) are documented where they
   * are declared; {@link #build()} opens the store and builds the parts, {@link
   * HeaderSyncService#start()} starts them. Not thread-safe: one thread sets it up and calls {@link
   * #build}.
   *
   * @param <H> the header type
   */
  public static final class Builder<H extends Header> extends ServiceSettings<H> {
    private Builder(HeaderType<H> type, String chainId) {
      super(type, chainId);
    }

    @Override
    Builder<H> self() {
      return this;
    }

    /**
     * Builds the service: opens the store and builds the P2P client (when the service owns them),
     * starts nothing. A build that fails releases what it opened.
     *
     * @return the service, {@link State#NEW}
     * @throws NullPointerException if the block time is missing
     * @throws io.headersync.store.StoreException if the store at {@link #storePath} cannot be
     *     opened
     */
    public HeaderSyncService<H> build() {
      Objects.requireNonNull(blockTime, "blockTime is required (the network's block time)");
      ServiceThreads threads = new ServiceThreads(scheduler, workers);
      try {
        return new HeaderSyncService<>(this, threads, new ServiceParts<>(this, threads));
      } catch (RuntimeException | Error e) {
        threads.shutDown();
        throw e;
      }
    }
  }
}
