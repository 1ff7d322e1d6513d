package io.headersync.libp2p.pubsub.internal;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.GossipSubParams;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.PeerScoreThresholds;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The gossipsub v1.0/v1.1/v1.2 router (after go-libp2p-pubsub v0.16.0 {@code gossipsub.go} and the
 * specs), beside FloodSub for {@code /floodsub/1.0.0} peers. State lives on the router thread; the
 * heartbeat and the score decay are scheduled on the injected scheduler and hop to the router
 * thread to run.
 *
 * <p>What it does: a mesh of D peers per joined topic kept between Dlo and Dhi by the heartbeat
 * (best Dscore by score kept, at least Dout outbound, negative scores pruned, opportunistic graft);
 * fanout for topics we publish to without joining; IHAVE of the recent message-cache windows to
 * Dlazy non-mesh peers; IWANT answered from the cache at most 3 times per message and peer; GRAFT
 * and PRUNE with backoff (a GRAFT within backoff is answered with PRUNE and a behaviour penalty);
 * PX records accepted from peers over the accept-PX threshold (counted, not dialed); IDONTWANT sent
 * to v1.2 mesh peers for large messages and honoured; graylisting; broken IWANT promises penalised.
 *
 * <p>Bounds: IHAVE ids considered per RPC and per heartbeat ({@code maxIHaveLength}), IHAVEs per
 * heartbeat ({@code maxIHaveMessages}), IDONTWANT ({@code maxIDontWant*}), the message cache, the
 * backoff table, promises and PX records; what goes over is dropped and counted.
 *
 * <p>Why one class of ~950 lines: the mesh, fanout, backoff, promise and IDONTWANT tables are one
 * state owned by the router thread, and every handler (GRAFT, PRUNE, IHAVE, IWANT, the heartbeat)
 * reads and changes several of them; split by handler, they would share that mutable state with no
 * single owner. What has its own state is already apart: {@link PeerScore}, {@link MessageCache},
 * {@link SeenCache}, {@link RouterCounters}, and the peer streams and validation in {@code PubSub}.
 * The layout follows {@code gossipsub.go}, so a reader can compare the two.
 */
public final class GossipSubRouter implements RouterStrategy {
  private static final int MAX_PROMISES = 1 << 14;
  private static final int BACKOFF_CLEAR_TICKS = 15;

  private final GossipSubParams params;
  private final PeerScoreThresholds thresholds;
  private final PeerScore score;
  private final Clock clock;
  private final Random random;
  private final ScheduledExecutorService scheduler;
  private final RouterCounters counters;
  private final int maxMessageSize;
  private final Predicate<ByteString> seen;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private RouterContext ctx;

  private final Map<PeerId, String> protocolOf = new HashMap<>();
  private final Map<String, Set<PeerId>> mesh = new LinkedHashMap<>();
  private final Map<String, Set<PeerId>> fanout = new LinkedHashMap<>();
  private final Map<String, Long> lastPub = new HashMap<>();
  private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
  private int backoffEntries;
  private final MessageCache mcache;
  private final Map<PeerId, Integer> peerHave = new HashMap<>();
  private final Map<PeerId, Integer> iasked = new HashMap<>();
  private final Map<PeerId, Integer> peerDontWant = new HashMap<>();
  private final Map<PeerId, Map<ByteString, Integer>> unwanted = new HashMap<>();
  private final Map<ByteString, Map<PeerId, Long>> promises = new LinkedHashMap<>();
  private final Map<PeerId, PubsubProto.ControlMessage.Builder> pending = new LinkedHashMap<>();
  private long heartbeatTicks;

  /**
   * @param score the peer score, or null without scoring (every score is then 0)
   * @param seen whether a message id was already seen (accepted) by the node
   */
  public GossipSubRouter(
      GossipSubParams params,
      PeerScoreThresholds thresholds,
      PeerScore score,
      Clock clock,
      Random random,
      ScheduledExecutorService scheduler,
      RouterCounters counters,
      int maxMessageSize,
      Predicate<ByteString> seen) {
    this.params = params;
    this.thresholds = thresholds;
    this.score = score;
    this.clock = clock;
    this.random = random;
    this.scheduler = scheduler;
    this.counters = counters;
    this.maxMessageSize = maxMessageSize;
    this.seen = seen;
    this.mcache =
        new MessageCache(
            params.historyGossip(), params.historyLength(), params.maxCachedMessages());
  }

