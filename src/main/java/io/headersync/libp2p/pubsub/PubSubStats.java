package io.headersync.libp2p.pubsub;

/**
 * A snapshot of a {@link PubSub}'s counters (totals since it started).
 *
 * @param messagesReceived message copies received from peers, duplicates included
 * @param duplicates copies of messages already seen or being validated
 * @param delivered messages accepted and delivered (ours included), each id once
 * @param rejected messages rejected (bad signature or validator Reject)
 * @param ignored messages ignored by a validator or its timeout
 * @param throttled messages dropped because too many validations were running
 * @param droppedOutbound RPCs dropped because a peer's queue was full
 * @param graylistedRpcs RPCs dropped because their sender scored below the graylist threshold
 * @param graftsReceived GRAFT entries received
 * @param prunesReceived PRUNE entries received
 * @param gossipIgnored IHAVE/IWANT ignored (score under the gossip threshold, or over the limits)
 * @param controlTruncated control messages (or parts) dropped for going over a bound
 * @param brokenPromises IWANT requests a peer did not answer in time (each a P7 penalty)
 * @param idontwantSent IDONTWANT messages sent
 * @param skippedForIdontwant messages not sent to a peer because it said IDONTWANT
 * @param pxRecordsAccepted PX records accepted from PRUNEs (not dialed)
 */
public record PubSubStats(
    long messagesReceived,
    long duplicates,
    long delivered,
    long rejected,
    long ignored,
    long throttled,
    long droppedOutbound,
    long graylistedRpcs,
    long graftsReceived,
    long prunesReceived,
    long gossipIgnored,
    long controlTruncated,
    long brokenPromises,
    long idontwantSent,
    long skippedForIdontwant,
    long pxRecordsAccepted) {}
