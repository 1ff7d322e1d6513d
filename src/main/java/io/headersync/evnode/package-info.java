/**
 * The ev-node (Rollkit) header and data types of ev-node v1.2.x: {@code SignedHeader},
 * {@code P2PSignedHeader}, {@code Data}, {@code P2PData}, their {@link io.headersync.HeaderType}s,
 * and an Ed25519 header signer.
 */
@NonNullByDefault
package io.headersync.evnode;

import io.headersync.annotation.NonNullByDefault;
