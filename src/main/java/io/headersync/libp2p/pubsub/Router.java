package io.headersync.libp2p.pubsub;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.internal.SerialExecutor;
import io.headersync.libp2p.pubsub.internal.GossipSubRouter;
import io.headersync.libp2p.pubsub.internal.RouterCounters;
import io.headersync.libp2p.pubsub.internal.RouterStrategy;
import io.headersync.libp2p.pubsub.internal.SeenCache;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router of a {@link PubSub}: an actor whose state (our subscriptions, the waiters, and through
 * {@link PeerStreams} and {@link ValidationPipeline} the peers and messages in validation) is
 * touched only by tasks of one serial executor over the router executor. It handles RPCs, routes
 * accepted messages (to our subscriptions and, through the strategy, to peers) and announces our
 * subscriptions. Completions go to the callback executor; a completion it refuses fails the future.
 */
final class Router {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** Topics remembered per peer; further subscriptions of the peer are ignored. */
  static final int MAX_PEER_TOPICS = 1024;

  final Host host;
  final PeerId self;
  final RouterStrategy strategy;
  final @Nullable GossipSubRouter gossip;
  final SeenCache seen;
  final RouterCounters counters;
  final PeerStreams streams;
  final ValidationPipeline validation;
  private final SerialExecutor serial;
  private final Executor callbacks;
  private final ScheduledExecutorService scheduler;
  private final Random random;
  private final int subscriptionCapacity;

  // Router state: touched on the router executor only.
  private final Map<String, List<Subscription>> subscriptions = new LinkedHashMap<>();
  private final List<PeerWaiter> peerWaiters = new ArrayList<>();
  private final List<PeerWaiter> meshWaiters = new ArrayList<>();
  private final List<RpcWaiter> rpcWaiters = new ArrayList<>();
  private boolean closed;

  private record PeerWaiter(String topic, PeerId peer, CompletableFuture<Void> future) {}

  private record RpcWaiter(PeerId peer, long count, CompletableFuture<Void> future) {}

  Router(
      PubSub.Builder b,
      RouterStrategy strategy,
      @Nullable GossipSubRouter gossip,
      SeenCache seen,
      RouterCounters counters,
      ScheduledExecutorService scheduler) {
    this.host = b.host;
    this.self = host.peerId();
    this.strategy = strategy;
    this.gossip = gossip;
    this.seen = seen;
    this.counters = counters;
    this.serial = new SerialExecutor(b.routerExecutor != null ? b.routerExecutor : host.executor());
    this.callbacks = b.callbackExecutor != null ? b.callbackExecutor : host.executor();
    this.scheduler = scheduler;
    this.random = b.random;
    this.subscriptionCapacity = b.subscriptionCapacity;
    this.streams = new PeerStreams(this, b.maxMessageSize, b.peerQueueSize);
    this.validation = new ValidationPipeline(this, b);
  }

  Executor callbacks() {
    return callbacks;
  }

  // ------------------------------------------------------------------ the router executor

  /**
   * Queues {@code task} on the router; false (nothing queued) if the router executor refused it.
   */
  boolean execute(Runnable task) {
    try {
      serial.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      log.trace("router executor refused a task: {}", e.toString());
      return false;
    }
  }

  /** The router as an executor that drops what it refuses, for continuations of network events. */
  Executor dropping() {
    return this::execute;
  }

  /** Queues {@code task}; if the router executor refuses it, {@code f} fails instead. */
  void execute(Runnable task, CompletableFuture<?> f) {
    if (!execute(task)) {
      fail(f, refused("router"));
    }
  }

  static PubSubException closedException() {
    return new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed");
  }

  private static PubSubException refused(String which) {
    return new PubSubException(
        PubSubException.Reason.CLOSED, "the " + which + " executor refused the task");
  }

  boolean closed() {
    return closed;
  }

  // ------------------------------------------------------------------ completions

  /**
   * Completes {@code f} on the callback executor; if it refuses, {@code f} fails on this thread.
   */
  <T> void complete(CompletableFuture<T> f, @Nullable T value) {
    try {
      callbacks.execute(() -> f.complete(value));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(refused("callback"));
    }
  }