  @Override
  public List<String> protocols() {
    return params.protocols();
  }

  @Override
  public void attach(RouterContext context) {
    this.ctx = context;
  }

  @Override
  public void start() {
    timers.add(
        scheduler.scheduleAtFixedRate(
            () -> ctx.execute(this::heartbeat),
            params.heartbeatInitialDelay().toNanos(),
            params.heartbeatInterval().toNanos(),
            TimeUnit.NANOSECONDS));
    if (score != null) {
      long decay = score.params().decayInterval().toNanos();
      timers.add(
          scheduler.scheduleAtFixedRate(
              () -> ctx.execute(score::refresh), decay, decay, TimeUnit.NANOSECONDS));
    }
  }

  @Override
  public void stop() {
    timers.forEach(t -> t.cancel(false));
    timers.clear();
  }

  // ---- queries (router thread) ----

  /** The peer's score (0 without scoring). */
  public double score(PeerId p) {
    return score == null ? 0 : score.score(p);
  }

  /** Our mesh peers of {@code topic}. */
  public Set<PeerId> meshPeers(String topic) {
    return Set.copyOf(mesh.getOrDefault(topic, Set.of()));
  }

  /** Whether {@code p} is in our mesh of some topic. */
  public boolean inAnyMesh(PeerId p) {
    for (Set<PeerId> peers : mesh.values()) {
      if (peers.contains(p)) {
        return true;
      }
    }
    return false;
  }

  /** Our fanout peers of {@code topic}. */
  public Set<PeerId> fanoutPeers(String topic) {
    return Set.copyOf(fanout.getOrDefault(topic, Set.of()));
  }

  /** Messages in the message cache. */
  public int cachedMessages() {
    return mcache.size();
  }

  // ---- peers and topics ----

  private boolean isMeshPeer(String protocol) {
    return protocol != null && protocol.startsWith("/meshsub/");
  }

  private boolean hasBackoffField(String protocol) {
    return GossipSubParams.MESHSUB_V11.equals(protocol)
        || GossipSubParams.MESHSUB_V12.equals(protocol);
  }

  @Override
  public void addPeer(PeerId peer, String protocol) {
    protocolOf.put(peer, protocol);
    if (score != null) {
      score.addPeer(peer, ctx.ip(peer));
    }
  }

  @Override
  public void removePeer(PeerId peer) {
    if (protocolOf.remove(peer) == null) {
      return;
    }
    for (Set<PeerId> s : mesh.values()) {
      s.remove(peer);
    }
    for (Set<PeerId> s : fanout.values()) {
      s.remove(peer);
    }
    peerHave.remove(peer);
    iasked.remove(peer);
    peerDontWant.remove(peer);
    unwanted.remove(peer);
    pending.remove(peer);
    if (score != null) {
      score.removePeer(peer);
    }
  }

  /** Gossipsub peers of {@code topic} (not floodsub ones) that pass {@code filter}. */
  private List<PeerId> meshCandidates(String topic, Predicate<PeerId> filter) {
    List<PeerId> out = new ArrayList<>();
    for (Map.Entry<PeerId, String> e : protocolOf.entrySet()) {
      PeerId p = e.getKey();
      if (isMeshPeer(e.getValue()) && ctx.topicsOf(p).contains(topic) && filter.test(p)) {
        out.add(p);
      }
    }
    Collections.shuffle(out, random);
    return out;
  }

