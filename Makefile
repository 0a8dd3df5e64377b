# Local equivalents of what CI runs, and the benchmarks.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all fmt vet staticcheck test race bench bench-tables diffcheck serve

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

bench-tables:
	go run ./cmd/eddy bench tables

# The DynamoDB differential cases, checked against moto_server alone.
diffcheck:
	EDDY_DIFF_SELFCHECK=1 go test ./cmd/eddy -run TestDynamoDBDiff -count=1

serve:
	go run ./cmd/eddy serve
