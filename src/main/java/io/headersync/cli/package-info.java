/**
 * The {@code headersync} command: {@code chain} (a sequencer's job on one machine: sign, verify and
 * store an ev-node header chain) and {@code inspect} (read a store). Run it with the {@code ./headersync}
 * launcher at the repository root.
 */
@NonNullByDefault
package io.headersync.cli;

import io.headersync.annotation.NonNullByDefault;
