package main

// go-header's p2p.Subscriber on the node's pubsub router (FloodSub by default, as ev-node), carrying
// ev-node P2PSignedHeaders: the header-topic interop of headersync's Subscriber.
//
//	{"cmd":"hsub-start"}                     NewSubscriber(ps, DefaultMsgIdFn, network id = -network), Start,
//	                                         a verifier that accepts and counts, Subscribe
//	{"cmd":"hsub-next","millis":5000}        the next header from the subscription: height, hash, chainId
//	{"cmd":"hsub-broadcast","height":3}      Broadcast the go-header store's header at that height (see "gen")
//	{"cmd":"hsub-verified"}                  how many headers the verifier saw
//	{"cmd":"hsub-wait-peer","peer":"12D3..."}  answers once the peer is in the header topic's peer list
//	{"cmd":"store-height","height":5}        the go-header store's header at that height: height, hash

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/celestiaorg/go-header"
	goheaderp2p "github.com/celestiaorg/go-header/p2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

type headerSubscriber struct {
	sub      *goheaderp2p.Subscriber[H]
	subs     header.Subscription[H]
	mu       sync.Mutex
	verified int
}

var (
	hsubMu sync.Mutex
	hsub   *headerSubscriber
)

func init() {
	registerCommands(func(n *node, ctx context.Context, req request) (map[string]any, bool, error) {
		switch req.Cmd {
		case "hsub-start", "hsub-next", "hsub-broadcast", "hsub-verified", "hsub-wait-peer":
		case "store-height":
			h, err := n.headers().store.GetByHeight(ctx, req.Height)
			if err != nil {
				return nil, true, err
			}
			return describe(h), true, nil
		default:
			return nil, false, nil
		}
		res, err := n.headerSubscriberCommand(ctx, req)
		return res, true, err
	})
}

func (n *node) headerSubscriberCommand(ctx context.Context, req request) (map[string]any, error) {
	hsubMu.Lock()
	s := hsub
	hsubMu.Unlock()
	if req.Cmd == "hsub-start" {
		if s != nil {
			return nil, fmt.Errorf("the header subscriber is already started")
		}
		ps, err := n.pubSub()
		if err != nil {
			return nil, err
		}
		sub, err := goheaderp2p.NewSubscriber[H](ps, pubsub.DefaultMsgIdFn,
			goheaderp2p.WithSubscriberNetworkID(n.network))
		if err != nil {
			return nil, err
		}
		if err := sub.Start(n.ctx); err != nil {
			return nil, err
		}
		s = &headerSubscriber{sub: sub}
		if err := sub.SetVerifier(func(context.Context, H) error {
			s.mu.Lock()
			s.verified++
			s.mu.Unlock()
			return nil
		}); err != nil {
			return nil, err
		}
		subs, err := sub.Subscribe()
		if err != nil {
			return nil, err
		}
		s.subs = subs
		hsubMu.Lock()
		hsub = s
		hsubMu.Unlock()
		return map[string]any{"topic": goheaderp2p.PubsubTopicID(n.network)}, nil
	}
	if s == nil {
		return nil, fmt.Errorf("%s needs hsub-start first", req.Cmd)
	}
	switch req.Cmd {
	case "hsub-next":
		wait := 10 * time.Second
		if req.Millis > 0 {
			wait = time.Duration(req.Millis) * time.Millisecond
		}
		nctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		h, err := s.subs.NextHeader(nctx)
		if err != nil {
			return nil, err
		}
		return map[string]any{"height": h.Height(), "hash": h.Hash().String(), "chainId": h.ChainID()}, nil
	case "hsub-broadcast":
		h, err := n.headers().store.GetByHeight(ctx, req.Height)
		if err != nil {
			return nil, err
		}
		if err := s.sub.Broadcast(ctx, h); err != nil {
			return nil, err
		}
		return describe(h), nil
	case "hsub-wait-peer":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		ps, err := n.pubSub()
		if err != nil {
			return nil, err
		}
		topic := goheaderp2p.PubsubTopicID(n.network)
		for {
			for _, q := range ps.ListPeers(topic) {
				if q == p {
					return nil, nil
				}
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	case "hsub-verified":
		s.mu.Lock()
		defer s.mu.Unlock()
		return map[string]any{"count": s.verified}, nil
	}
	return nil, fmt.Errorf("unknown command %q", req.Cmd)
}
