//go:build kaddht042

package main

import (
	"context"

	"github.com/libp2p/go-libp2p/core/host"
	dht "github.com/libp2p/go-libp2p-kad-dht"
)

// newDHT builds the DHT as go-libp2p-kad-dht v0.42 takes its arguments (the context moved into the
// DHT's own lifetime). Built with -tags kaddht042 -modfile=go.kaddht042.mod.
func newDHT(_ context.Context, h host.Host, opts ...dht.Option) (*dht.IpfsDHT, error) {
	return dht.New(h, opts...)
}
