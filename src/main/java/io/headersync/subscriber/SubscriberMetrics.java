package io.headersync.subscriber;

/**
 * Counts of gossiped header messages by outcome (go-header's {@code hdr_p2p_sub_msg_num_counter}),
 * including our own broadcasts.
 *
 * @param accepted messages delivered and forwarded
 * @param ignored messages dropped without blame: soft verification failures, no verifier in time,
 *     verifier errors other than {@link io.headersync.VerifyException}
 * @param rejected messages dropped as invalid: undecodable, failing {@code validate}, or failing
 *     verification hard
 * @param bytes payload bytes of all messages seen by the validator
 * @param subscriptions subscriptions open now (go-header's {@code hdr_p2p_sub_num_gauge})
 */
public record SubscriberMetrics(
    long accepted, long ignored, long rejected, long bytes, long subscriptions) {}
