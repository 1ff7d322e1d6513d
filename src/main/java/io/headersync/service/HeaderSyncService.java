package io.headersync.service;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderType;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.internal.Backoff;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.PubSubException;
import io.headersync.libp2p.pubsub.Subscription;
import io.headersync.instrument.Histogram;
import io.headersync.lifecycle.AbstractService;
import io.headersync.lifecycle.Service;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import io.headersync.subscriber.HeaderSubscription;
import io.headersync.subscriber.Subscriber;
import io.headersync.subscriber.SubscriberMetrics;
import io.headersync.sync.Anchor;
import io.headersync.sync.FollowerLimit;
import io.headersync.sync.HeaderCheck;
import io.headersync.sync.SyncListener;
import io.headersync.sync.SyncMetrics;
import io.headersync.sync.SyncState;
import io.headersync.sync.Syncer;
import io.headersync.sync.SyncerOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Header sync for one header type of one chain, as Rollkit / ev-node's {@code SyncService}: a
 * {@link Store}, a {@link P2PServer} answering header requests, an {@link Exchange} client, a
 * {@link Subscriber} on the header topic and a {@link Syncer} that catches up to the network head
 * and follows gossip. A full node runs two (headers and data, sharing one {@link P2PClient}); a
 * light node runs the header service only; a sequencer adds its headers with {@link
 * #writeToStoreAndBroadcast}. {@link io.headersync.evnode.EvNodeSync} wires these roles for ev-node.
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
 * A {@link Service}: the one state machine of {@link AbstractService}, so {@link #state()} is a
 * {@link Service.State} (also reachable as {@code HeaderSyncService.State}). The builder opens the
 * store and builds the P2P client (when the service owns them); a build that fails releases what
 * it opened. {@link #start()} starts, in order: P2P client (when owned), server, exchange (the seeds
 * are its trusted peers), subscriber, then initialises the syncer: from the store head; else from
 * the trusted hash, fetched by hash; else from the header at the initial height, fetched from the
 * trusted peers with retries (1 s doubling to 10 s) for at most {@link Builder#initTimeout};
 * without trusted peers, the first {@link #writeToStoreAndBroadcast} initialises the store. A
 * failure on the way fails the start with a {@link HeaderSyncException} naming the cause, after
 * every part is closed; the service is then {@link State#FAILED} with {@link #failure()} that
 * exception. A part that fails while the service runs (the syncer on a store that failed a write,
 * a part that reports a failure) fails the service the same way. {@link #stop()} is asynchronous,
 * graceful and idempotent: it stops the parts in reverse order (syncer, subscriber, exchange,
 * server, P2P client when owned), then drains and flushes the store (and closes it when owned) and
 * shuts down the executors the service owns; its future fails with the first part that failed to
 * stop. {@link #close()} is {@code stop()} and a wait.
 *
 * <p>Threads: the lifecycle futures complete on the worker executor; other futures on the worker
 * executor, the scheduler or the store's writer; all methods are thread-safe.
 *
 * <p>Longer than most classes (about 1,000 lines): the builder documents every setting a node has
 * (a third of the file), and the assembly, initialisation and lifecycle of the parts belong together.
 *
 * @param <H> the header type
 */
public final class HeaderSyncService<H extends Header> extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(HeaderSyncService.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final HeaderType<H> type;
  private final String chainId;
  private final NetworkProfile profile;
  private final SyncKind kind;
  private final String networkId;
  private final Store<H> store;
  private final boolean ownsStore;
  private final P2PClient p2p;
  private final boolean ownsP2P;
  private final Duration blockTime;
  private final @Nullable Hash trustedHash;
  private final long initialHeight;
  private final Duration initTimeout;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final Threads threads;
  private final List<PeerId> trustedPeers;
  private final P2PServer<H> server;
  private final Exchange<H> exchange;
  private final Subscriber<H> subscriber;
  private final Syncer<H> syncer;
  private final @Nullable HeaderCheck<H> extraCheck;
  private final @Nullable Anchor<H> anchor;
  private final AtomicBoolean storeInitialised = new AtomicBoolean();
  /** The future {@link #doStart()} returned: completed by the start, or early by a stop or a failure. */
  private final CompletableFuture<Void> starting = new CompletableFuture<>();
  /** Guarded by {@code this}: set once, when the start is cancelled or the parts are released. */
  private @Nullable Subscription topicSubscription;
  /** A stop was requested: the start gives up and no part starts any more. Guarded by {@code this}. */
  private volatile boolean stopping;
  /** The service failed (it releases without flushing; the store may be what failed). */
  private volatile boolean failed;
  private volatile boolean syncerStarted;

  private HeaderSyncService(Builder<H> b, Threads threads) {
    super("header sync service " + b.profile.networkId(b.chainId, b.kind), threads.workers);
    this.type = b.type;
    this.chainId = b.chainId;
    this.profile = b.profile;
    this.kind = b.kind;
    this.networkId = profile.networkId(chainId, kind);
    this.blockTime = Objects.requireNonNull(b.blockTime, "blockTime");
    this.trustedHash = b.trustedHash;
    this.initialHeight = b.initialHeight;
    this.initTimeout = b.initTimeout;
    this.clock = b.clock;
    this.threads = threads;
    this.scheduler = threads.scheduler;
    this.workers = threads.workers;
    // What the constructor opens (RocksDB, the P2P client) is released when a later step fails, and
    // the executors by build(), so a failed build leaves no lock on the store's directory and no
    // thread running.
    List<Runnable> acquired = new ArrayList<>();
    try {
      if (b.store != null) {
        this.store = b.store;
        this.ownsStore = false;
      } else if (b.storePath != null) {
        this.store = RocksDbStore.builder(type).path(b.storePath).prefix(profile.storePrefix(kind)).callbackExecutor(workers).build();
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
        this.p2p = P2PClient.create(config, profile.maxPubsubMessageSize(), scheduler, workers, clock, chainId);
        this.ownsP2P = true;
        acquired.add(p2p::close);
      }
      this.trustedPeers = b.trustedPeers != null ? List.copyOf(b.trustedPeers) : p2p.seedPeers();
      for (PeerId p : trustedPeers) {
        p2p.connectionManager().protect(p, "trusted"); // the peers the service initialises from
      }
      String protocolId = profile.protocolId(chainId, kind);
      // Every part's lifecycle futures complete on the worker pool, as the service's do.
      this.server = new P2PServer<>(p2p.host(), store, protocolId, b.serverOptions, workers, clock);
      ExchangeOptions exchangeOptions = b.exchangeOptions != null ? b.exchangeOptions
          : ExchangeOptions.builder().maxFrameSize(profile.maxExchangeFrameSize()).build();
      Exchange.Builder<H> eb = Exchange.builder(p2p.host(), type, protocolId)
          .chainId(chainId)
          .trustedPeers(trustedPeers)
          .gater(p2p.gater())
          .scheduler(scheduler)
          .clock(clock)
          .random(b.random)
          .options(exchangeOptions)
          .callbackExecutor(workers);
      if (b.extraCheck != null) {
        eb.headCheck(b.extraCheck::check); // a forged head must not win the head quorum
      }
      this.exchange = eb.build();
      this.subscriber = new Subscriber<>(p2p.pubSub(), type, profile.topic(chainId, kind), clock, workers);
      Syncer.Builder<H> sb = Syncer.builder(store, exchange, type)
          .options(b.syncerOptions())
          .clock(clock)
          .scheduler(scheduler)
          .workerExecutor(workers);
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

  /** The executors a service runs on: the builder's, or its own, shut down when it stops. */
  private static final class Threads {
    final ScheduledExecutorService scheduler;
    final ExecutorService workers;
    final List<ExecutorService> owned = new ArrayList<>();

    Threads(@Nullable ScheduledExecutorService scheduler, @Nullable ExecutorService workers) {
      if (scheduler != null) {
        this.scheduler = scheduler;
      } else {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(daemon("headersync-scheduler"));
        owned.add(s);
        this.scheduler = s;
      }
      if (workers != null) {
        this.workers = workers;
      } else {
        ExecutorService w = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
            daemon("headersync-worker"));
        owned.add(w);
        this.workers = w;
      }
    }

    void shutDown() {
      for (ExecutorService e : owned) {
        e.shutdownNow();
      }
    }
  }

  /**
   * A builder for the service of {@code type} on chain {@code chainId}.
   *
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
    // The store is ready once built; the P2P client starts listening (and dials seeds).
    CompletableFuture<Void> p2pStarted = ownsP2P ? p2p.start() : CompletableFuture.completedFuture(null);
    p2pStarted
        .thenCompose(v -> server.start())
        .thenCompose(v -> exchange.start())
        .thenCompose(v -> subscriber.start())
        .thenRun(() -> {
          subscriber.setVerifier(this::verifyGossip);
          Subscription raw = p2p.pubSub().subscribe(subscriber.topic());
          synchronized (this) {
            if (stopping) {
              raw.close(); // stopped meanwhile: the release already ran, or will not see it
              throw new CancellationException("service " + networkId + " stopped while starting");
            }
            topicSubscription = raw;
          }
          drain(raw);
        })
        .thenCompose(v -> initialise())
        .whenComplete((v, e) -> {
          if (e == null) {
            watch(p2p, "P2P client");
            watch(server, "exchange server");
            watch(exchange, "exchange client");
            watch(subscriber, "subscriber");
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

  /** A stop while starting: initialisation gives up now (retries end), and the parts are released. */
  @Override
  protected void cancelStart() {
    synchronized (this) {
      stopping = true;
    }
    starting.complete(null);
  }

  /** Fails the service when {@code part} fails while it runs (a part stopped by the service is not a failure). */
  private void watch(Service part, String what) {
    part.terminated().thenRun(() -> part.failure().ifPresent(cause ->
        fail(new HeaderSyncException(networkId + ": the " + what + " failed: " + cause, cause))));
  }

  /**
   * A part failed: the service fails with {@code cause} (as a {@link HeaderSyncException} while it
   * starts, so the start future says so) and releases every part. Ignored once a stop was requested.
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
    return cause instanceof HeaderSyncException ? cause
        : new HeaderSyncException("header sync service " + networkId + " failed: " + cause, cause);
  }

  private CompletableFuture<Void> initialise() {
    Optional<H> head = store.head();
    if (anchor != null && head.isPresent() && head.get().height() > anchor.height()) {
      // E.g. restored from a backup: data for heights without verified headers. Deleting it silently
      // could lose the only copy; the operator decides.
      return CompletableFuture.failedFuture(new HeaderSyncException(networkId + ": the store's head "
          + head.get().height() + " is above its anchor's head " + anchor.height() + " (the store it follows, "
          + "e.g. the header store): restore the anchor store, or move this store away to sync it again"));
    }
    if (head.isPresent()) {
      log.info("{}: resuming from the store head at height {}", networkId, head.get().height());
      storeInitialised.set(true);
      startSyncer();
      return CompletableFuture.completedFuture(null);
    }
    if (trustedHash != null) {
      Hash hash = trustedHash;
      return retry("the trusted header " + hash, () -> exchange.get(hash)).thenCompose(this::initStore);
    }
    if (trustedPeers.isEmpty()) {
      log.info("{}: empty store and no trusted peers; waiting for the first header", networkId);
      return CompletableFuture.completedFuture(null);
    }
    if (anchor != null) {
      // Start where the anchor starts, with a header checked against it.
      Anchor<H> a = anchor;
      return retry("the header at the anchor's tail", () -> {
        long tail = a.tailHeight();
        if (tail == 0) {
          return CompletableFuture.failedFuture(new HeaderSyncException("the anchor store is empty"));
        }
        return exchange.getByHeight(tail).thenApply(h -> {
          if (!a.check(h)) {
            throw new HeaderSyncException("the anchor has no header at " + tail);
          }
          return h;
        });
      }).thenCompose(this::initStore);
    }
    SyncerOptions so = syncer.options();
    if (so.tailPinned()) {
      String what = so.syncFromHash().map(h -> "the syncFromHash header " + h)
          .orElse("the header at syncFromHeight " + so.syncFromHeight());
      return retry(what, () -> syncer.initialTail(initialHeight)).thenCompose(this::initStore);
    }
    // The header at the initial height, or, when it has expired, go-header's estimate from the
    // trusting period against the network head.
    return retry("the header at the initial height " + initialHeight + " (or the tail estimated from the trusting "
        + "period when it has expired)", () -> syncer.initialTail(initialHeight)).thenCompose(this::initStore);
  }

  /** The initial fetch's retries: 1 s doubling to 10 s, until {@link #initTimeout}. */
  private static final Backoff INIT_BACKOFF = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10));

  /** Asks with backoff ({@link #INIT_BACKOFF}) until {@link #initTimeout}. */
  private CompletableFuture<H> retry(String what, java.util.function.Supplier<CompletableFuture<H>> ask) {
    CompletableFuture<H> result = new CompletableFuture<>();
    long deadline = clock.millis() + initTimeout.toMillis();
    attempt(what, ask, result, deadline, 1, null);
    return result;
  }

  private void attempt(String what, java.util.function.Supplier<CompletableFuture<H>> ask, CompletableFuture<H> result,
      long deadline, int n, @Nullable Throwable last) {
    if (isClosing()) {
      result.completeExceptionally(new CancellationException("service stopped while fetching " + what));
      return;
    }
    if (clock.millis() >= deadline && n > 1) {
      result.completeExceptionally(new HeaderSyncException("no trusted peer " + trustedPeers + " gave " + what
          + " within " + initTimeout + " (" + (n - 1) + " attempts; last error: "
          + (last == null ? "none" : unwrap(last).toString()) + ")"));
      return;
    }
    ask.get().whenComplete((h, e) -> {
      if (e == null) {
        result.complete(h);
        return;
      }
      if (!trustedPeers.isEmpty() && p2p.gater().blockedPeers().containsAll(trustedPeers)) {
        // Every trusted peer proved itself wrong (e.g. its header fails the proposer check): asking
        // again cannot help.
        result.completeExceptionally(new HeaderSyncException("every trusted peer " + trustedPeers
            + " was blocked for an invalid answer while fetching " + what + ": " + unwrap(e).getMessage(), e));
        return;
      }
      long wait = Math.min(INIT_BACKOFF.delay(n).toMillis(), Math.max(0, deadline - clock.millis()));
      log.debug("{}: fetching {} failed (attempt {}): {}; retrying in {} ms", networkId, what, n, e.toString(), wait);
      scheduler.schedule(() -> attempt(what, ask, result, deadline, n + 1, e), wait, TimeUnit.MILLISECONDS);
    });
  }

  private CompletableFuture<Void> initStore(H first) {
    if (extraCheck != null) {
      try {
        extraCheck.check(first);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(new HeaderSyncException("the initial header " + first.height() + " ("
            + first.hash() + ") from the trusted peers fails the extra check: " + e.getMessage(), e));
      }
    }
    if (!storeInitialised.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null); // the sequencer's first header won the race
    }
    log.info("{}: initialising the store at height {} ({})", networkId, first.height(), first.hash());
    return store.append(List.of(first)).thenRun(this::startSyncer);
  }

  private synchronized void startSyncer() {
    if (!syncerStarted && !isClosing()) {
      syncerStarted = true;
      // A store that failed a write (disk full) stops the syncer for good: the service fails with it.
      // (On a worker: the failure may surface on the store's writer thread, which close() waits for.)
      syncer.fatalFailure().whenCompleteAsync((v, e) -> {
        if (e != null) {
          fail(unwrap(e));
        }
      }, workers);
      // The syncer retries a failed network-head request on its own timer; nothing to wait for here.
      syncer.start().whenComplete((v, e) -> {
        if (e != null) {
          log.info("{}: first network head not known yet ({}); the syncer retries", networkId, unwrap(e).toString());
        }
      });
    }
  }

  private CompletableFuture<Void> verifyGossip(H header) {
    if (!syncerStarted) {
      // Not a verification failure: the subscriber ignores the message without blaming the sender.
      return CompletableFuture.failedFuture(new IllegalStateException("the store is not initialised yet"));
    }
    return syncer.incomingHead(header);
  }

  /**
   * The sequencer path: stores {@code header} and publishes it. The first header of an empty store
   * initialises it (any height); later ones go through the topic validator like a gossiped header
   * (the syncer verifies and appends it), so the future completes once the header is stored and
   * handed to the peers, or fails naming why it was refused (a {@link PubSubException} from the
   * validator, e.g. a header that does not extend the head).
   *
   * @throws IllegalStateException if the service is not running
   */
  public CompletableFuture<Void> writeToStoreAndBroadcast(H header) {
    Objects.requireNonNull(header, "header == null");
    State s = state();
    if (s != State.RUNNING) {
      return CompletableFuture.failedFuture(new IllegalStateException("service " + networkId + " is " + s));
    }
    if (header.isZero()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("zero header"));
    }
    if (storeInitialised.compareAndSet(false, true)) {
      return store.append(List.of(header)).thenCompose(v -> {
        startSyncer();
        // Our own validator finds the header known: as ev-node, that is not an error on the first write.
        return subscriber.broadcast(header).exceptionally(e -> {
          if (unwrap(e) instanceof PubSubException pe && pe.reason() != PubSubException.Reason.CLOSED) {
            return null;
          }
          throw new CompletionException(unwrap(e));
        });
      });
    }
    return subscriber.broadcast(header).thenCompose(v -> store.awaitHeight(header.height())).thenApply(h -> null);
  }

  /** Completes when the store has caught up with the network head known when it is called. */
  public CompletableFuture<Void> syncWait() {
    return syncer.syncWait();
  }

  /**
   * The header at {@code height}: from the store, or, below the store's tail (pruned, or never
   * synced), fetched from peers and verified by hash links down from the tail without being stored
   * (at most {@link Syncer#MAX_BELOW_TAIL_DISTANCE} below it; see {@link Syncer#fetchBelowTail}).
   * Fails with a {@link io.headersync.store.HeaderNotFoundException} above the head or on an empty store.
   *
   * @throws IllegalArgumentException if {@code height} is not positive or too far below the tail
   */
  public CompletableFuture<H> getByHeight(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("height must be positive, got " + height);
    }
    Optional<H> stored = store.getByHeight(height);
    if (stored.isPresent()) {
      return CompletableFuture.completedFuture(stored.get());
    }
    Optional<H> t = store.tail();
    if (t.isEmpty() || height > store.height() || anchor != null) {
      return CompletableFuture.failedFuture(new io.headersync.store.HeaderNotFoundException("height " + height
          + " is not stored (the store holds " + t.map(x -> "[" + x.height() + ", " + store.height() + "]")
              .orElse("nothing") + ")"));
    }
    return syncer.fetchBelowTail(height);
  }

  /**
   * The syncer's counters, the tail among them ({@code tailHeight}, {@code headersPruned},
   * {@code headersBackfilled}).
   */
  public SyncMetrics syncMetrics() {
    return syncer.metrics();
  }

  /** Completes when no tail work (pruning, back-fill) is running. */
  public CompletableFuture<Void> tailIdle() {
    return syncer.tailIdle();
  }

  /** The syncer's progress. */
  public SyncState syncState() {
    return syncer.syncState();
  }

  public Store<H> store() {
    return store;
  }

  public P2PClient p2p() {
    return p2p;
  }

  public Exchange<H> exchange() {
    return exchange;
  }

  /** New headers accepted from the topic (ours included), for applications that follow the head. */
  public HeaderSubscription<H> subscribe() {
    return subscriber.subscribe();
  }

  public SubscriberMetrics gossipMetrics() {
    return subscriber.metrics();
  }

  public P2PServer.Stats serverStats() {
    return server.stats();
  }

  /**
   * The histograms of this service's components, under go-header's names: the store's (when it is a
   * {@link RocksDbStore}), the exchange server's and client's, the subscriber's and the syncer's.
   * {@link io.headersync.metrics.NodeMetrics} reads them; an application may too.
   */
  public List<Histogram> histograms() {
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

  public String networkId() {
    return networkId;
  }

  public String topic() {
    return subscriber.topic();
  }

  public String protocolId() {
    return server.protocolId();
  }

  public String chainId() {
    return chainId;
  }

  public Duration blockTime() {
    return blockTime;
  }

  /**
   * The executor the service's verification, store reads and callbacks run on: the builder's
   * {@link Builder#workerExecutor}, or the service's own pool (shut down when the service stops).
   *
   * @return the worker executor, to run work beside the service's (not to shut down)
   */
  public Executor workerExecutor() {
    return workers;
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
    boolean graceful = !failed;
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      Release release = new Release();
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
    }, "headersync-stop-" + networkId);
    t.setDaemon(true);
    t.start();
    return done;
  }

  private boolean isClosing() {
    return stopping || failed;
  }

  /** Releases parts one after the other, keeping the first failure; each failure is a WARN. */
  private final class Release {
    @Nullable Throwable first;

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

  /**
   * The service subscribes so that peers send us the topic; the syncer sees every header through the
   * verifier, so the delivered copies are dropped here, undecoded. Queued messages are taken in a
   * loop (no recursion); the next one is waited for without a thread.
   */
  private static void drain(Subscription sub) {
    CompletableFuture<Message> next;
    while ((next = sub.next()).isDone()) {
      if (next.isCompletedExceptionally()) {
        return; // cancelled: the service stopped
      }
    }
    next.whenComplete((m, e) -> {
      if (e == null) {
        drain(sub);
      }
    });
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return "HeaderSyncService{" + networkId + ", " + type.name() + ", " + state() + "}";
  }

  /** Builds a {@link HeaderSyncService}. */
  public static final class Builder<H extends Header> {
    private final HeaderType<H> type;
    private final String chainId;
    private NetworkProfile profile = NetworkProfile.SEED;
    private SyncKind kind = SyncKind.HEADERS;
    private @Nullable Store<H> store;
    private @Nullable Path storePath;
    private @Nullable P2PConfig p2pConfig;
    private @Nullable P2PClient p2pClient;
    private @Nullable List<PeerId> trustedPeers;
    private @Nullable Duration blockTime;
    private @Nullable Hash trustedHash;
    private long initialHeight = 1;
    private Duration initTimeout = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable ExecutorService workers;
    private Random random = new Random();
    private ServerOptions serverOptions = ServerOptions.defaults();
    private @Nullable ExchangeOptions exchangeOptions;
    private @Nullable SyncerOptions syncerOptions;
    private @Nullable Duration pruningWindow;
    private @Nullable Hash syncFromHash;
    private long syncFromHeight;
    private @Nullable HeaderCheck<H> extraCheck;
    private @Nullable SyncListener<H> listener;
    private @Nullable Anchor<H> anchor;
    private @Nullable FollowerLimit followerLimit;

    private Builder(HeaderType<H> type, String chainId) {
      this.type = Objects.requireNonNull(type, "type == null");
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      if (chainId.isEmpty()) {
        throw new IllegalArgumentException("chainId is empty");
      }
    }

    /** The naming and limits of the network. Default {@link NetworkProfile#SEED}. */
    public Builder<H> profile(NetworkProfile profile) {
      this.profile = Objects.requireNonNull(profile, "profile == null");
      return this;
    }

    /** Headers (default) or block data: picks the names under the profile. */
    public Builder<H> kind(SyncKind kind) {
      this.kind = Objects.requireNonNull(kind, "kind == null");
      return this;
    }

    /** A store the caller owns (e.g. a {@link RocksDbStore} in the node's RocksDB); not closed by the service. */
    public Builder<H> store(Store<H> store) {
      this.store = Objects.requireNonNull(store, "store == null");
      this.storePath = null;
      return this;
    }

    /** An embedded RocksDB at {@code path}, under the profile's prefix, owned by the service. */
    public Builder<H> storePath(Path path) {
      this.storePath = Objects.requireNonNull(path, "path == null");
      this.store = null;
      return this;
    }

    /** Builds and owns a {@link P2PClient} from {@code config}. Default: a random identity on {@link P2PConfig#DEFAULT_LISTEN}. */
    public Builder<H> p2p(P2PConfig config) {
      this.p2pConfig = Objects.requireNonNull(config, "config == null");
      this.p2pClient = null;
      return this;
    }

    /** Uses a client shared with the node's other service; the caller starts and closes it. */
    public Builder<H> p2p(P2PClient client) {
      this.p2pClient = Objects.requireNonNull(client, "client == null");
      this.p2pConfig = null;
      return this;
    }

    /** The exchange's trusted peers. Default: the P2P client's seeds. A sequencer passes none. */
    public Builder<H> trustedPeers(List<PeerId> peers) {
      this.trustedPeers = List.copyOf(peers);
      return this;
    }

    /**
     * The network's block time (required): the syncer treats its head as recent for 3 block times.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder<H> blockTime(Duration blockTime) {
      Objects.requireNonNull(blockTime, "blockTime == null");
      if (blockTime.isZero() || blockTime.isNegative()) {
        throw new IllegalArgumentException("blockTime must be positive, got " + blockTime + " (the syncer's recency "
            + "check and its tail estimate, trusting period / block time, need the chain's real block time)");
      }
      this.blockTime = blockTime;
      return this;
    }

    /** Initialise an empty store from the header with this hash, fetched from the trusted peers. */
    public Builder<H> trustedHash(Hash hash) {
      this.trustedHash = Objects.requireNonNull(hash, "trustedHash == null");
      return this;
    }

    /** The chain's first height (genesis {@code InitialHeight}). Default 1. */
    public Builder<H> initialHeight(long height) {
      if (height < 1) {
        throw new IllegalArgumentException("initialHeight must be at least 1, got " + height);
      }
      this.initialHeight = height;
      return this;
    }

    /** How long initialisation from peers may take before the service fails. Default 30 s (ev-node's). */
    public Builder<H> initTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("initTimeout must be positive, got " + timeout);
      }
      this.initTimeout = timeout;
      return this;
    }

    public Builder<H> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /** Timers (retries, timeouts, seed re-dials). Default: a daemon thread owned by the service. */
    public Builder<H> scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /** Verification, store reads and callbacks. Default: a pool of one thread per core (at least 2), owned. */
    public Builder<H> workerExecutor(ExecutorService workers) {
      this.workers = Objects.requireNonNull(workers, "workers == null");
      return this;
    }

    public Builder<H> random(Random random) {
      this.random = Objects.requireNonNull(random, "random == null");
      return this;
    }

    public Builder<H> serverOptions(ServerOptions options) {
      this.serverOptions = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /** Default: the exchange defaults with the profile's frame limit. */
    public Builder<H> exchangeOptions(ExchangeOptions options) {
      this.exchangeOptions = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Default: the syncer defaults with {@link #blockTime} and the profile's trusting period and
     * pruning window. {@link #pruningWindow}, {@link #syncFromHash} and {@link #syncFromHeight}
     * apply on top of these options.
     */
    public Builder<H> syncerOptions(SyncerOptions options) {
      this.syncerOptions = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * How far behind the head's time the store keeps headers; older ones are pruned as the head
     * advances (go-header's {@code PruningWindow}). Default: the profile's ({@link NetworkProfile#pruningWindow()}:
     * 337 h for {@code SEED}, 99 years for {@code EVNODE}). Zero keeps every header (then set
     * {@link #syncFromHash} or {@link #syncFromHeight}).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder<H> pruningWindow(Duration window) {
      Objects.requireNonNull(window, "pruningWindow == null");
      if (window.isNegative()) {
        throw new IllegalArgumentException("pruningWindow must not be negative, got " + window);
      }
      this.pruningWindow = window;
      return this;
    }

    /**
     * The store's tail is the header with this hash (go-header's {@code SyncFromHash}): an empty store
     * starts there, a restart with another hash prunes up to it or back-fills down to it. Wins over
     * {@link #syncFromHeight}; pins the tail (no pruning).
     */
    public Builder<H> syncFromHash(Hash hash) {
      Objects.requireNonNull(hash, "syncFromHash == null");
      if (hash.isEmpty()) {
        throw new IllegalArgumentException("syncFromHash is empty");
      }
      this.syncFromHash = hash;
      return this;
    }

    /**
     * The store's tail is the header at this height (go-header's {@code SyncFromHeight}), as
     * {@link #syncFromHash}; pins the tail (no pruning).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder<H> syncFromHeight(long height) {
      if (height < 1) {
        throw new IllegalArgumentException("syncFromHeight must be at least 1, got " + height);
      }
      this.syncFromHeight = height;
      return this;
    }

    /** The syncer's options: given or defaults, with the tail settings on top. */
    private SyncerOptions syncerOptions() {
      SyncerOptions.Builder sb = syncerOptions != null ? syncerOptions.toBuilder()
          : SyncerOptions.builder(Objects.requireNonNull(blockTime, "blockTime")).trustingPeriod(profile.trustingPeriod())
              .pruningWindow(profile.pruningWindow());
      if (pruningWindow != null) {
        sb.pruningWindow(pruningWindow);
      }
      if (syncFromHash != null) {
        sb.syncFromHash(syncFromHash);
      }
      if (syncFromHeight > 0) {
        sb.syncFromHeight(syncFromHeight);
      }
      return sb.build();
    }

    /**
     * A check every header must pass before it is stored, run in parallel on the worker executor,
     * the initial header fetched from peers included; it throws a {@link VerifyException} to refuse
     * one. For ev-node headers, {@code ProposerCheck.of(sequencerSigner)} pins the sequencer's key.
     */
    public Builder<H> extraCheck(HeaderCheck<H> check) {
      this.extraCheck = Objects.requireNonNull(check, "check == null");
      return this;
    }

    /**
     * Follows {@code anchor} (another service's store of verified headers) instead of the network
     * head: "data follows headers". The syncer's target is the anchor's head, every header stored
     * must match the anchor header at its height, gossip arriving before its anchor header waits for
     * it (bounded), and an empty store is initialised at the anchor's tail. {@link
     * io.headersync.evnode.EvNodeSync} anchors the data service of full nodes and sequencers on the
     * header store. Starting fails when the store's head is above the anchor's.
     */
    public Builder<H> anchor(Anchor<H> anchor) {
      this.anchor = Objects.requireNonNull(anchor, "anchor == null");
      return this;
    }

    /**
     * Holds this service's catch-up back so that the store attached to {@code limit} (another
     * service following this one, e.g. block data following headers) stays within its lead. {@link
     * io.headersync.evnode.EvNodeSync} does this on full nodes: data never trails headers by more than
     * two range batches while both catch up.
     */
    public Builder<H> followerLimit(FollowerLimit limit) {
      this.followerLimit = Objects.requireNonNull(limit, "limit == null");
      return this;
    }

    public Builder<H> listener(SyncListener<H> listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Builds the service: opens the store and builds the P2P client (when the service owns them),
     * starts nothing. A build that fails releases what it opened.
     *
     * @return the service, {@link State#NEW}
     * @throws NullPointerException if the block time is missing
     * @throws io.headersync.store.StoreException if the store at {@link #storePath} cannot be opened
     */
    public HeaderSyncService<H> build() {
      Objects.requireNonNull(blockTime, "blockTime is required (the network's block time)");
      Threads threads = new Threads(scheduler, workers);
      try {
        return new HeaderSyncService<>(this, threads);
      } catch (RuntimeException | Error e) {
        threads.shutDown();
        throw e;
      }
    }
  }
}
