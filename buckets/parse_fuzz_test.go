package buckets_test

import (
	"net/url"
	"testing"

	"github.com/eddyserverless/eddy/buckets"
)

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=-5", "bytes=10-", "bytes=0-1,2-3", "bytes=9-0", "bytes=-0", "bytes= 1 - 2 ", "bytes=99999999999999999999-", "items=1-2", ""} {
		f.Add(s, int64(100))
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
			if size < 0 {
				return
			}
		}
		a, b, ok, err := buckets.ParseRange(h, size)
		if err != nil && ok {
			t.Fatalf("%q: ok with an error", h)
		}
		if ok && (a < 0 || b < a || b >= size) {
			t.Fatalf("%q over %d: got %d-%d", h, size, a, b)
		}
	})
}

func FuzzParseTagging(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a=1&a=2", "a", "=v", "k=%zz", "a=1&&b=", "%E6%97%A5=%E8%AA%9E"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		tags, err := buckets.ParseTagging(q)
		if err != nil {
			return
		}
		if len(tags) > 10 {
			t.Fatalf("%q: got %d tags", q, len(tags))
		}
		if err := buckets.CheckTags(tags); err != nil {
			t.Fatalf("%q: parsed tags fail their check: %v", q, err)
		}
		// What parses re-encodes to the same tag set.
		v := url.Values{}
		for k, val := range tags {
			v.Set(k, val)
		}
		again, err := buckets.ParseTagging(v.Encode())
		if err != nil || len(again) != len(tags) {
			t.Fatalf("%q: round trip gave %v %v", q, again, err)
		}
		for k, val := range tags {
			if again[k] != val {
				t.Fatalf("%q: round trip changed %q", q, k)
			}
		}
	})
}

func FuzzValidBucketName(f *testing.F) {
	for _, s := range []string{"abc", "a.b-c", "1.2.3.4", "xn--a", "ab", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !buckets.ValidBucketName(name) {
			return
		}
		if len(name) < 3 || len(name) > 63 {
			t.Fatalf("%q accepted", name)
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
				t.Fatalf("%q accepted", name)
			}
		}
	})
}

func FuzzParseCopyRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=5-1", "bytes=-1", "bytes=0-", "0-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, b, ok := buckets.ExportParseCopyRange(h)
		if ok && (a < 0 || b < a) {
			t.Fatalf("%q: got %d-%d", h, a, b)
		}
	})
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		h       string
		size    int64
		a, b    int64
		ok      bool
		invalid bool
	}{
		{"bytes=0-9", 100, 0, 9, true, false},
		{"bytes=90-200", 100, 90, 99, true, false},
		{"bytes=-10", 100, 90, 99, true, false},
		{"bytes=-200", 100, 0, 99, true, false},
		{"bytes=100-", 100, 0, 0, false, true},
		{"bytes=-0", 100, 0, 0, false, true},
		{"bytes=0-", 0, 0, 0, false, true},
		{"bytes=-1", 0, 0, 0, false, false},
		{"bytes=5-1", 100, 0, 0, false, false},
		{"bytes=0-1,3-4", 100, 0, 0, false, false},
		{"bytes=a-b", 100, 0, 0, false, false},
		{"", 100, 0, 0, false, false},
	} {
		a, b, ok, err := buckets.ParseRange(c.h, c.size)
		if (err != nil) != c.invalid || ok != c.ok || a != c.a || b != c.b {
			t.Errorf("%q over %d: got %d-%d %v %v, want %d-%d %v invalid=%v", c.h, c.size, a, b, ok, err, c.a, c.b, c.ok, c.invalid)
		}
	}
}
