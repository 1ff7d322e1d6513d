/**
 * The header model shared by every part of headersync; it depends on nothing else of headersync.
 * The service that wires store, server, exchange, subscriber and syncer is in {@code
 * io.headersync.service}.
 *
 * <p>A concrete header type implements {@link io.headersync.Header} and is described by a {@link
 * io.headersync.HeaderType}, which decodes wire bytes and performs the type's own
 * trusted-to-untrusted check. {@link io.headersync.Verification} runs go-header's mandatory checks
 * around it, so that our accept / ignore / reject decisions match those of a Go peer. A {@link
 * io.headersync.Hash} identifies a header.
 *
 * <p>{@link io.headersync.HeaderSyncException} is the base of the exceptions the header-sync core
 * throws on purpose: {@link io.headersync.InvalidHeaderException} for a header that does not decode
 * or validate, {@link io.headersync.VerifyException} for one that fails verification.
 */
@NonNullByDefault
package io.headersync;

import io.headersync.annotation.NonNullByDefault;
