/**
 * One lifecycle for every component: {@link io.headersync.lifecycle.Service} (the contract users
 * program against: idempotent asynchronous {@code start()} and {@code stop()}, one state machine, a
 * failure cause, {@link java.lang.AutoCloseable}) and {@link
 * io.headersync.lifecycle.AbstractService} (the one implementation of that state machine, in the
 * spirit of Guava's {@code AbstractService}).
 *
 * <p>This package depends on nothing but the JDK and {@code io.headersync.annotation}, so every
 * layer, the libp2p stack included, builds on it.
 */
@NonNullByDefault
package io.headersync.lifecycle;

import io.headersync.annotation.NonNullByDefault;