  @Override
  public void join(String topic) {
    if (mesh.containsKey(topic)) {
      return;
    }
    Set<PeerId> peers = fanout.remove(topic);
    lastPub.remove(topic);
    if (peers == null) {
      peers = new LinkedHashSet<>();
    }
    peers.removeIf(p -> inBackoff(p, topic) || score(p) < 0);
    Set<PeerId> chosen = peers;
    for (PeerId p :
        meshCandidates(topic, p -> !chosen.contains(p) && !inBackoff(p, topic) && score(p) >= 0)) {
      if (chosen.size() >= params.d()) {
        break;
      }
      chosen.add(p);
    }
    mesh.put(topic, chosen);
    for (PeerId p : chosen) {
      if (score != null) {
        score.graft(p, topic);
      }
      ctx.send(
          p,
          controlRpc(
              PubsubProto.ControlMessage.newBuilder()
                  .addGraft(PubsubProto.ControlGraft.newBuilder().setTopicID(topic))));
    }
  }

  @Override
  public void leave(String topic) {
    Set<PeerId> peers = mesh.remove(topic);
    if (peers == null) {
      return;
    }
    for (PeerId p : peers) {
      if (score != null) {
        score.prune(p, topic);
      }
      ctx.send(
          p,
          controlRpc(
              PubsubProto.ControlMessage.newBuilder().addPrune(makePrune(p, topic, false, true))));
      addBackoff(p, topic, params.unsubscribeBackoff().toMillis());
    }
  }

  @Override
  public void peerLeft(PeerId peer, String topic) {
    Set<PeerId> m = mesh.get(topic);
    if (m != null && m.remove(peer) && score != null) {
      score.prune(peer, topic);
    }
    Set<PeerId> f = fanout.get(topic);
    if (f != null) {
      f.remove(peer);
    }
  }

  @Override
  public boolean acceptFrom(PeerId peer) {
    if (score(peer) < thresholds.graylist()) {
      counters.graylistedRpcs.incrementAndGet();
      return false;
    }
    return true;
  }

  // ---- control ----

  @Override
  public void handleControl(PeerId peer, PubsubProto.ControlMessage control) {
    String protocol = protocolOf.get(peer);
    if (!isMeshPeer(protocol)) {
      return; // floodsub peers (or peers we have no stream to yet) have no business with control
    }
    List<ByteString> iwant = handleIHave(peer, control.getIhaveList());
    List<PubsubProto.Message> messages = handleIWant(peer, control.getIwantList());
    List<PubsubProto.ControlPrune> prunes = handleGraft(peer, control.getGraftList());
    handlePrune(peer, control.getPruneList());
    handleIDontWant(peer, control.getIdontwantList());

    if (!iwant.isEmpty() || !prunes.isEmpty()) {
      PubsubProto.ControlMessage.Builder out =
          PubsubProto.ControlMessage.newBuilder().addAllPrune(prunes);
      if (!iwant.isEmpty()) {
        out.addIwant(PubsubProto.ControlIWant.newBuilder().addAllMessageIDs(iwant));
      }
      ctx.send(peer, controlRpc(out));
    }
    sendMessages(peer, messages);
  }

  private List<ByteString> handleIHave(PeerId peer, List<PubsubProto.ControlIHave> ihaves) {
    if (ihaves.isEmpty()) {
      return List.of();
    }
    if (score(peer) < thresholds.gossip()) {
      counters.gossipIgnored.incrementAndGet();
      return List.of();
    }
    int have = peerHave.merge(peer, 1, Integer::sum);
    int asked = iasked.getOrDefault(peer, 0);
    if (have > params.maxIHaveMessages() || asked >= params.maxIHaveLength()) {
      counters.gossipIgnored.incrementAndGet();
      return List.of();
    }
    Set<ByteString> want = new LinkedHashSet<>();
    int considered = 0;
    outer:
    for (PubsubProto.ControlIHave ihave : ihaves) {
      if (!mesh.containsKey(ihave.getTopicID())) {
        continue;
      }
      for (ByteString id : ihave.getMessageIDsList()) {
        if (++considered > params.maxIHaveLength()) {
          counters.controlTruncated.incrementAndGet();
          break outer;
        }
        if (!seen.test(id) && mcache.get(id) == null) {
          want.add(id);
        }
      }
    }
    if (want.isEmpty()) {
      return List.of();
    }
    List<ByteString> ask = new ArrayList<>(want);
    Collections.shuffle(ask, random);
    int n = Math.min(ask.size(), params.maxIHaveLength() - asked);
    ask = new ArrayList<>(ask.subList(0, n));
    iasked.put(peer, asked + n);
    // Like Go's gossip tracer: one of the asked ids is a promise the peer must keep in time.
    ByteString promised = ask.get(random.nextInt(ask.size()));
    if (promises.size() < MAX_PROMISES || promises.containsKey(promised)) {
      promises
          .computeIfAbsent(promised, k -> new HashMap<>())
          .putIfAbsent(peer, clock.millis() + params.iwantFollowupTime().toMillis());
    }
    return ask;
  }

