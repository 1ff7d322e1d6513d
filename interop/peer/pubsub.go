package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// pubsubNode is the peer's go-libp2p-pubsub router: by default FloodSub as ev-node (v1.1.1+) runs it,
// StrictSign, the default message id (from ‖ seqno) and a 5 MiB maximum message size; pubsub-start
// (gossip.go) can choose gossipsub instead.
type pubsubNode struct {
	ps     *pubsub.PubSub
	topics map[string]*pubsub.Topic
	subs   map[string]*pubsub.Subscription
}

const evnodeMaxMessageSize = 5 << 20

func (n *node) pubsubCommand(ctx context.Context, req request) (map[string]any, bool, error) {
	switch req.Cmd {
	case "pubsub-join", "pubsub-publish", "pubsub-next", "pubsub-peers", "pubsub-wait-peer":
	default:
		return nil, false, nil
	}
	res, err := n.pubsubHandle(ctx, req)
	return res, true, err
}

// pubSub returns the node's router, starting it on first use. Other files (go-header's Subscriber)
// use it too; topics they join themselves must not also be joined through pubsub-join.
func (n *node) pubSub() (*pubsub.PubSub, error) {
	n.psMu.Lock()
	defer n.psMu.Unlock()
	if err := n.startPubSubLocked(); err != nil {
		return nil, err
	}
	return n.ps.ps, nil
}

func (n *node) startPubSubLocked() error {
	if n.ps != nil {
		return nil
	}
	ps, err := n.newRouter() // floodsub unless pubsub-start chose another (gossip.go)
	if err != nil {
		return err
	}
	n.ps = &pubsubNode{ps: ps, topics: map[string]*pubsub.Topic{}, subs: map[string]*pubsub.Subscription{}}
	return nil
}

func (n *node) pubsubTopic(topic string) (*pubsub.Topic, *pubsub.Subscription, error) {
	n.psMu.Lock()
	defer n.psMu.Unlock()
	if err := n.startPubSubLocked(); err != nil {
		return nil, nil, err
	}
	if t, ok := n.ps.topics[topic]; ok {
		return t, n.ps.subs[topic], nil
	}
	t, err := n.ps.ps.Join(topic)
	if err != nil {
		return nil, nil, err
	}
	sub, err := t.Subscribe()
	if err != nil {
		return nil, nil, err
	}
	n.ps.topics[topic] = t
	n.ps.subs[topic] = sub
	return t, sub, nil
}

func (n *node) pubsubHandle(ctx context.Context, req request) (map[string]any, error) {
	if req.Topic == "" {
		return nil, fmt.Errorf("%s needs a topic", req.Cmd)
	}
	t, sub, err := n.pubsubTopic(req.Topic)
	if err != nil {
		return nil, err
	}
	switch req.Cmd {
	case "pubsub-join":
		return map[string]any{"peer": n.host.ID().String()}, nil
	case "pubsub-publish":
		data, err := hex.DecodeString(req.Data)
		if err != nil {
			return nil, err
		}
		return nil, t.Publish(ctx, data)
	case "pubsub-next":
		wait := time.Duration(max(req.Millis, 1)) * time.Millisecond
		if req.Millis == 0 {
			wait = 10 * time.Second
		}
		nctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		m, err := sub.Next(nctx)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(m.Data)
		res := map[string]any{
			"from":         peer.ID(m.From).String(),
			"seqno":        hex.EncodeToString(m.Seqno),
			"size":         len(m.Data),
			"dataSha256":   hex.EncodeToString(sum[:]),
			"topic":        m.GetTopic(),
			"receivedFrom": m.ReceivedFrom.String(),
			"signed":       len(m.Signature) > 0,
			"hasKey":       len(m.Key) > 0,
		}
		if len(m.Data) <= 64<<10 {
			res["data"] = hex.EncodeToString(m.Data) // larger payloads: compare dataSha256
		}
		return res, nil
	case "pubsub-peers":
		list := []string{}
		for _, p := range t.ListPeers() {
			list = append(list, p.String())
		}
		return map[string]any{"peers": list}, nil
	case "pubsub-wait-peer":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		h, err := t.EventHandler()
		if err != nil {
			return nil, err
		}
		defer h.Cancel()
		for {
			ev, err := h.NextPeerEvent(ctx)
			if err != nil {
				return nil, err
			}
			if ev.Type == pubsub.PeerJoin && ev.Peer == p {
				return nil, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown command %q", req.Cmd)
}
