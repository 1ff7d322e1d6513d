/**
 * Noise XX ({@code Noise_XX_25519_ChaChaPoly_SHA256}, libp2p protocol id {@code /noise}) as Netty
 * handlers: {@link io.headersync.libp2p.internal.noise.NoiseHandshakeHandler} runs the handshake
 * and then replaces itself with a {@link io.headersync.libp2p.internal.noise.NoiseTransportCodec}.
 * The primitives ({@link io.headersync.libp2p.internal.noise.HandshakeState}, {@link
 * io.headersync.libp2p.internal.noise.SymmetricState}, {@link
 * io.headersync.libp2p.internal.noise.CipherState}) follow the Noise specification, revision 34.
 *
 * <p>Threads: each handler belongs to one channel and runs on its event loop; the handshake future
 * completes there, after the transport codec and the next handler are installed.
 *
 * <p>Early muxer negotiation (the {@code stream_muxers} extension) is off unless {@link
 * io.headersync.libp2p.internal.noise.NoiseConfig#earlyMuxers()} is set; see there.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.noise;

import io.headersync.annotation.NonNullByDefault;