  private List<PubsubProto.Message> handleIWant(
      PeerId peer, List<PubsubProto.ControlIWant> iwants) {
    if (iwants.isEmpty()) {
      return List.of();
    }
    if (score(peer) < thresholds.gossip()) {
      counters.gossipIgnored.incrementAndGet();
      return List.of();
    }
    List<PubsubProto.Message> out = new ArrayList<>();
    int considered = 0;
    for (PubsubProto.ControlIWant iwant : iwants) {
      for (ByteString id : iwant.getMessageIDsList()) {
        if (++considered > params.maxIHaveLength()) {
          counters.controlTruncated.incrementAndGet();
          return out;
        }
        PubsubProto.Message m = mcache.getForPeer(id, peer, params.gossipRetransmission());
        if (m != null) {
          out.add(m);
        }
      }
    }
    return out;
  }

  private List<PubsubProto.ControlPrune> handleGraft(
      PeerId peer, List<PubsubProto.ControlGraft> grafts) {
    if (grafts.isEmpty()) {
      return List.of();
    }
    counters.graftsReceived.addAndGet(grafts.size());
    List<String> prune = new ArrayList<>();
    boolean doPx = params.peerExchange();
    long now = clock.millis();
    double s = score(peer);
    for (PubsubProto.ControlGraft g : grafts) {
      String topic = g.getTopicID();
      Set<PeerId> peers = mesh.get(topic);
      if (peers == null) {
        doPx = false; // an unknown topic: do not leak our peers
        continue;
      }
      if (peers.contains(peer)) {
        continue;
      }
      Long expire = backoff.getOrDefault(topic, Map.of()).get(peer);
      if (expire != null && now < expire) {
        // GRAFT within backoff: P7, twice if it comes right after our PRUNE (Go's flood check).
        addPenalty(peer, 1);
        long floodCutoff =
            expire + params.graftFloodThreshold().toMillis() - params.pruneBackoff().toMillis();
        if (now < floodCutoff) {
          addPenalty(peer, 1);
        }
        doPx = false;
        addBackoff(peer, topic, params.pruneBackoff().toMillis());
        prune.add(topic);
        continue;
      }
      if (s < 0) {
        doPx = false;
        prune.add(topic);
        addBackoff(peer, topic, params.pruneBackoff().toMillis());
        continue;
      }
      if (peers.size() >= params.dhi() && !ctx.outbound(peer)) {
        prune.add(topic);
        addBackoff(peer, topic, params.pruneBackoff().toMillis());
        continue;
      }
      peers.add(peer);
      if (score != null) {
        score.graft(peer, topic);
      }
    }
    List<PubsubProto.ControlPrune> out = new ArrayList<>();
    for (String topic : prune) {
      out.add(makePrune(peer, topic, doPx, false));
    }
    return out;
  }

  private void handlePrune(PeerId peer, List<PubsubProto.ControlPrune> prunes) {
    if (prunes.isEmpty()) {
      return;
    }
    counters.prunesReceived.addAndGet(prunes.size());
    double s = score(peer);
    for (PubsubProto.ControlPrune prune : prunes) {
      String topic = prune.getTopicID();
      Set<PeerId> peers = mesh.get(topic);
      if (peers == null) {
        continue;
      }
      peers.remove(peer);
      if (score != null) {
        score.prune(peer, topic);
      }
      long seconds = prune.getBackoff();
      addBackoff(
          peer,
          topic,
          seconds > 0 ? Math.min(seconds, 86_400) * 1000 : params.pruneBackoff().toMillis());
      if (prune.getPeersCount() > 0 && s >= thresholds.acceptPx()) {
        int n = Math.min(prune.getPeersCount(), params.maxPxPeers());
        counters.pxRecordsAccepted.addAndGet(n);
        if (peers.size() < params.dlo()) {
          // Go's pxConnect: offer the peers we are not connected to for dialing (bounded per
          // PRUNE).
          List<PeerId> offered = new ArrayList<>();
          Collection<PeerId> ready = ctx.readyPeers();
          for (int i = 0; i < n; i++) {
            PeerId p;
            try {
              p = PeerId.fromBytes(prune.getPeers(i).getPeerID().toByteArray());
            } catch (RuntimeException e) {
              continue; // a malformed id in a PX record: skip it, as Go does
            }
            if (!p.equals(peer) && !ready.contains(p)) {
              offered.add(p);
            }
          }
          if (!offered.isEmpty()) {
            ctx.peerExchange(offered);
          }
        }
      }
    }
  }

