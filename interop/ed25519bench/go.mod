module github.com/headersync/headersync/interop/ed25519bench

go 1.25.8
