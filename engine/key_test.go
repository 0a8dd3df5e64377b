package engine_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/engine"
)

// keyChars is what EncodeKey may use: characters valid in a NATS KV key and
// in a subject token, without "." (the token separator), "*" and ">".
var keyChars = regexp.MustCompile(`^[0-9a-v-]+$`)

func TestEncodeKey(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "-"},
		{"a", "c4"},
		{"f", "co"},
		{"fo", "cpng"},
		{"foo", "cpnmu"},
		{"foob", "cpnmuog"},
		{"fooba", "cpnmuoj1"},
		{"foobar", "cpnmuoj1e8"},
		{"\x00", "00"},
		{"\xff", "vs"},
		{"/aws/lambda/my-function", "5tgnespfdhgmqoj4c4nmqu9dcpqmsorkd5nms"},
	}
	for _, tt := range tests {
		got := engine.EncodeKey(tt.in)
		if got != tt.want {
			t.Errorf("EncodeKey(%q): got %q, want %q", tt.in, got, tt.want)
		}
		back, ok := engine.DecodeKey(got)
		if !ok || back != tt.in {
			t.Errorf("DecodeKey(%q): got %q, %v, want %q, true", got, back, ok, tt.in)
		}
	}
}

func TestEncodeKeyRoundTrip(t *testing.T) {
	tests := []string{
		"", "a", "-", ".", "*", ">", "a.b", "a b", "/aws/lambda/f", "2026/11/22/[$LATEST]0123456789abcdef",
		"\x00", "\x00\x00", "\xff\xff\xff", "héllo wörld", "日本語", "\xc3", strings.Repeat("x", 1000),
	}
	for _, s := range tests {
		k := engine.EncodeKey(s)
		if !keyChars.MatchString(k) {
			t.Errorf("EncodeKey(%q): got %q, want only [0-9a-v-]", s, k)
		}
		if got, ok := engine.DecodeKey(k); !ok || got != s {
			t.Errorf("DecodeKey(EncodeKey(%q)) = DecodeKey(%q): got %q, %v, want %q, true", s, k, got, ok, s)
		}
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	tests := []string{
		"",     // not even the empty string's key
		"--",   // only "-" alone is the empty string
		"c",    // a length base32 never produces
		"c4c",  // likewise
		"c4=",  // padding
		"c4==", // padding
		"C4",   // upper case: EncodeKey writes lower case only
		"c5",   // "a" with non-zero trailing bits
		"vt",   // "\xff" with non-zero trailing bits
		"w0",   // outside the base32hex alphabet
		"c4.c4",
		"c4 ",
	}
	for _, k := range tests {
		if got, ok := engine.DecodeKey(k); ok {
			t.Errorf("DecodeKey(%q): got %q, true, want ok=false", k, got)
		}
	}
}

func TestEncodeKeyOrder(t *testing.T) {
	// Sorted in byte order; their keys must sort the same way.
	in := []string{
		"",
		"\x00",
		"\x00\x00",
		"\x00\x01",
		"\x01",
		"-",
		".",
		"/aws/lambda/a",
		"/aws/lambda/a-b",
		"/aws/lambda/a/b",
		"/aws/lambda/aa",
		"/aws/lambda/b",
		"0",
		"A",
		"Z",
		"a",
		"a\x00",
		"a\x00\x00",
		"a\x01",
		"aa",
		"aaa",
		"aaaa",
		"aaaaa",
		"aaaaaa",
		"ab",
		"b",
		"é",
		"\xff",
		"\xff\x00",
		"\xff\xff",
	}
	if !slices.IsSorted(in) {
		t.Fatalf("test table: got unsorted input, want it sorted")
	}
	keys := make([]string, len(in))
	for i, s := range in {
		keys[i] = engine.EncodeKey(s)
	}
	for i := 1; i < len(in); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("EncodeKey(%q) = %q, EncodeKey(%q) = %q: got keys out of order, want %q < %q",
				in[i-1], keys[i-1], in[i], keys[i], keys[i-1], keys[i])
		}
	}
}

func FuzzEncodeKeyOrder(f *testing.F) {
	for _, p := range [][2]string{
		{"", "a"},
		{"a", "a\x00"},
		{"a", "b"},
		{"\x00", "\x00\x00"},
		{"\xff", "\xff\x00"},
		{"foo", "foobar"},
		{"fooba", "foobar"},
		{"/aws/lambda/f", "/aws/lambda/g"},
		{"x", "x"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := engine.EncodeKey(a), engine.EncodeKey(b)
		for _, c := range []struct{ s, k string }{{a, ka}, {b, kb}} {
			if !keyChars.MatchString(c.k) {
				t.Fatalf("EncodeKey(%q): got %q, want only [0-9a-v-]", c.s, c.k)
			}
			if got, ok := engine.DecodeKey(c.k); !ok || got != c.s {
				t.Fatalf("DecodeKey(%q): got %q, %v, want %q, true", c.k, got, ok, c.s)
			}
		}
		if got, want := strings.Compare(ka, kb), strings.Compare(a, b); got != want {
			t.Fatalf("EncodeKey(%q) = %q, EncodeKey(%q) = %q: got comparison %d, want %d", a, ka, b, kb, got, want)
		}
	})
}

// FuzzDecodeKey checks that DecodeKey accepts exactly what EncodeKey
// writes: one key per string, so that keys compare as their strings do.
func FuzzDecodeKey(f *testing.F) {
	for _, k := range []string{"-", "c4", "c5", "C4", "c", "cpnmuoj1e8", "vs", "vt", "", "--"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		s, ok := engine.DecodeKey(k)
		if !ok {
			return
		}
		if got := engine.EncodeKey(s); got != k {
			t.Fatalf("DecodeKey(%q) = %q, true; EncodeKey(%q): got %q, want %q", k, s, s, got, k)
		}
	})
}