  private void handleIDontWant(PeerId peer, List<PubsubProto.ControlIDontWant> list) {
    if (list.isEmpty() || !GossipSubParams.MESHSUB_V12.equals(protocolOf.get(peer))) {
      return;
    }
    int n = peerDontWant.merge(peer, 1, Integer::sum);
    if (n > params.maxIDontWantMessages()) {
      counters.controlTruncated.incrementAndGet();
      return;
    }
    Map<ByteString, Integer> ids = unwanted.computeIfAbsent(peer, k -> new HashMap<>());
    int taken = 0;
    for (PubsubProto.ControlIDontWant idw : list) {
      for (ByteString id : idw.getMessageIDsList()) {
        if (taken++ >= params.maxIDontWantLength()) {
          counters.controlTruncated.incrementAndGet();
          return;
        }
        ids.put(id, params.idontwantTtlHeartbeats());
      }
    }
  }

  private PubsubProto.ControlPrune makePrune(
      PeerId peer, String topic, boolean doPx, boolean unsubscribe) {
    PubsubProto.ControlPrune.Builder b = PubsubProto.ControlPrune.newBuilder().setTopicID(topic);
    String protocol = protocolOf.get(peer);
    if (!hasBackoffField(protocol)) {
      return b.build(); // v1.0 peers know neither backoff nor PX
    }
    long backoffMillis =
        (unsubscribe ? params.unsubscribeBackoff() : params.pruneBackoff()).toMillis();
    b.setBackoff(backoffMillis / 1000);
    if (doPx) {
      for (PeerId p : meshCandidates(topic, p -> !p.equals(peer) && score(p) >= 0)) {
        if (b.getPeersCount() >= params.prunePeers()) {
          break;
        }
        b.addPeers(PubsubProto.PeerInfo.newBuilder().setPeerID(ByteString.copyFrom(p.bytes())));
      }
    }
    return b.build();
  }

  private void addPenalty(PeerId peer, int count) {
    if (score != null) {
      score.addPenalty(peer, count);
    }
  }

  // ---- backoff ----

  private boolean inBackoff(PeerId peer, String topic) {
    Long expire = backoff.getOrDefault(topic, Map.of()).get(peer);
    return expire != null && clock.millis() < expire;
  }

  private void addBackoff(PeerId peer, String topic, long millis) {
    Map<PeerId, Long> m = backoff.computeIfAbsent(topic, k -> new HashMap<>());
    long expire = clock.millis() + millis;
    Long old = m.get(peer);
    if (old == null) {
      if (backoffEntries >= params.maxBackoffEntries()) {
        clearBackoff(true);
      }
      backoffEntries++;
      m.put(peer, expire);
    } else if (old < expire) {
      m.put(peer, expire);
    }
  }

