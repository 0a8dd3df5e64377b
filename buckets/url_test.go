package buckets_test

import (
	"testing"

	"github.com/eddyserverless/eddy/buckets"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ url, bucket, key string }{
		{"http://localhost:4566/b/k/x.yaml", "b", "k/x.yaml"},
		{"https://s3.us-east-1.amazonaws.com/b/t.json", "b", "t.json"},
		{"https://b.s3.amazonaws.com/dir/t.yaml", "b", "dir/t.yaml"},
		{"https://b.s3.eu-west-1.amazonaws.com/t", "b", "t"},
	} {
		b, k, ok := buckets.ParseURL(c.url)
		if !ok || b != c.bucket || k != c.key {
			t.Errorf("%s: %q %q %v", c.url, b, k, ok)
		}
	}
	for _, bad := range []string{"", "not a url", "http://localhost/", "http://localhost/b", "https://b.s3.amazonaws.com/", "/b/k"} {
		if _, _, ok := buckets.ParseURL(bad); ok {
			t.Errorf("%q: want no object", bad)
		}
	}
}
