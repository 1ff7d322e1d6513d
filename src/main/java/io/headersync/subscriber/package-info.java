/**
 * The header topic on pubsub: {@link io.headersync.subscriber.Subscriber} validates gossiped
 * headers (decode, {@code validate}, the syncer's verifier) and broadcasts ours, as go-header's
 * {@code p2p.Subscriber} does, on {@code /<networkId>/header-sub/v0.0.1}.
 */
@NonNullByDefault
package io.headersync.subscriber;

import io.headersync.annotation.NonNullByDefault;
