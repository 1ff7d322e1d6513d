/**
 * The {@code headersync} command, on picocli: {@code devnet} (a whole network in one process),
 * {@code node} (a full, light or sequencer node), {@code genesis} (ev-node's genesis.json for a
 * signer key), {@code inspect} (read a node's stores, read-only; {@code inspect verify} walks
 * them), {@code chain} (sign, verify and store a chain, with figures) and {@code completion}. Run
 * it with the {@code ./headersync} launcher at the repository root; {@code docs/operations.md}
 * describes it.
 */
@NonNullByDefault
package io.headersync.cli;

import io.headersync.annotation.NonNullByDefault;
