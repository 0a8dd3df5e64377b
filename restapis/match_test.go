package restapis_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/restapis"
)

func TestTreeMatch(t *testing.T) {
	tree := restapis.NewTree([]string{"/", "/items", "/items/{id}", "/items/{id}/parts/{part}", "/items/special", "/{proxy+}", "/files/{path+}"})
	cases := []struct {
		path   string
		tmpl   string
		params map[string]string
		ok     bool
	}{
		{"/", "/", map[string]string{}, true},
		{"/items", "/items", map[string]string{}, true},
		{"/items/", "/items", map[string]string{}, true},
		{"/items/42", "/items/{id}", map[string]string{"id": "42"}, true},
		{"/items/special", "/items/special", map[string]string{}, true},
		{"/items/42/parts/7", "/items/{id}/parts/{part}", map[string]string{"id": "42", "part": "7"}, true},
		{"/items/42/other", "/{proxy+}", map[string]string{"proxy": "items/42/other"}, true},
		{"/files/a/b/c", "/files/{path+}", map[string]string{"path": "a/b/c"}, true},
		{"/files", "/{proxy+}", map[string]string{"proxy": "files"}, true},
		{"/hello/world", "/{proxy+}", map[string]string{"proxy": "hello/world"}, true},
	}
	for _, c := range cases {
		tmpl, params, ok := tree.Match(c.path)
		if ok != c.ok || tmpl != c.tmpl || !reflect.DeepEqual(params, c.params) {
			t.Errorf("Match(%q): got %q %v %v, want %q %v %v", c.path, tmpl, params, ok, c.tmpl, c.params, c.ok)
		}
	}
	noProxy := restapis.NewTree([]string{"/items/{id}"})
	for _, p := range []string{"/", "/items", "/items/1/2", "/other"} {
		if tmpl, _, ok := noProxy.Match(p); ok {
			t.Errorf("Match(%q) without a proxy: got %q, want no match", p, tmpl)
		}
	}
}

func TestValidPathPart(t *testing.T) {
	for _, p := range []string{"items", "{id}", "{proxy+}", "v1.2", "a-b_c"} {
		if !restapis.ValidPathPart(p) {
			t.Errorf("ValidPathPart(%q): got false, want true", p)
		}
	}
	for _, p := range []string{"", "a b", "{id", "id}", "{}", "{a}b", "a/b", "{+}", "?x"} {
		if restapis.ValidPathPart(p) {
			t.Errorf("ValidPathPart(%q): got true, want false", p)
		}
	}
}

func FuzzTreeMatch(f *testing.F) {
	f.Add("/items/{id}\n/{proxy+}\n/", "/items/42")
	f.Add("/a/{b}/c\n/a/x/{d+}", "/a/x/c")
	f.Add("/{x}/{y}", "//")
	f.Fuzz(func(t *testing.T, templates, path string) {
		list := strings.Split(templates, "\n")
		tree := restapis.NewTree(list)
		tmpl, params, ok := tree.Match(path)
		if !ok {
			return
		}
		found := false
		for _, l := range list {
			if l == tmpl {
				found = true
			}
		}
		if !found {
			t.Fatalf("matched %q, not one of the templates", tmpl)
		}
		// every variable of the template has a value, and a greedy one is
		// the rest of the path
		for _, part := range strings.Split(strings.Trim(tmpl, "/"), "/") {
			if strings.HasPrefix(part, "{") {
				name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(part, "{"), "}"), "+")
				if _, ok := params[name]; !ok {
					t.Fatalf("template %q matched %q without %q: %v", tmpl, path, name, params)
				}
			}
		}
	})
}
