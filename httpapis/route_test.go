package httpapis_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/httpapis"
)

func TestParseRouteKey(t *testing.T) {
	for _, c := range []struct {
		key string
		ok  bool
	}{
		{"$default", true},
		{"GET /", true},
		{"ANY /{proxy+}", true},
		{"POST /a/{b}/c", true},
		{"GET /a/{b+}", true},
		{"get /a", false},
		{"GET", false},
		{"GET a", false},
		{"GET /a//b", false},
		{"GET /a/", false},
		{"GET /{a+}/b", false},
		{"GET /{a}/{a}", false},
		{"GET /{}", false},
		{"GET /a{b}", false},
		{"GET /a b", false},
		{"GET /a?b", false},
		{"$DEFAULT", false},
	} {
		k, err := httpapis.ParseRouteKey(c.key)
		if (err == nil) != c.ok {
			t.Errorf("ParseRouteKey(%q): got error %v, want ok %v", c.key, err, c.ok)
			continue
		}
		if err == nil && k.String() != c.key {
			t.Errorf("ParseRouteKey(%q).String(): got %q", c.key, k.String())
		}
	}
}

func TestMatchRoute(t *testing.T) {
	keys := []string{"GET /pets/dog", "GET /pets/{name}", "ANY /pets/{name}", "ANY /{proxy+}", "GET /pets/{name}/toys/{rest+}", "GET /", "$default", "GET /a/{b}/c"}
	for _, c := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/pets/dog", "GET /pets/dog", nil},
		{"GET", "/pets/cat", "GET /pets/{name}", map[string]string{"name": "cat"}},
		{"DELETE", "/pets/cat", "ANY /pets/{name}", map[string]string{"name": "cat"}},
		{"GET", "/pets/c%20t", "GET /pets/{name}", map[string]string{"name": "c t"}},
		{"GET", "/pets/cat/toys/x/y/z", "GET /pets/{name}/toys/{rest+}", map[string]string{"name": "cat", "rest": "x/y/z"}},
		{"POST", "/pets/cat/toys/x", "ANY /{proxy+}", map[string]string{"proxy": "pets/cat/toys/x"}},
		{"GET", "/a/b/c", "GET /a/{b}/c", map[string]string{"b": "b"}},
		{"GET", "/a/b/d", "ANY /{proxy+}", map[string]string{"proxy": "a/b/d"}},
		{"GET", "/", "GET /", nil},
		{"PUT", "/", "$default", nil},
	} {
		got, params, ok := httpapis.MatchRoute(keys, c.method, c.path)
		if !ok || got != c.want || !reflect.DeepEqual(params, c.params) {
			t.Errorf("%s %s: got %q %v (%v), want %q %v", c.method, c.path, got, params, ok, c.want, c.params)
		}
	}
	if _, _, ok := httpapis.MatchRoute([]string{"GET /a"}, "GET", "/b"); ok {
		t.Error("GET /b matched GET /a")
	}
	if _, _, ok := httpapis.MatchRoute([]string{"GET /{proxy+}"}, "GET", "/"); ok {
		t.Error("GET / matched GET /{proxy+}")
	}
}

func FuzzRouteKey(f *testing.F) {
	for _, s := range []string{"$default", "GET /", "ANY /{proxy+}", "POST /a/{b}/c", "GET /a/{b+}", "GET /a//b", "x", "GET /{a}/{a}"} {
		f.Add(s, "GET", "/a/b/c")
	}
	f.Fuzz(func(t *testing.T, key, method, path string) {
		k, err := httpapis.ParseRouteKey(key)
		if err != nil {
			return
		}
		if k.String() != key {
			t.Fatalf("ParseRouteKey(%q).String() = %q", key, k.String())
		}
		if _, err := httpapis.ParseRouteKey(k.String()); err != nil {
			t.Fatalf("round trip of %q: %v", key, err)
		}
		got, params, ok := httpapis.MatchRoute([]string{key, "$default"}, method, path)
		if !ok {
			t.Fatalf("%s %s: $default did not match", method, path)
		}
		if got != key && got != "$default" {
			t.Fatalf("got route %q", got)
		}
		for name := range params {
			if !strings.Contains(key, "{"+name) {
				t.Fatalf("parameter %q is not in %q", name, key)
			}
		}
	})
}
