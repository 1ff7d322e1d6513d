/** The shared skeleton of connection and stream upgrade steps (multistream negotiation, Noise). */
@NonNullByDefault
package io.headersync.libp2p.internal.upgrade;

import io.headersync.annotation.NonNullByDefault;
