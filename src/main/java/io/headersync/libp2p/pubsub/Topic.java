package io.headersync.libp2p.pubsub;

import java.util.concurrent.CompletableFuture;

/** A handle on one topic of a {@link PubSub} (Go's {@code Topic}). */
public final class Topic {
  private final PubSub pubSub;
  private final String name;

  Topic(PubSub pubSub, String name) {
    this.pubSub = pubSub;
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** See {@link PubSub#publish}. */
  public CompletableFuture<Void> publish(byte[] data) {
    return pubSub.publish(name, data);
  }

  /** See {@link PubSub#subscribe}. */
  public Subscription subscribe() {
    return pubSub.subscribe(name);
  }

  /** See {@link PubSub#registerValidator}. */
  public void registerValidator(Validator validator) {
    pubSub.registerValidator(name, validator);
  }

  @Override
  public String toString() {
    return "Topic{" + name + "}";
  }
}
