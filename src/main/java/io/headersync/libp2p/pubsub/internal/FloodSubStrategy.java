package io.headersync.libp2p.pubsub.internal;

import io.headersync.libp2p.PeerId;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** FloodSub (go-libp2p-pubsub {@code floodsub.go}): every subscribed peer but the source and author. */
public final class FloodSubStrategy implements RouterStrategy {
  public static final String PROTOCOL = "/floodsub/1.0.0";

  @Override
  public List<String> protocols() {
    return List.of(PROTOCOL);
  }

  @Override
  public Set<PeerId> targets(
      String topic, Collection<PeerId> peers, Function<PeerId, Set<String>> topicsOf, Set<PeerId> exclude) {
    Set<PeerId> out = new HashSet<>();
    for (PeerId p : peers) {
      if (!exclude.contains(p) && topicsOf.apply(p).contains(topic)) {
        out.add(p);
      }
    }
    return out;
  }
}
