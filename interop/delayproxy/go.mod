module github.com/headersync/headersync/interop/delayproxy

go 1.25.8
