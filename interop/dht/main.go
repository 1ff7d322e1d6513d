package main

import (
	"fmt"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	ma "github.com/multiformats/go-multiaddr"
)

var _ = dht.ModeServer
var _ = libp2p.New
var _ = drouting.NewRoutingDiscovery
var _ = ma.StringCast

func main() { fmt.Println("x") }
