//go:build !kaddht042

package main

import (
	"context"

	"github.com/libp2p/go-libp2p/core/host"
	dht "github.com/libp2p/go-libp2p-kad-dht"
)

// newDHT builds the DHT as go-libp2p-kad-dht v0.40 (ev-node v1.2.2's pin) takes its arguments.
func newDHT(ctx context.Context, h host.Host, opts ...dht.Option) (*dht.IpfsDHT, error) {
	return dht.New(ctx, h, opts...)
}
