/**
 * Cryptographic primitives shared by the libp2p key classes and ev-node header verification,
 * written to accept exactly what the Go implementations accept. {@link
 * io.headersync.libp2p.internal.crypto.GoEd25519} is Go's {@code crypto/ed25519.Verify}
 * (cofactorless, lenient public-key decoding), used by {@code io.headersync.libp2p.PublicKey} for
 * Ed25519 keys and therefore by Noise identity checks and ev-node signer checks alike.
 *
 * <p>Internal: not part of headersync's API.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.crypto;

import io.headersync.annotation.NonNullByDefault;