  /** Fails {@code f} on the callback executor, or on this thread if it refuses. */
  void fail(CompletableFuture<?> f, Throwable error) {
    try {
      callbacks.execute(() -> f.completeExceptionally(error));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(error);
    }
  }

  /** Answers {@code question} on the router thread. */
  <T> CompletableFuture<T> query(Supplier<T> question) {
    CompletableFuture<T> f = new CompletableFuture<>();
    execute(() -> complete(f, question.get()), f);
    return f;
  }

  // ------------------------------------------------------------------ subscriptions

  /** A subscription of {@code topic}; recorded (and announced if first) on the router thread. */
  Subscription subscribe(String topic) {
    Subscription[] holder = new Subscription[1];
    Subscription sub =
        new Subscription(
            topic,
            subscriptionCapacity,
            callbacks,
            () -> execute(() -> removeSubscription(holder[0])));
    holder[0] = sub;
    boolean queued =
        execute(
            () -> {
              if (closed) {
                sub.terminate();
                return;
              }
              List<Subscription> list =
                  subscriptions.computeIfAbsent(topic, t -> new ArrayList<>());
              list.add(sub);
              if (list.size() == 1) {
                announce(topic, true);
                strategy.join(topic);
                checkMeshWaiters();
              }
            });
    if (!queued) {
      sub.terminate();
    }
    return sub;
  }

  private void removeSubscription(Subscription sub) {
    List<Subscription> list = subscriptions.get(sub.topic());
    if (list == null || !list.remove(sub)) {
      return;
    }
    if (list.isEmpty()) {
      subscriptions.remove(sub.topic());
      announce(sub.topic(), false);
      strategy.leave(sub.topic());
    }
  }

  boolean subscribed(String topic) {
    return subscriptions.containsKey(topic);
  }

