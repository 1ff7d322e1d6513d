package io.headersync.libp2p.pubsub.internal;

import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * FloodSub (go-libp2p-pubsub {@code floodsub.go}): every subscribed peer but the source and author.
 */
public final class FloodSubStrategy implements RouterStrategy {
  public static final String PROTOCOL = "/floodsub/1.0.0";

  private RouterContext context;

  @Override
  public List<String> protocols() {
    return List.of(PROTOCOL);
  }

  @Override
  public void attach(RouterContext ctx) {
    this.context = ctx;
  }

  @Override
  public Set<PeerId> route(
      PeerId source, PubsubProto.Message wire, Message message, boolean own, Set<PeerId> exclude) {
    return floodTargets(context, message.topic(), exclude);
  }

  /** Every ready peer subscribed to {@code topic} and not excluded. */
  static Set<PeerId> floodTargets(RouterContext ctx, String topic, Set<PeerId> exclude) {
    Set<PeerId> out = new HashSet<>();
    for (PeerId p : ctx.readyPeers()) {
      if (!exclude.contains(p) && ctx.topicsOf(p).contains(topic)) {
        out.add(p);
      }
    }
    return out;
  }
}
