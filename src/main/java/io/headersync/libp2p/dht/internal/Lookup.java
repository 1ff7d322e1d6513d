package io.headersync.libp2p.dht.internal;

import io.headersync.libp2p.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One iterative Kademlia lookup (go-libp2p-kad-dht {@code query.go}, simplified): at most {@code
 * alpha} requests in flight, always to the nearest heard-but-unasked peers; it ends when the {@code
 * k} nearest peers that did not fail have all answered, when nothing is left to ask, when {@code
 * stop} says so, or after {@code maxQueries} requests. Closer peers from answers join the
 * candidates (self excluded), at most {@code maxCandidates} of them: beyond that a newcomer only
 * replaces the farthest unasked one. The result is the {@code k} nearest peers that answered.
 *
 * <p>Thread-safe; completion callbacks of {@code query} may run on any thread.
 */
public final class Lookup {
  private enum State {
    HEARD,
    WAITING,
    ANSWERED,
    FAILED
  }

  private static final class Candidate {
    final PeerId peer;
    final byte[] id;
    State state = State.HEARD;

    Candidate(PeerId peer) {
      this.peer = peer;
      this.id = Keys.kadId(peer);
    }
  }

  private final byte[] target;
  private final PeerId self;
  private final int k;
  private final int alpha;
  private final int maxQueries;
  private final int maxCandidates;
  private final Function<PeerId, CompletableFuture<List<PeerId>>> query;
  private final BooleanSupplier stop;
  private final Map<PeerId, Candidate> candidates = new HashMap<>();
  private final List<Candidate> sorted = new ArrayList<>();
  private final CompletableFuture<List<PeerId>> result = new CompletableFuture<>();
  private int inFlight;
  private int queries;

  /**
   * @param targetId the Kademlia id (SHA-256) of the key looked up
   * @param query asks one peer; completes with the closer peers it returned (their addresses
   *     already recorded by the caller), or fails
   */
  public Lookup(
      byte[] targetId,
      PeerId self,
      int k,
      int alpha,
      int maxQueries,
      Function<PeerId, CompletableFuture<List<PeerId>>> query,
      BooleanSupplier stop) {
    this.target = targetId.clone();
    this.self = self;
    this.k = k;
    this.alpha = alpha;
    this.maxQueries = maxQueries;
    this.maxCandidates = 4 * k;
    this.query = query;
    this.stop = stop;
  }

  /**
   * Starts from {@code seeds}; the future yields the nearest peers that answered, nearest first.
   */
  public CompletableFuture<List<PeerId>> run(List<PeerId> seeds) {
    synchronized (this) {
      for (PeerId p : seeds) {
        offer(p);
      }
      step();
    }
    return result;
  }

  /** How many requests this lookup sent. */
  public synchronized int queries() {
    return queries;
  }

  private void offer(PeerId p) {
    if (p.equals(self) || candidates.containsKey(p)) {
      return;
    }
    Candidate c = new Candidate(p);
    int at = insertionPoint(c.id);
    if (candidates.size() >= maxCandidates) {
      // Make room by dropping the farthest unasked peer, if the newcomer is nearer than it.
      int victim = -1;
      for (int i = sorted.size() - 1; i >= 0; i--) {
        if (sorted.get(i).state == State.HEARD) {
          victim = i;
          break;
        }
      }
      if (victim < 0 || victim < at) {
        return;
      }
      candidates.remove(sorted.remove(victim).peer);
      at = insertionPoint(c.id);
    }
    sorted.add(at, c);
    candidates.put(p, c);
  }

  private int insertionPoint(byte[] id) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Keys.compareDistance(target, sorted.get(mid).id, id) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void step() {
    if (result.isDone()) {
      return;
    }
    if (stop.getAsBoolean()) {
      finish();
      return;
    }
    while (inFlight < alpha && queries < maxQueries) {
      Candidate next = nextToAsk();
      if (next == null) {
        break;
      }
      ask(next);
    }
    if (inFlight == 0) {
      finish(); // every one of the k nearest answered or failed, nothing left, or out of queries
    }
  }

  /** The nearest unasked peer among the k nearest that did not fail, or null. */
  private Candidate nextToAsk() {
    int seen = 0;
    for (Candidate c : sorted) {
      if (c.state == State.FAILED) {
        continue;
      }
      if (c.state == State.HEARD) {
        return c;
      }
      if (++seen >= k) {
        return null;
      }
    }
    return null;
  }

  private void ask(Candidate c) {
    c.state = State.WAITING;
    inFlight++;
    queries++;
    CompletableFuture<List<PeerId>> f;
    try {
      f = query.apply(c.peer);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (closer, t) -> {
          synchronized (this) {
            inFlight--;
            if (t != null) {
              c.state = State.FAILED;
            } else {
              c.state = State.ANSWERED;
              for (PeerId p : closer) {
                offer(p);
              }
            }
            step();
          }
        });
  }

  private void finish() {
    List<PeerId> out = new ArrayList<>();
    for (Candidate c : sorted) {
      if (c.state == State.ANSWERED) {
        out.add(c.peer);
        if (out.size() >= k) {
          break;
        }
      }
    }
    result.complete(out);
  }
}
