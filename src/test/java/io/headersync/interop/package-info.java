/** Tests against real Go peers and Go-generated data; run by the interop profile. */
package io.headersync.interop;
