# Local equivalents of what CI runs, and the benchmarks.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all fmt vet staticcheck test race bench serve

all: fmt vet test

fmt:
	gofmt -l -w .

vet:
	go vet ./...

staticcheck:
	go run $(STATICCHECK) ./...

test:
	go test ./...

race:
	go test -race ./...

bench:
	go run ./cmd/eddy bench invoke

serve:
	go run ./cmd/eddy serve