  /** The hello RPC of a new outbound stream: every topic we subscribe to. */
  PubsubProto.RPC hello() {
    PubsubProto.RPC.Builder hello = PubsubProto.RPC.newBuilder();
    for (String topic : subscriptions.keySet()) {
      hello.addSubscriptions(
          PubsubProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic));
    }
    return hello.build();
  }

  private void announce(String topic, boolean subscribe) {
    byte[] rpc =
        PubsubProto.RPC
            .newBuilder()
            .addSubscriptions(
                PubsubProto.RPC.SubOpts.newBuilder().setSubscribe(subscribe).setTopicid(topic))
            .build()
            .toByteArray();
    for (PeerId p : streams.readyPeers()) {
      if (!streams.send(p, rpc)) {
        scheduleAnnounceRetry(p, topic, subscribe, rpc);
      }
    }
  }

  /**
   * A (un)subscription that found the peer's queue full is not lost, as Go's {@code announceRetry}
   * does it: after 1–1000 ms, if we still are (not) subscribed, send it to that peer again. Without
   * this a peer that was busy when we subscribed would never learn of it. Bounded: one timer per
   * dropped announcement, and none once the peer or the router is gone.
   */
  private void scheduleAnnounceRetry(PeerId peer, String topic, boolean subscribe, byte[] rpc) {
    long delayMillis = 1L + random.nextInt(1000);
    try {
      scheduler.schedule(
          () ->
              execute(
                  () -> {
                    if (closed
                        || !streams.ready(peer)
                        || subscriptions.containsKey(topic) != subscribe) {
                      return;
                    }
                    if (!streams.send(peer, rpc)) {
                      scheduleAnnounceRetry(peer, topic, subscribe, rpc);
                    }
                  }),
          delayMillis,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.trace("scheduler closed; dropping an announcement retry");
    }
  }

  // ------------------------------------------------------------------ RPCs and routing

  /** An RPC from {@code from} (router thread). */
  void handleRpc(PeerId from, Set<String> peerTopics, PubsubProto.RPC rpc) {
    if (!strategy.acceptFrom(from)) {
      return; // graylisted
    }
    for (PubsubProto.RPC.SubOpts sub : rpc.getSubscriptionsList()) {
      if (!sub.hasTopicid()) {
        continue;
      }
      if (sub.getSubscribe()) {
        if (peerTopics.size() < MAX_PEER_TOPICS) {
          peerTopics.add(sub.getTopicid());
        }
      } else if (peerTopics.remove(sub.getTopicid())) {
        strategy.peerLeft(from, sub.getTopicid());
      }
    }
    if (rpc.getSubscriptionsCount() > 0) {
      checkWaiters();
    }
    for (PubsubProto.Message m : rpc.getPublishList()) {
      validation.incoming(from, m);
    }
    if (rpc.hasControl()) {
      strategy.handleControl(from, rpc.getControl()); // FloodSub ignores control messages
    }
  }

  /** Delivers an accepted message locally and forwards it. */
  void route(PeerId source, PubsubProto.Message wire, Message m) {
    counters.delivered.incrementAndGet();
    for (Subscription s : subscriptions.getOrDefault(m.topic(), List.of())) {
      s.deliver(m);
    }
    Set<PeerId> exclude = new HashSet<>();
    exclude.add(source);
    m.from().ifPresent(exclude::add);
    Set<PeerId> targets = strategy.route(source, wire, m, source.equals(self), exclude);
    if (targets.isEmpty()) {
      return;
    }
    byte[] rpc = PubsubProto.RPC.newBuilder().addPublish(wire).build().toByteArray();
    for (PeerId p : targets) {
      streams.send(p, rpc);
    }
  }

  // ------------------------------------------------------------------ waiters

  /**
   * Adds a waiter for {@code peer} on {@code topic}: ready to receive ({@code mesh} false) or in
   * our mesh.
   */
  CompletableFuture<Void> await(String topic, PeerId peer, boolean mesh) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    execute(
        () -> {
          if (closed) {
            fail(f, closedException());
            return;
          }
          (mesh ? meshWaiters : peerWaiters).add(new PeerWaiter(topic, peer, f));
          if (mesh) {
            checkMeshWaiters();
          } else {
            checkWaiters();
          }
        },
        f);
    return f;
  }

  /** Completes the peer waiters whose peer is ready and subscribed. */
  void checkWaiters() {
    peerWaiters.removeIf(
        w -> {
          if (streams.ready(w.peer) && streams.topicsOf(w.peer).contains(w.topic)) {
            complete(w.future, null);
            return true;
          }
          return false;
        });
  }

  void checkMeshWaiters() {
    if (gossip == null || meshWaiters.isEmpty()) {
      return;
    }
    meshWaiters.removeIf(
        w -> {
          if (gossip.meshPeers(w.topic).contains(w.peer)) {
            complete(w.future, null);
            return true;
          }
          return false;
        });
  }

  CompletableFuture<Void> awaitRpcs(PeerId peer, long count) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    execute(
        () -> {
          rpcWaiters.add(new RpcWaiter(peer, count, f));
          checkRpcWaiters();
        },
        f);
    return f;
  }

  void checkRpcWaiters() {
    rpcWaiters.removeIf(
        w -> {
          if (streams.rpcsHandled(w.peer) >= w.count) {
            complete(w.future, null);
            return true;
          }
          return false;
        });
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts the strategy's timers and opens streams to the peers already connected. */
  CompletableFuture<Void> start() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    execute(
        () -> {
          if (!closed) {
            strategy.start();
            streams.openToConnected();
          }
          f.complete(null);
        },
        f);
    return f;
  }

  /**
   * Closes the streams, ends the subscriptions, fails the waiters. Runs on the router; if the
   * router executor is gone, on this thread (no router task can run any more).
   */
  CompletableFuture<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable cleanup =
        () -> {
          closeOnRouter();
          done.complete(null);
        };
    if (!execute(cleanup)) {
      cleanup.run();
    }
    return done;
  }

  private void closeOnRouter() {
    if (closed) {
      return;
    }
    closed = true;
    strategy.stop();
    streams.closeAll();
    for (List<Subscription> list : subscriptions.values()) {
      list.forEach(Subscription::terminate);
    }
    subscriptions.clear();
    List<CompletableFuture<Void>> waiting = new ArrayList<>();
    peerWaiters.forEach(w -> waiting.add(w.future));
    meshWaiters.forEach(w -> waiting.add(w.future));
    rpcWaiters.forEach(w -> waiting.add(w.future));
    peerWaiters.clear();
    meshWaiters.clear();
    rpcWaiters.clear();
    for (CompletableFuture<Void> f : waiting) {
      fail(f, closedException());
    }
  }
}
