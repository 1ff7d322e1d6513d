package io.headersync.evnode;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderType;
import io.headersync.annotation.Nullable;
import io.headersync.internal.Futures;
import io.headersync.lifecycle.AbstractService;
import io.headersync.lifecycle.Service;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.service.P2PClient;
import io.headersync.service.P2PConfig;
import io.headersync.sync.Anchor;
import io.headersync.sync.FollowerLimit;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync side of an ev-node-compatible node in one object: a {@link P2PClient} shared by a {@link
 * HeaderSyncService} of {@link P2PSignedHeader}s and, except on a light node, one of {@link
 * P2PData}, as ev-node wires its header and data sync services.
 *
 * <pre>{@code
 * try (EvNodeSync node = EvNodeSync.builder("gm")
 *     .role(EvNodeSync.Role.FULL)
 *     .profile(NetworkProfile.EVNODE)
 *     .p2p(P2PConfig.builder().seeds("/ip4/10.0.0.1/tcp/7676/p2p/12D3KooW...").build())
 *     .dataDir(Path.of("data"))                  // RocksDB stores in data/headers and data/data
 *     .blockTime(Duration.ofSeconds(1))
 *     .build()) {
 *   node.start().get();
 *   node.awaitHeight(1000).get();                // headers and data
 * }
 * }</pre>
 *
 * <h2>Roles</h2>
 *
 * A {@link Role#SEQUENCER} has no trusted peers: its first {@link #publish published} block
 * initialises its stores (or it resumes from them). {@link Role#FULL} and {@link Role#LIGHT} nodes
 * initialise from the P2P client's seeds (their trusted peers): from the store head, else from
 * {@link Builder#trustedHash}, else from the genesis height.
 *
 * <h2>Lifecycle</h2>
 *
 * A {@link Service}, with {@link AbstractService}'s one state machine. {@link #start()} starts the
 * P2P client (when the node owns it), then the header service, then the data service. If a step
 * fails, what was built is stopped and the start future fails with a {@link HeaderSyncException}
 * naming the step; the node is then {@link Service.State#FAILED}. A service that fails while the
 * node runs (e.g. its store failed a write) fails the node the same way, naming that service.
 * {@link #stop()} is asynchronous and idempotent: it stops the data service, then the header
 * service (each drains and flushes its store), then the P2P client (when owned), without blocking
 * the caller, so it may be called from any thread, the services' included; its future fails with
 * the first part that failed to stop. A stop while starting ends the start (the start future fails
 * with a {@link ServiceStoppedException}); a stopped node does not start again.
 *
 * <p>As with {@link HeaderSyncService}, a node built with {@link Builder#p2p(P2PConfig)} owns its
 * client; one built with {@link Builder#p2p(P2PClient)} shares it: the caller starts the client
 * before {@link #start()} and stops it after {@link #stop()}.
 *
 * <p>Thread-safe. The lifecycle futures complete on the header service's worker executor.
 *
 * <p>Longer than most classes (about 700 lines): the builder documents each setting of an ev-node
 * node, a third of the file.
 *
 * <p>Why ~850 lines: a third is the Javadoc of the one entry point for a whole ev-node node's sync
 * side (roles, proposer pinning, the shared P2P client, the data service) and of its builder; the
 * rest is the composite's wiring, start and stop, while the syncing lives in the two services.
 */
public final class EvNodeSync extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(EvNodeSync.class);

  /** What a node does. */
  public enum Role {
    /**
     * Produces blocks: headers and data, no trusted peers; {@link EvNodeSync#publish} writes and
     * gossips them.
     */
    SEQUENCER,
    /** Follows headers and data, initialised from the seeds. */
    FULL,
    /** Follows headers only (no data service), initialised from the seeds. */
    LIGHT;

    /**
     * Whether the node runs a data service next to its header service.
     *
     * @return false for {@link #LIGHT} only
     */
    public boolean syncsData() {
      return this != LIGHT;
    }
  }

  /** How far a full node's headers may run ahead of its data during catch-up: two range batches. */
  public static final long DATA_MAX_LAG = 128;

  private final String chainId;
  private final Role role;
  private final NetworkProfile profile;
  private final Clock clock;
  private final P2PClient p2p;
  private final boolean ownsP2P;
  private final HeaderSyncService<P2PSignedHeader> headers;
  private final @Nullable HeaderSyncService<P2PData> data;

  /**
   * The future {@link #doStart()} returned: completed by the start, or early by a stop or a
   * failure.
   */
  private final CompletableFuture<Void> starting = new CompletableFuture<>();

  /** A stop was requested or the node failed: failures of the parts are not reported again. */
  private volatile boolean ending;

  private EvNodeSync(Builder b, Duration blockTime, CallbackExecutor callbacks) {
    super(name(b.role, b.chainId), callbacks);
    this.chainId = b.chainId;
    this.role = b.role;
    this.profile = b.profile;
    this.clock = b.clock;
    this.ownsP2P = b.p2pClient == null;
    this.p2p =
        b.p2pClient != null
            ? b.p2pClient
            : P2PClient.create(
                b.p2pConfig != null ? b.p2pConfig : P2PConfig.builder().build(),
                b.profile.maxPubsubMessageSize(),
                b.scheduler,
                b.workers,
                b.clock,
                b.chainId);
    HeaderSyncService<P2PSignedHeader> h = null;
    try {
      HeaderSyncService.Builder<P2PSignedHeader> hb =
          service(
              b,
              blockTime,
              EvNodeTypes.P2P_SIGNED_HEADER,
              SyncKind.HEADERS,
              "headers",
              b.trustedHash);
      if (b.proposer != null) {
        hb.extraCheck(ProposerCheck.of(b.proposer));
      } else if (b.genesis != null) {
        hb.extraCheck(ProposerCheck.ofAddress(b.genesis.proposerAddress()));
      }
      // A full node's headers wait for its data to stay within two range batches of them.
      FollowerLimit dataLimit =
          role == Role.FULL ? new FollowerLimit(DATA_MAX_LAG, Duration.ofSeconds(10)) : null;
      if (dataLimit != null) {
        hb.followerLimit(dataLimit);
      }
      if (b.syncFromHeight != 0) {
        hb.syncFromHeight(b.syncFromHeight);
      }
      if (b.pruningWindow != null) {
        hb.pruningWindow(b.pruningWindow);
      }
      h = hb.build();
      // Data follows headers: checked against the verified header at its height, fetched in
      // parallel
      // with the headers up to the header syncer's target, appended once its header is stored (no
      // bifurcation, which ev-node's data cannot support).
      HeaderSyncService<P2PSignedHeader> headerService = h;
      Anchor<P2PData> anchor = Anchor.of(h.store(), EvNodeTypes.DATA_MATCHES_HEADER);
      if (role == Role.FULL) {
        anchor = anchor.withHorizon(() -> headerService.syncState().toHeight());
      }
      this.data =
          role.syncsData()
              ? service(b, blockTime, EvNodeTypes.P2P_DATA, SyncKind.DATA, "data", null)
                  .anchor(anchor)
                  .build()
              : null;
      if (dataLimit != null && data != null) {
        dataLimit.attach(data.store());
      }
    } catch (RuntimeException e) {
      // A store that cannot be opened: close what was built.
      try {
        if (h != null) {
          h.close();
        }
        if (ownsP2P) {
          p2p.close();
        }
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.headers = h;
    callbacks.delegate = h.workerExecutor();
  }

  private static String name(Role role, String chainId) {
    return role.name().toLowerCase(java.util.Locale.ROOT) + " node of " + chainId;
  }

  /**
   * The node's callback executor: the header service's worker executor, known once that service is
   * built (before, the calling thread; nothing completes before).
   */
  private static final class CallbackExecutor implements Executor {
    volatile Executor delegate = Runnable::run;

    @Override
    public void execute(Runnable task) {
      delegate.execute(task);
    }
  }

  private <H extends Header> HeaderSyncService.Builder<H> service(
      Builder b,
      Duration blockTime,
      HeaderType<H> type,
      SyncKind kind,
      String dir,
      @Nullable Hash trustedHash) {
    HeaderSyncService.Builder<H> sb =
        HeaderSyncService.builder(type, chainId)
            .profile(b.profile)
            .kind(kind)
            .p2p(p2p)
            .blockTime(blockTime)
            .clock(b.clock)
            .random(new Random(b.random.nextLong()));
    if (b.workers != null) {
      sb.workerExecutor(b.workers);
    }
    if (b.scheduler != null) {
      sb.scheduler(b.scheduler);
    }
    if (b.dataDir != null) {
      sb.storePath(b.dataDir.resolve(dir));
    }
    if (b.initTimeout != null) {
      sb.initTimeout(b.initTimeout);
    }
    if (role == Role.SEQUENCER) {
      sb.trustedPeers(List.of());
    }
    if (trustedHash != null) {
      sb.trustedHash(trustedHash);
    }
    if (b.genesis != null) {
      sb.initialHeight(b.genesis.initialHeight());
    }
    return sb;
  }

  /**
   * A builder for a node of chain {@code chainId}.
   *
   * @param chainId the chain id every header and block must carry
   * @return a new builder; {@link Builder#blockTime} is required
   * @throws IllegalArgumentException if {@code chainId} is empty
   */
  public static Builder builder(String chainId) {
    return new Builder(chainId);
  }

  /**
   * Starts the P2P client (when owned), the header service, then the data service. Completes when
   * every service runs (see {@link HeaderSyncService#start()}); fails with a {@link
   * HeaderSyncException} naming the step that failed.
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    // The services register their protocols after the host started: identify push tells the peers.
    step("P2P start", () -> ownsP2P ? p2p.start() : CompletableFuture.completedFuture(null))
        .thenCompose(v -> step("header service start", headers::start))
        .thenCompose(
            v ->
                data == null
                    ? CompletableFuture.<Void>completedFuture(null)
                    : step("data service start", data::start))
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                watch(headers, "header service");
                if (data != null) {
                  watch(data, "data service");
                }
                starting.complete(null);
              } else if (ending) {
                starting.complete(
                    null); // stopped while starting: the stop settles the start future
              } else {
                Throwable cause = unwrap(e);
                ending = true;
                log.error("{}", cause.getMessage());
                starting.completeExceptionally(cause);
              }
            });
    return starting;
  }

  /**
   * A stop while starting: the start ends now; the stop then stops the services, which end their
   * starts.
   */
  @Override
  protected void cancelStart() {
    ending = true;
    starting.complete(null);
  }

  /** Fails the node when {@code service} fails while the node runs. */
  private void watch(HeaderSyncService<?> service, String what) {
    service
        .terminated()
        .thenRun(
            () ->
                service
                    .failure()
                    .ifPresent(
                        cause -> {
                          if (ending) {
                            return;
                          }
                          ending = true;
                          HeaderSyncException e =
                              new HeaderSyncException(
                                  this + ": " + what + " failed: " + message(cause), cause);
                          log.error("{}", e.getMessage());
                          notifyFailed(e);
                          starting.completeExceptionally(e);
                        }));
  }

  private CompletableFuture<Void> step(String what, Supplier<CompletableFuture<Void>> step) {
    return Futures.call(step)
        .handle(
            (v, e) -> {
              if (e != null) {
                Throwable cause = unwrap(e);
                String message = this + ": " + what + " failed: " + message(cause);
                throw new CompletionException(new HeaderSyncException(message, cause));
              }
              return null;
            });
  }

  /**
   * The sequencer's path: writes the block's header through the header service's {@link
   * HeaderSyncService#writeToStoreAndBroadcast}, then its data through the data service's.
   * Completes once both are stored and handed to the peers; fails with a {@link
   * HeaderSyncException} saying which part failed (its cause is the service's error, e.g. an {@link
   * IllegalStateException} when the node is not running).
   *
   * @param block the next block after the stored head, of this node's chain
   * @return completes when the header and the data were stored and handed to the peers
   * @throws IllegalStateException if this node is not a {@link Role#SEQUENCER}
   * @throws IllegalArgumentException if the block is of another chain
   */
  public CompletableFuture<Void> publish(Block block) {
    Objects.requireNonNull(block, "block == null");
    if (role != Role.SEQUENCER || data == null) {
      throw new IllegalStateException(
          this + " is a " + role + " node; only a SEQUENCER publishes blocks");
    }
    if (!block.header().chainId().equals(chainId)) {
      throw new IllegalArgumentException(
          "block "
              + block.height()
              + " is of chain \""
              + block.header().chainId()
              + "\", this node syncs \""
              + chainId
              + "\"");
    }
    checkNext(block);
    HeaderSyncService<P2PData> dataService = data;
    return step(
            "publishing the header of block " + block.height(),
            () -> headers.writeToStoreAndBroadcast(block.p2pHeader()))
        .thenCompose(
            v ->
                step(
                    "publishing the data of block " + block.height(),
                    () -> dataService.writeToStoreAndBroadcast(block.p2pData())))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(unwrap(e)));
  }

  /**
   * The block must be the next one after the stored head (any height for the first block of a
   * node).
   */
  private void checkNext(Block block) {
    Optional<P2PSignedHeader> head = headers.store().head();
    if (head.isEmpty()) {
      return;
    }
    P2PSignedHeader h = head.get();
    if (block.height() != h.height() + 1) {
      throw new BlockRuleException(
          BlockRuleException.Rule.HEIGHT,
          this
              + ": block "
              + block.height()
              + " is not the next block: the stored head is "
              + h.height());
    }
    if (!block.header().lastHeaderHash().equals(h.hash())) {
      throw new BlockRuleException(
          BlockRuleException.Rule.LINK,
          this
              + ": block "
              + block.height()
              + " names last header "
              + block.header().lastHeaderHash()
              + ", the stored head "
              + h.height()
              + " is "
              + h.hash());
    }
  }

  /**
   * A {@link BlockBuilder} for this sequencer that continues after the last block in its stores (or
   * starts at the genesis when they are empty), with this network's gossip size limit. Call after
   * {@link #start()}: the stores are read now.
   *
   * @param genesis the chain's genesis, of this node's chain
   * @param key the sequencer's signing key (the genesis proposer's)
   * @return a block builder positioned after the stored head
   * @throws BlockRuleException if the genesis is of another chain than this node, or (at {@link
   *     BlockBuilder.Builder#build()}) the key is not its proposer
   * @throws IllegalStateException if this node is not a {@link Role#SEQUENCER}, or its stores hold
   *     a header without its data
   */
  public BlockBuilder.Builder blockBuilder(Genesis genesis, SignerKey key) {
    Objects.requireNonNull(genesis, "genesis == null");
    Objects.requireNonNull(key, "key == null");
    if (role != Role.SEQUENCER || data == null) {
      throw new IllegalStateException(
          this + " is a " + role + " node; only a SEQUENCER builds blocks");
    }
    if (!genesis.chainId().equals(chainId)) {
      throw new BlockRuleException(
          BlockRuleException.Rule.CHAIN_ID,
          "the genesis is of chain \""
              + genesis.chainId()
              + "\", this node syncs \""
              + chainId
              + "\"");
    }
    BlockBuilder.Builder b =
        BlockBuilder.builder(genesis, key)
            .clock(clock)
            .maxDataBytes(profile.maxPubsubMessageSize() - BlockBuilder.ENVELOPE_ROOM);
    Optional<P2PSignedHeader> head = headers.store().head();
    if (head.isPresent()) {
      long height = head.get().height();
      P2PData d =
          data.store()
              .getByHeight(height)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          this
                              + ": the stores hold header "
                              + height
                              + " but not its data; publish that block again first"));
      b.after(Block.of(head.get().signedHeader(), d.data()));
    }
    return b;
  }

  /**
   * Completes when the header store, and the data store unless this is a light node, hold {@code
   * height}; fails as {@link io.headersync.store.Store#awaitHeight} does. Cancelling the future
   * stops the wait.
   *
   * @param height the height waited for
   * @return completes when every store this node has holds {@code height}
   * @throws IllegalArgumentException if {@code height} is not positive
   */
  public CompletableFuture<Void> awaitHeight(long height) {
    List<CompletableFuture<?>> parts = new ArrayList<>(2);
    parts.add(headers.store().awaitHeight(height));
    if (data != null) {
      parts.add(data.store().awaitHeight(height));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    all.whenComplete(
        (v, e) -> {
          if (all.isCancelled()) {
            parts.forEach(p -> p.cancel(false)); // frees the stores' waiter slots
          }
        });
    return all;
  }

  /**
   * The header service.
   *
   * @return the header service, always present
   */
  public HeaderSyncService<P2PSignedHeader> headers() {
    return headers;
  }

  /**
   * The data service; empty on a {@link Role#LIGHT} node, which has none.
   *
   * @return the data service, or empty on a light node
   */
  public Optional<HeaderSyncService<P2PData>> data() {
    return Optional.ofNullable(data);
  }

  /**
   * The P2P client the services share (owned or the caller's).
   *
   * @return the P2P client
   */
  public P2PClient p2p() {
    return p2p;
  }

  /**
   * What this node does.
   *
   * @return the role given to the builder
   */
  public Role role() {
    return role;
  }

  /**
   * The chain this node syncs.
   *
   * @return the chain id given to {@link #builder(String)}
   */
  public String chainId() {
    return chainId;
  }

  /**
   * Stops the data service, then the header service, then the P2P client (when owned), each once
   * the one before stopped; every part is stopped, and the future fails with the first failure.
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    ending = true;
    List<Supplier<CompletableFuture<Void>>> parts = new ArrayList<>(3);
    if (data != null) {
      parts.add(data::stop);
    }
    parts.add(headers::stop);
    if (ownsP2P) {
      parts.add(p2p::stop);
    }
    return Futures.stopInOrder(parts);
  }

  private static String message(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  @Override
  public String toString() {
    return name();
  }

  /** Builds an {@link EvNodeSync}. Not thread-safe. */
  public static final class Builder {
    private final String chainId;
    private Role role = Role.FULL;
    private NetworkProfile profile = NetworkProfile.SEED;
    private @Nullable P2PConfig p2pConfig;
    private @Nullable P2PClient p2pClient;
    private @Nullable Path dataDir;
    private @Nullable Duration blockTime;
    private @Nullable Duration initTimeout;
    private @Nullable Hash trustedHash;
    private long syncFromHeight;
    private @Nullable Duration pruningWindow;
    private @Nullable Signer proposer;
    private @Nullable Genesis genesis;
    private Clock clock = Clock.systemUTC();
    private Random random = new Random();
    private @Nullable ExecutorService workers;
    private @Nullable ScheduledExecutorService scheduler;

    private Builder(String chainId) {
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      if (chainId.isEmpty()) {
        throw new IllegalArgumentException("chainId is empty");
      }
    }

    /**
     * What the node does. Default {@link Role#FULL}.
     *
     * @param role the role
     * @return this builder
     */
    public Builder role(Role role) {
      this.role = Objects.requireNonNull(role, "role == null");
      return this;
    }

    /**
     * The naming and limits of the network. Default {@link NetworkProfile#SEED}, as {@link
     * HeaderSyncService}.
     *
     * @param profile the network profile (topic, protocol and store names; message and frame
     *     limits; trusting period and pruning window)
     * @return this builder
     */
    public Builder profile(NetworkProfile profile) {
      this.profile = Objects.requireNonNull(profile, "profile == null");
      return this;
    }

    /**
     * Builds and owns a {@link P2PClient} from {@code config}; its seeds are the trusted peers of a
     * full or light node. Default: a random identity on {@link P2PConfig#DEFAULT_LISTEN}.
     *
     * @param config the client's configuration
     * @return this builder; replaces a client given to {@link #p2p(P2PClient)}
     */
    public Builder p2p(P2PConfig config) {
      this.p2pConfig = Objects.requireNonNull(config, "config == null");
      this.p2pClient = null;
      return this;
    }

    /**
     * Uses a client the caller owns (e.g. shared with other protocols of the node): the caller
     * starts it before {@link EvNodeSync#start()} and closes it after {@link EvNodeSync#stop()}.
     *
     * @param client the caller's client
     * @return this builder; replaces a configuration given to {@link #p2p(P2PConfig)}
     */
    public Builder p2p(P2PClient client) {
      this.p2pClient = Objects.requireNonNull(client, "client == null");
      this.p2pConfig = null;
      return this;
    }

    /**
     * Keeps the stores in RocksDB under {@code dir}: headers in {@code dir/headers}, data in {@code
     * dir/data} (each under the profile's prefix). Default: in memory, lost on stop.
     *
     * @param dir the node's data directory
     * @return this builder
     */
    public Builder dataDir(Path dir) {
      this.dataDir = Objects.requireNonNull(dir, "dataDir == null");
      return this;
    }

    /**
     * The network's block time (required).
     *
     * @param blockTime the block time, positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder blockTime(Duration blockTime) {
      Objects.requireNonNull(blockTime, "blockTime == null");
      if (blockTime.isZero() || blockTime.isNegative()) {
        throw new IllegalArgumentException("blockTime must be positive, got " + blockTime);
      }
      this.blockTime = blockTime;
      return this;
    }

    /**
     * How long each service may take to initialise from peers. Default 30 s (ev-node's).
     *
     * @param timeout the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder initTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "initTimeout == null");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("initTimeout must be positive, got " + timeout);
      }
      this.initTimeout = timeout;
      return this;
    }

    /**
     * A light node keeps headers from this height on (go-header's {@code SyncFromHeight}): an empty
     * store starts there (from {@link #trustedHash} when one is set, which is then followed at
     * once, back-filling down to this height in the background), and a restart with a lower height
     * back-fills down to it. Light nodes only: a full node executes every block from genesis.
     *
     * @param height the lowest height kept, at least 1
     * @return this builder; {@link #build()} refuses it for a node that is not {@link Role#LIGHT}
     * @throws IllegalArgumentException if below 1
     */
    public Builder syncFromHeight(long height) {
      if (height < 1) {
        throw new IllegalArgumentException("syncFromHeight must be at least 1, got " + height);
      }
      this.syncFromHeight = height;
      return this;
    }

    /**
     * A light node keeps headers no older than this behind the head's time, pruning older ones as
     * the head advances (go-header's {@code PruningWindow}). Default: the profile's (337 h for
     * {@code SEED}, 99 years, so nothing pruned, for {@code EVNODE}). A tail pinned by {@link
     * #syncFromHeight} wins over it, as in go-header. Light nodes only: a full node's data follows
     * its headers from genesis and it executes every block.
     *
     * @param window how far behind the head's time headers are kept, positive
     * @return this builder; {@link #build()} refuses it for a node that is not {@link Role#LIGHT}
     * @throws IllegalArgumentException if not positive
     */
    public Builder pruningWindow(Duration window) {
      Objects.requireNonNull(window, "pruningWindow == null");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("pruningWindow must be positive, got " + window);
      }
      this.pruningWindow = window;
      return this;
    }

    /**
     * A full or light node with empty stores initialises its header store from this header, fetched
     * from the seeds.
     *
     * @param hash the hash of the header to start from
     * @return this builder; {@link #build()} refuses it for a {@link Role#SEQUENCER}
     */
    public Builder trustedHash(Hash hash) {
      this.trustedHash = Objects.requireNonNull(hash, "trustedHash == null");
      return this;
    }

    /**
     * Pins the sequencer: every header the node accepts (the initial one included) must carry this
     * signer's public key and a valid Ed25519 signature ({@link ProposerCheck}), checked in
     * parallel on the worker pool. go-header and ev-node do not check signatures at this layer; a
     * light node that knows the sequencer's key should. Unset: no signature check.
     *
     * @param sequencer the sequencer's signer, with its public key
     * @return this builder
     * @throws IllegalArgumentException if the signer has no public key
     */
    public Builder proposer(Signer sequencer) {
      Objects.requireNonNull(sequencer, "proposer == null");
      ProposerCheck.of(sequencer); // fails now, not at build(), for a signer without a key
      this.proposer = sequencer;
      return this;
    }

    /**
     * The chain's genesis (e.g. {@link Genesis#read} of ev-node's {@code genesis.json}): a full or
     * light node initialises from the block at its initial height, and every header must be signed
     * by its proposer (a {@link ProposerCheck} by address, unless {@link #proposer} pins the key).
     * Its chain id must be this node's.
     *
     * @param genesis the chain's genesis
     * @return this builder
     */
    public Builder genesis(Genesis genesis) {
      this.genesis = Objects.requireNonNull(genesis, "genesis == null");
      return this;
    }

    /**
     * The services' clock (and the owned P2P client's). Default the system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Seeds the services' randomness (peer choice); each service draws its seed at {@link
     * #build()}.
     *
     * @param random the source of the services' seeds
     * @return this builder
     */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random == null");
      return this;
    }

    /**
     * The node's worker pool: both services' verification, store reads and callbacks, the node's
     * own futures, and (when the node builds its P2P client) the host's user executor, so every
     * part of the node runs its work there (see "Threads" in {@code docs/architecture.md}).
     * Default: each service owns a pool (one thread per core, at least two) and the host its own.
     * Give it at least two threads; the node never shuts it down.
     *
     * @param workers the worker pool, not shut down by the node
     * @return this builder
     * @throws NullPointerException if {@code workers} is null
     */
    public Builder workerExecutor(ExecutorService workers) {
      this.workers = Objects.requireNonNull(workers, "workers == null");
      return this;
    }

    /**
     * The node's timers (retries, timeouts, seed re-dials) for both services and, when the node
     * builds its P2P client, the client's. Default: each owns a daemon thread.
     *
     * @param scheduler the scheduler, not shut down by the node
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * Builds the node (stores are opened, nothing is started).
     *
     * @return the node, not started
     * @throws IllegalStateException if the block time is missing, or a trusted hash is given to a
     *     sequencer
     * @throws io.headersync.store.StoreException if a store under {@link #dataDir} cannot be opened
     */
    public EvNodeSync build() {
      if (blockTime == null) {
        throw new IllegalStateException(
            "blockTime is required: call blockTime(Duration) with the network's block time");
      }
      if (trustedHash != null && role == Role.SEQUENCER) {
        throw new IllegalStateException(
            "trustedHash is for FULL and LIGHT nodes: a SEQUENCER initialises its "
                + "stores from the first block it publishes");
      }
      if (syncFromHeight != 0 && role != Role.LIGHT) {
        throw new IllegalStateException(
            "syncFromHeight is for LIGHT nodes: a "
                + role
                + " node keeps every block "
                + "from genesis");
      }
      if (pruningWindow != null && role != Role.LIGHT) {
        throw new IllegalStateException(
            "pruningWindow is for LIGHT nodes: a "
                + role
                + " node keeps every block "
                + "from genesis");
      }
      if (genesis != null && !genesis.chainId().equals(chainId)) {
        throw new IllegalStateException(
            "the genesis is of chain \""
                + genesis.chainId()
                + "\", this node syncs \""
                + chainId
                + "\"");
      }
      if (genesis != null && proposer != null && !genesis.isProposer(proposer)) {
        throw new IllegalStateException("the proposer key given is not the genesis proposer");
      }
      return new EvNodeSync(this, blockTime, new CallbackExecutor());
    }
  }
}
