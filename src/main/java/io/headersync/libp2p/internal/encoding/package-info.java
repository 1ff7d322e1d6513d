/**
 * Multiformats encodings used on the wire and in text: unsigned varints (minimal, at most 9 bytes),
 * base58btc, base32 and the multibase prefixes peer ids and multiaddrs use.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.encoding;

import io.headersync.annotation.NonNullByDefault;
