package awsapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/awsapi"
)

const (
	testStreamArn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-01-02T03:04:05.678"
	testShard     = "shardId-00000001767323045678-0a1b2c3d"
)

func TestShardIterator(t *testing.T) {
	issued := time.UnixMilli(1767323045678)
	it := awsapi.EncodeShardIterator(testStreamArn, testShard, 42, issued)
	if len(it) > 2048 {
		t.Fatalf("got an iterator of %d characters, want at most 2048", len(it))
	}
	tests := []struct {
		what     string
		iterator string
		now      time.Time
		wantType string // "" for success
	}{
		{"fresh", it, issued, ""},
		{"at its lifetime", it, issued.Add(15 * time.Minute), ""},
		{"expired", it, issued.Add(15*time.Minute + time.Millisecond), "ExpiredIteratorException"},
		{"empty", "", issued, "ValidationException"},
		{"not base64url", "!!" + it, issued, "ValidationException"},
		{"truncated", it[:len(it)-2], issued, "ValidationException"},
		{"garbage", "sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg", issued, "ValidationException"},
		{"checksum only", awsapi.EncodeShardIterator("", "", 0, issued)[:5], issued, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			arn, shard, pos, err := awsapi.DecodeShardIterator(tt.iterator, tt.now)
			if tt.wantType == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if arn != testStreamArn || shard != testShard || pos != 42 {
					t.Fatalf("got %s %s %d, want %s %s 42", arn, shard, pos, testStreamArn, testShard)
				}
				return
			}
			e := eddy.AsError(err)
			if e == nil || e.Type != tt.wantType {
				t.Fatalf("got %v, want %s", err, tt.wantType)
			}
			if tt.wantType == "ExpiredIteratorException" && !strings.HasPrefix(e.Message, "Iterator expired.") {
				t.Fatalf("got message %q, want it to start with %q", e.Message, "Iterator expired.")
			}
		})
	}
}

// TestShardIteratorTamper changes each character of an iterator in turn:
// every change must be refused, never read as another position.
func TestShardIteratorTamper(t *testing.T) {
	issued := time.Now()
	it := awsapi.EncodeShardIterator(testStreamArn, testShard, 7, issued)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(it) {
		c := alphabet[(strings.IndexByte(alphabet, it[i])+1)%len(alphabet)]
		bad := it[:i] + string(c) + it[i+1:]
		if _, _, _, err := awsapi.DecodeShardIterator(bad, issued); err == nil {
			t.Fatalf("changing character %d: got no error, want ValidationException", i)
		}
	}
}

func FuzzShardIterator(f *testing.F) {
	now := time.UnixMilli(1767323045678)
	f.Add(awsapi.EncodeShardIterator(testStreamArn, testShard, 1, now))
	f.Add("")
	f.Add("e30")
	f.Add("eyJhIjoiYSIsInMiOiJzIiwicCI6MSwidCI6MX0")
	f.Fuzz(func(t *testing.T, s string) {
		arn, shard, pos, err := awsapi.DecodeShardIterator(s, now)
		if err != nil {
			if typ := eddy.AsError(err); typ == nil || (typ.Type != "ValidationException" && typ.Type != "ExpiredIteratorException") {
				t.Fatalf("got %v, want ValidationException or ExpiredIteratorException", err)
			}
			return
		}
		// What decodes re-encodes to an iterator that decodes the same.
		again := awsapi.EncodeShardIterator(arn, shard, pos, now)
		a2, s2, p2, err := awsapi.DecodeShardIterator(again, now)
		if err != nil || a2 != arn || s2 != shard || p2 != pos {
			t.Fatalf("round trip of %q: got %q %q %d %v", s, a2, s2, p2, err)
		}
	})
}