  /**
   * Drops expired entries (Go waits 2 heartbeats past expiry); if {@code full}, also the soonest.
   */
  private void clearBackoff(boolean full) {
    long slack = 2 * params.heartbeatInterval().toMillis();
    long now = clock.millis();
    String soonestTopic = null;
    PeerId soonestPeer = null;
    long soonest = Long.MAX_VALUE;
    for (Iterator<Map.Entry<String, Map<PeerId, Long>>> it = backoff.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, Map<PeerId, Long>> e = it.next();
      for (Iterator<Map.Entry<PeerId, Long>> pit = e.getValue().entrySet().iterator();
          pit.hasNext(); ) {
        Map.Entry<PeerId, Long> pe = pit.next();
        if (pe.getValue() + slack < now) {
          pit.remove();
          backoffEntries--;
        } else if (pe.getValue() < soonest) {
          soonest = pe.getValue();
          soonestTopic = e.getKey();
          soonestPeer = pe.getKey();
        }
      }
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
    if (full && backoffEntries >= params.maxBackoffEntries() && soonestTopic != null) {
      backoff.get(soonestTopic).remove(soonestPeer);
      backoffEntries--;
      counters.backoffEvicted.incrementAndGet();
    }
  }

  // ---- messages ----

  @Override
  public void validating(PeerId source, Message message) {
    ByteString id = ByteString.copyFrom(message.id());
    promises.remove(id);
    if (score != null) {
      score.validating(source, id);
    }
    if (message.data().length < params.idontwantMessageThreshold()) {
      return;
    }
    Set<PeerId> peers = mesh.get(message.topic());
    if (peers == null) {
      return;
    }
    PubsubProto.RPC rpc = null;
    for (PeerId p : peers) {
      if (p.equals(source) || !GossipSubParams.MESHSUB_V12.equals(protocolOf.get(p))) {
        continue;
      }
      if (rpc == null) {
        rpc =
            controlRpc(
                PubsubProto.ControlMessage.newBuilder()
                    .addIdontwant(PubsubProto.ControlIDontWant.newBuilder().addMessageIDs(id)));
      }
      ctx.send(p, rpc);
      counters.idontwantSent.incrementAndGet();
    }
  }

  @Override
  public void duplicate(PeerId source, Message message) {
    if (score != null) {
      score.duplicate(source, ByteString.copyFrom(message.id()), message.topic());
    }
  }

  @Override
  public void rejected(PeerId source, Message message) {
    if (score != null) {
      score.reject(source, ByteString.copyFrom(message.id()), message.topic());
    }
  }

  @Override
  public void ignored(PeerId source, Message message) {
    if (score != null) {
      score.ignore(ByteString.copyFrom(message.id()));
    }
  }

  @Override
  public Set<PeerId> route(
      PeerId source, PubsubProto.Message wire, Message message, boolean own, Set<PeerId> exclude) {
    ByteString id = ByteString.copyFrom(message.id());
    mcache.put(id, wire);
    String topic = message.topic();
    if (!own && score != null) {
      score.deliver(source, id, topic);
    }
    Set<PeerId> targets = new LinkedHashSet<>();
    if (own && params.floodPublish()) {
      for (PeerId p : protocolOf.keySet()) {
        if (ctx.topicsOf(p).contains(topic) && score(p) >= thresholds.publish()) {
          targets.add(p);
        }
      }
    } else {
      for (Map.Entry<PeerId, String> e : protocolOf.entrySet()) {
        PeerId p = e.getKey();
        if (!isMeshPeer(e.getValue())
            && ctx.topicsOf(p).contains(topic)
            && score(p) >= thresholds.publish()) {
          targets.add(p); // floodsub peers get every message of their topics
        }
      }
      Set<PeerId> m = mesh.get(topic);
      if (m == null) {
        m = fanout.get(topic);
        if (m == null || m.isEmpty()) {
          m = new LinkedHashSet<>();
          for (PeerId p : meshCandidates(topic, p -> score(p) >= thresholds.publish())) {
            if (m.size() >= params.d()) {
              break;
            }
            m.add(p);
          }
          fanout.put(topic, m);
        }
        lastPub.put(topic, clock.millis());
      }
      targets.addAll(m);
    }
    targets.removeAll(exclude);
    for (Iterator<PeerId> it = targets.iterator(); it.hasNext(); ) {
      Map<ByteString, Integer> u = unwanted.get(it.next());
      if (u != null && u.containsKey(id)) {
        it.remove();
        counters.skippedForIdontwant.incrementAndGet();
      }
    }
    return targets;
  }

  private void sendMessages(PeerId peer, List<PubsubProto.Message> messages) {
    PubsubProto.RPC.Builder b = PubsubProto.RPC.newBuilder();
    int size = 0;
    for (PubsubProto.Message m : messages) {
      int s = m.getSerializedSize() + 8;
      if (size > 0 && size + s > maxMessageSize) {
        ctx.send(peer, b.build());
        b = PubsubProto.RPC.newBuilder();
        size = 0;
      }
      b.addPublish(m);
      size += s;
    }
    if (size > 0) {
      ctx.send(peer, b.build());
    }
  }

  private static PubsubProto.RPC controlRpc(PubsubProto.ControlMessage.Builder control) {
    return PubsubProto.RPC.newBuilder().setControl(control).build();
  }

  // ---- heartbeat ----

  /** One heartbeat: mesh and fanout maintenance, gossip, penalties, cache shift. Router thread. */
  public void heartbeat() {
    heartbeatTicks++;
    long now = clock.millis();
    peerHave.clear();
    iasked.clear();
    applyBrokenPromises(now);
    if (heartbeatTicks % BACKOFF_CLEAR_TICKS == 0) {
      clearBackoff(false);
    }
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      maintainMesh(e.getKey(), e.getValue());
    }
    lastPub
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue() + params.fanoutTtl().toMillis() < now) {
                fanout.remove(e.getKey());
                return true;
              }
              return false;
            });
    for (Map.Entry<String, Set<PeerId>> e : fanout.entrySet()) {
      maintainFanout(e.getKey(), e.getValue());
    }
    for (Map.Entry<PeerId, PubsubProto.ControlMessage.Builder> e : pending.entrySet()) {
      ctx.send(e.getKey(), controlRpc(e.getValue()));
    }
    pending.clear();
    mcache.shift();
    for (Iterator<Map<ByteString, Integer>> it = unwanted.values().iterator(); it.hasNext(); ) {
      Map<ByteString, Integer> ids = it.next();
      ids.replaceAll((k, v) -> v - 1);
      ids.values().removeIf(v -> v <= 0);
      if (ids.isEmpty()) {
        it.remove();
      }
    }
    peerDontWant.clear();
  }

  private void applyBrokenPromises(long now) {
    for (Iterator<Map<PeerId, Long>> it = promises.values().iterator(); it.hasNext(); ) {
      Map<PeerId, Long> byPeer = it.next();
      for (Iterator<Map.Entry<PeerId, Long>> pit = byPeer.entrySet().iterator(); pit.hasNext(); ) {
        Map.Entry<PeerId, Long> pe = pit.next();
        if (pe.getValue() < now) {
          pit.remove();
          counters.brokenPromises.incrementAndGet();
          addPenalty(pe.getKey(), 1);
        }
      }
      if (byPeer.isEmpty()) {
        it.remove();
      }
    }
  }

  private PubsubProto.ControlMessage.Builder pendingFor(PeerId p) {
    return pending.computeIfAbsent(p, k -> PubsubProto.ControlMessage.newBuilder());
  }

  private void graft(PeerId p, String topic, Set<PeerId> peers) {
    peers.add(p);
    if (score != null) {
      score.graft(p, topic);
    }
    pendingFor(p).addGraft(PubsubProto.ControlGraft.newBuilder().setTopicID(topic));
  }

  private void prune(PeerId p, String topic, Set<PeerId> peers, boolean doPx) {
    peers.remove(p);
    if (score != null) {
      score.prune(p, topic);
    }
    addBackoff(p, topic, params.pruneBackoff().toMillis());
    pendingFor(p).addPrune(makePrune(p, topic, doPx, false));
  }

  private void maintainMesh(String topic, Set<PeerId> peers) {
    for (PeerId p : new ArrayList<>(peers)) {
      if (score(p) < 0) {
        prune(p, topic, peers, false);
      }
    }
    if (peers.size() < params.dlo()) {
      int need = params.d() - peers.size();
      for (PeerId p :
          meshCandidates(topic, p -> !peers.contains(p) && !inBackoff(p, topic) && score(p) >= 0)) {
        if (need-- <= 0) {
          break;
        }
        graft(p, topic, peers);
      }
    }
    if (peers.size() > params.dhi()) {
      shrinkMesh(topic, peers);
    }
    if (peers.size() >= params.dlo()) {
      long outbound = peers.stream().filter(ctx::outbound).count();
      int need = params.dout() - (int) outbound;
      if (need > 0) {
        for (PeerId p :
            meshCandidates(
                topic,
                p ->
                    !peers.contains(p)
                        && !inBackoff(p, topic)
                        && score(p) >= 0
                        && ctx.outbound(p))) {
          if (need-- <= 0) {
            break;
          }
          graft(p, topic, peers);
        }
      }
    }
    if (heartbeatTicks % params.opportunisticGraftTicks() == 0 && peers.size() > 1) {
      List<PeerId> sorted = new ArrayList<>(peers);
      sorted.sort(Comparator.comparingDouble(this::score));
      double median = score(sorted.get(sorted.size() / 2));
      if (median < thresholds.opportunisticGraft()) {
        int need = params.opportunisticGraftPeers();
        for (PeerId p :
            meshCandidates(
                topic, p -> !peers.contains(p) && !inBackoff(p, topic) && score(p) > median)) {
          if (need-- <= 0) {
            break;
          }
          graft(p, topic, peers);
        }
      }
    }
    emitGossip(topic, peers);
  }

  /** Keeps the Dscore best-scored peers and random others up to D, at least Dout outbound. */
  private void shrinkMesh(String topic, Set<PeerId> peers) {
    List<PeerId> list = new ArrayList<>(peers);
    Collections.shuffle(list, random);
    list.sort(Comparator.comparingDouble(this::score).reversed());
    Collections.shuffle(list.subList(params.dscore(), list.size()), random);
    int outbound = 0;
    for (PeerId p : list.subList(0, params.d())) {
      if (ctx.outbound(p)) {
        outbound++;
      }
    }
    if (outbound < params.dout()) {
      // Move outbound peers to the front: first those already kept, then enough from the rest.
      int have = outbound;
      for (int i = 1; i < params.d() && have > 0; i++) {
        if (ctx.outbound(list.get(i))) {
          list.add(0, list.remove(i));
          have--;
        }
      }
      int need = params.dout() - outbound;
      for (int i = params.d(); i < list.size() && need > 0; i++) {
        if (ctx.outbound(list.get(i))) {
          list.add(0, list.remove(i));
          need--;
        }
      }
    }
    for (PeerId p : list.subList(params.d(), list.size())) {
      prune(p, topic, peers, params.peerExchange());
    }
  }

  private void maintainFanout(String topic, Set<PeerId> peers) {
    peers.removeIf(
        p ->
            !protocolOf.containsKey(p)
                || !ctx.topicsOf(p).contains(topic)
                || score(p) < thresholds.publish());
    if (peers.size() < params.d()) {
      int need = params.d() - peers.size();
      for (PeerId p :
          meshCandidates(topic, p -> !peers.contains(p) && score(p) >= thresholds.publish())) {
        if (need-- <= 0) {
          break;
        }
        peers.add(p);
      }
    }
    emitGossip(topic, peers);
  }

  private void emitGossip(String topic, Set<PeerId> exclude) {
    List<ByteString> ids = mcache.gossipIds(topic);
    if (ids.isEmpty()) {
      return;
    }
    List<PeerId> candidates =
        meshCandidates(topic, p -> !exclude.contains(p) && score(p) >= thresholds.gossip());
    int target = Math.max(params.dlazy(), (int) (params.gossipFactor() * candidates.size()));
    for (PeerId p : candidates.subList(0, Math.min(target, candidates.size()))) {
      List<ByteString> send = ids;
      if (ids.size() > params.maxIHaveLength()) {
        send = new ArrayList<>(ids);
        Collections.shuffle(send, random);
        send = send.subList(0, params.maxIHaveLength());
      }
      PubsubProto.ControlMessage.Builder b = pendingFor(p);
      if (b.build().getSerializedSize() > maxMessageSize / 2) {
        counters.controlTruncated.incrementAndGet();
        continue;
      }
      b.addIhave(PubsubProto.ControlIHave.newBuilder().setTopicID(topic).addAllMessageIDs(send));
    }
  }
}
