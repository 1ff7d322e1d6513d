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

  /** {@return the topic name, e.g. {@code /gm-headerSync/header-sub/v0.0.1}} */
  public String name() {
    return name;
  }

  /**
   * Publishes {@code data} on this topic; see {@link PubSub#publish}.
   *
   * @param data the message payload
   * @return a future that completes when the message was handed to the peers' streams, or fails
   *     with {@link PubSubException}
   */
  public CompletableFuture<Void> publish(byte[] data) {
    return pubSub.publish(name, data);
  }

  /**
   * Subscribes to this topic; see {@link PubSub#subscribe}.
   *
   * @return the subscription; close it to unsubscribe
   */
  public Subscription subscribe() {
    return pubSub.subscribe(name);
  }

  /**
   * Sets the validator of this topic, replacing any earlier one; see {@link
   * PubSub#registerValidator}.
   *
   * @param validator judges each message before it is delivered or forwarded
   */
  public void registerValidator(Validator validator) {
    pubSub.registerValidator(name, validator);
  }

  @Override
  public String toString() {
    return "Topic{" + name + "}";
  }
}
