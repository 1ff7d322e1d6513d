module yamuxinterop

go 1.22

require github.com/libp2p/go-yamux/v5 v5.0.1

require github.com/libp2p/go-buffer-pool v0.0.2 // indirect
