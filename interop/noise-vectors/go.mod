module headersync/interop/noise-vectors

go 1.22

require github.com/flynn/noise v1.1.0

require (
	golang.org/x/crypto v0.0.0-20210322153248-0c34fe9e7dc2 // indirect
	golang.org/x/sys v0.0.0-20201119102817-f84b799fce68 // indirect
)
