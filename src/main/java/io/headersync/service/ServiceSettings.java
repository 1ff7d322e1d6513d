package io.headersync.service;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.ServerOptions;
import io.headersync.libp2p.PeerId;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import io.headersync.sync.Anchor;
import io.headersync.sync.FollowerLimit;
import io.headersync.sync.HeaderCheck;
import io.headersync.sync.SyncListener;
import io.headersync.sync.SyncerOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The settings of a {@link HeaderSyncService}, their defaults, their validation and their setters:
 * the body of {@link HeaderSyncService.Builder}, which adds only {@link
 * HeaderSyncService.Builder#build()} (kept apart so that {@code HeaderSyncService} stays one
 * concern, as {@code PubSub.Builder}'s settings are; the setters are public and documented as
 * {@code HeaderSyncService.Builder}'s). {@link ServiceParts} reads the fields when it wires the
 * parts. Not thread-safe: one thread sets a builder up and builds.
 *
 * @param <H> the header type
 */
abstract class ServiceSettings<H extends Header> {
  final HeaderType<H> type;
  final String chainId;
  NetworkProfile profile = NetworkProfile.SEED;
  SyncKind kind = SyncKind.HEADERS;
  @Nullable Store<H> store;
  @Nullable Path storePath;
  @Nullable P2PConfig p2pConfig;
  @Nullable P2PClient p2pClient;
  @Nullable List<PeerId> trustedPeers;
  @Nullable Duration blockTime;
  @Nullable Hash trustedHash;
  long initialHeight = 1;
  Duration initTimeout = Duration.ofSeconds(30);
  Clock clock = Clock.systemUTC();
  @Nullable ScheduledExecutorService scheduler;
  @Nullable ExecutorService workers;
  Random random = new Random();
  ServerOptions serverOptions = ServerOptions.defaults();
  @Nullable ExchangeOptions exchangeOptions;
  @Nullable SyncerOptions syncerOptions;
  @Nullable Duration pruningWindow;
  @Nullable Hash syncFromHash;
  long syncFromHeight;
  @Nullable HeaderCheck<H> extraCheck;
  @Nullable SyncListener<H> listener;
  @Nullable Anchor<H> anchor;
  @Nullable FollowerLimit followerLimit;

  ServiceSettings(HeaderType<H> type, String chainId) {
    this.type = Objects.requireNonNull(type, "type == null");
    this.chainId = Objects.requireNonNull(chainId, "chainId == null");
    if (chainId.isEmpty()) {
      throw new IllegalArgumentException("chainId is empty");
    }
  }

  /** This builder, as the type the setters return. */
  abstract HeaderSyncService.Builder<H> self();

  /**
   * The naming and limits of the network. Default {@link NetworkProfile#SEED}.
   *
   * @param profile the profile that names the topic, protocol and store prefix and sets the limits
   * @return this builder
   * @throws NullPointerException if {@code profile} is null
   */
  public HeaderSyncService.Builder<H> profile(NetworkProfile profile) {
    this.profile = Objects.requireNonNull(profile, "profile == null");
    return self();
  }

  /**
   * Headers (default) or block data: picks the names under the profile.
   *
   * @param kind what the service syncs
   * @return this builder
   * @throws NullPointerException if {@code kind} is null
   */
  public HeaderSyncService.Builder<H> kind(SyncKind kind) {
    this.kind = Objects.requireNonNull(kind, "kind == null");
    return self();
  }

  /**
   * A store the caller owns (e.g. a {@link RocksDbStore} in the node's RocksDB); not closed by the
   * service. Replaces a {@link #storePath}. Default: an {@link InMemoryStore}.
   *
   * @param store the store, not closed by the service
   * @return this builder
   * @throws NullPointerException if {@code store} is null
   */
  public HeaderSyncService.Builder<H> store(Store<H> store) {
    this.store = Objects.requireNonNull(store, "store == null");
    this.storePath = null;
    return self();
  }

  /**
   * An embedded RocksDB at {@code path}, under the profile's prefix, owned by the service: {@link
   * HeaderSyncService.Builder#build} opens it, stopping the service closes it. Replaces a {@link
   * #store}.
   *
   * @param path the RocksDB directory
   * @return this builder
   * @throws NullPointerException if {@code path} is null
   */
  public HeaderSyncService.Builder<H> storePath(Path path) {
    this.storePath = Objects.requireNonNull(path, "path == null");
    this.store = null;
    return self();
  }

  /**
   * Builds and owns a {@link P2PClient} from {@code config}: the service starts and stops it.
   * Default: a random identity on {@link P2PConfig#DEFAULT_LISTEN}.
   *
   * @param config the P2P client's configuration
   * @return this builder
   * @throws NullPointerException if {@code config} is null
   */
  public HeaderSyncService.Builder<H> p2p(P2PConfig config) {
    this.p2pConfig = Objects.requireNonNull(config, "config == null");
    this.p2pClient = null;
    return self();
  }

  /**
   * Uses a client shared with the node's other service; the caller starts and closes it.
   *
   * @param client the shared client
   * @return this builder
   * @throws NullPointerException if {@code client} is null
   */
  public HeaderSyncService.Builder<H> p2p(P2PClient client) {
    this.p2pClient = Objects.requireNonNull(client, "client == null");
    this.p2pConfig = null;
    return self();
  }

  /**
   * The exchange's trusted peers, the ones the service initialises from. Default: the P2P client's
   * seeds. A sequencer passes none.
   *
   * @param peers the trusted peers, copied
   * @return this builder
   * @throws NullPointerException if {@code peers} or one of them is null
   */
  public HeaderSyncService.Builder<H> trustedPeers(List<PeerId> peers) {
    this.trustedPeers = List.copyOf(peers);
    return self();
  }

  /**
   * The network's block time (required): the syncer treats its head as recent for 3 block times.
   *
   * @param blockTime the chain's block time
   * @return this builder
   * @throws NullPointerException if {@code blockTime} is null
   * @throws IllegalArgumentException if not positive
   */
  public HeaderSyncService.Builder<H> blockTime(Duration blockTime) {
    Objects.requireNonNull(blockTime, "blockTime == null");
    if (blockTime.isZero() || blockTime.isNegative()) {
      throw new IllegalArgumentException(
          "blockTime must be positive, got "
              + blockTime
              + " (the syncer's recency "
              + "check and its tail estimate, trusting period / block time, need the chain's real block time)");
    }
    this.blockTime = blockTime;
    return self();
  }

  /**
   * Initialise an empty store from the header with this hash, fetched from the trusted peers.
   *
   * @param hash the trusted header's hash
   * @return this builder
   * @throws NullPointerException if {@code hash} is null
   */
  public HeaderSyncService.Builder<H> trustedHash(Hash hash) {
    this.trustedHash = Objects.requireNonNull(hash, "trustedHash == null");
    return self();
  }

  /**
   * The chain's first height (genesis {@code InitialHeight}). Default 1.
   *
   * @param height the first height
   * @return this builder
   * @throws IllegalArgumentException if below 1
   */
  public HeaderSyncService.Builder<H> initialHeight(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("initialHeight must be at least 1, got " + height);
    }
    this.initialHeight = height;
    return self();
  }

  /**
   * How long initialisation from peers may take before the service fails. Default 30 s (ev-node's).
   *
   * @param timeout the limit for the initial fetch, retries included
   * @return this builder
   * @throws IllegalArgumentException if not positive
   */
  public HeaderSyncService.Builder<H> initTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("initTimeout must be positive, got " + timeout);
    }
    this.initTimeout = timeout;
    return self();
  }

  /**
   * The clock of every part: deadlines, retries, the head's recency, the pruning window. Default
   * {@link Clock#systemUTC()}; tests pass a virtual one.
   *
   * @param clock the clock
   * @return this builder
   * @throws NullPointerException if {@code clock} is null
   */
  public HeaderSyncService.Builder<H> clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
    return self();
  }

  /**
   * Timers (retries, timeouts, seed re-dials). Default: a daemon thread owned by the service.
   *
   * @param scheduler the scheduler, not shut down by the service
   * @return this builder
   * @throws NullPointerException if {@code scheduler} is null
   */
  public HeaderSyncService.Builder<H> scheduler(ScheduledExecutorService scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
    return self();
  }

  /**
   * Verification, store reads and callbacks. Default: a pool of one thread per core (at least 2),
   * owned.
   *
   * @param workers the worker executor, not shut down by the service
   * @return this builder
   * @throws NullPointerException if {@code workers} is null
   */
  public HeaderSyncService.Builder<H> workerExecutor(ExecutorService workers) {
    this.workers = Objects.requireNonNull(workers, "workers == null");
    return self();
  }

  /**
   * The exchange's randomness (which peer to ask). Default a new {@link Random}; tests pass a
   * seeded one.
   *
   * @param random the source of randomness
   * @return this builder
   * @throws NullPointerException if {@code random} is null
   */
  public HeaderSyncService.Builder<H> random(Random random) {
    this.random = Objects.requireNonNull(random, "random == null");
    return self();
  }

  /**
   * The exchange server's limits and deadlines. Default {@link ServerOptions#defaults()}.
   *
   * @param options the server's options
   * @return this builder
   * @throws NullPointerException if {@code options} is null
   */
  public HeaderSyncService.Builder<H> serverOptions(ServerOptions options) {
    this.serverOptions = Objects.requireNonNull(options, "options == null");
    return self();
  }

  /**
   * The exchange client's options. Default: the exchange defaults with the profile's frame limit.
   *
   * @param options the exchange client's options
   * @return this builder
   * @throws NullPointerException if {@code options} is null
   */
  public HeaderSyncService.Builder<H> exchangeOptions(ExchangeOptions options) {
    this.exchangeOptions = Objects.requireNonNull(options, "options == null");
    return self();
  }

  /**
   * Default: the syncer defaults with {@link #blockTime} and the profile's trusting period and
   * pruning window. {@link #pruningWindow}, {@link #syncFromHash} and {@link #syncFromHeight} apply
   * on top of these options.
   *
   * @param options the syncer's options
   * @return this builder
   * @throws NullPointerException if {@code options} is null
   */
  public HeaderSyncService.Builder<H> syncerOptions(SyncerOptions options) {
    this.syncerOptions = Objects.requireNonNull(options, "options == null");
    return self();
  }

  /**
   * How far behind the head's time the store keeps headers; older ones are pruned as the head
   * advances (go-header's {@code PruningWindow}). Default: the profile's ({@link
   * NetworkProfile#pruningWindow()}: 337 h for {@code SEED}, 99 years for {@code EVNODE}). Zero
   * keeps every header (then set {@link #syncFromHash} or {@link #syncFromHeight}).
   *
   * @param window the pruning window, zero or positive
   * @return this builder
   * @throws NullPointerException if {@code window} is null
   * @throws IllegalArgumentException if negative
   */
  public HeaderSyncService.Builder<H> pruningWindow(Duration window) {
    Objects.requireNonNull(window, "pruningWindow == null");
    if (window.isNegative()) {
      throw new IllegalArgumentException("pruningWindow must not be negative, got " + window);
    }
    this.pruningWindow = window;
    return self();
  }

  /**
   * The store's tail is the header with this hash (go-header's {@code SyncFromHash}): an empty
   * store starts there, a restart with another hash prunes up to it or back-fills down to it. Wins
   * over {@link #syncFromHeight}; pins the tail (no pruning).
   *
   * @param hash the tail header's hash
   * @return this builder
   * @throws NullPointerException if {@code hash} is null
   * @throws IllegalArgumentException if {@code hash} is empty
   */
  public HeaderSyncService.Builder<H> syncFromHash(Hash hash) {
    Objects.requireNonNull(hash, "syncFromHash == null");
    if (hash.isEmpty()) {
      throw new IllegalArgumentException("syncFromHash is empty");
    }
    this.syncFromHash = hash;
    return self();
  }

  /**
   * The store's tail is the header at this height (go-header's {@code SyncFromHeight}), as {@link
   * #syncFromHash}; pins the tail (no pruning).
   *
   * @param height the tail's height
   * @return this builder
   * @throws IllegalArgumentException if below 1
   */
  public HeaderSyncService.Builder<H> syncFromHeight(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("syncFromHeight must be at least 1, got " + height);
    }
    this.syncFromHeight = height;
    return self();
  }

  /**
   * A check every header must pass before it is stored, run in parallel on the worker executor, the
   * initial header fetched from peers included; it throws a {@link VerifyException} to refuse one.
   * For ev-node headers, {@code ProposerCheck.of(sequencerSigner)} pins the sequencer's key.
   *
   * @param check the check, called on worker threads
   * @return this builder
   * @throws NullPointerException if {@code check} is null
   */
  public HeaderSyncService.Builder<H> extraCheck(HeaderCheck<H> check) {
    this.extraCheck = Objects.requireNonNull(check, "check == null");
    return self();
  }

  /**
   * Follows {@code anchor} (another service's store of verified headers) instead of the network
   * head: "data follows headers". The syncer's target is the anchor's head, every header stored
   * must match the anchor header at its height, gossip arriving before its anchor header waits for
   * it (bounded), and an empty store is initialised at the anchor's tail. {@link
   * io.headersync.evnode.EvNodeSync} anchors the data service of full nodes and sequencers on the
   * header store. Starting fails when the store's head is above the anchor's.
   *
   * @param anchor the store this one follows
   * @return this builder
   * @throws NullPointerException if {@code anchor} is null
   */
  public HeaderSyncService.Builder<H> anchor(Anchor<H> anchor) {
    this.anchor = Objects.requireNonNull(anchor, "anchor == null");
    return self();
  }

  /**
   * Holds this service's catch-up back so that the store attached to {@code limit} (another service
   * following this one, e.g. block data following headers) stays within its lead. {@link
   * io.headersync.evnode.EvNodeSync} does this on full nodes: data never trails headers by more
   * than two range batches while both catch up.
   *
   * @param limit the follower's limit on this service's lead
   * @return this builder
   * @throws NullPointerException if {@code limit} is null
   */
  public HeaderSyncService.Builder<H> followerLimit(FollowerLimit limit) {
    this.followerLimit = Objects.requireNonNull(limit, "limit == null");
    return self();
  }

  /**
   * Receives the syncer's progress and metrics callbacks, on the worker executor (see {@link
   * SyncListener}). Default: none.
   *
   * @param listener the listener
   * @return this builder
   * @throws NullPointerException if {@code listener} is null
   */
  public HeaderSyncService.Builder<H> listener(SyncListener<H> listener) {
    this.listener = Objects.requireNonNull(listener, "listener == null");
    return self();
  }
}
