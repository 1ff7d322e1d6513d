/** Nullness annotations used across headersync's public packages. */
@NonNullByDefault
package io.headersync.annotation;
