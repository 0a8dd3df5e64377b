// These tests are inside the package: they check the Python forms the
// logical ids hash, which are not part of the API.
package sam

import (
	"encoding/json"
	"testing"
)

// TestPyJSON checks the Python json.dumps(sort_keys=True,
// separators=(",", ":")) form logical ids hash; the wants are Python's.
func TestPyJSON(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{map[string]any{"b": 1.0, "a": json.Number("2"), "c": []any{true, nil, "x"}}, `{"a":2,"b":1.0,"c":[true,null,"x"]}`},
		{"é\"\n<&>\U0001F600", `"\u00e9\"\n<&>\ud83d\ude00"`},
		{map[string]any{"é": 1, "z": 2}, `{"z":2,"\u00e9":1}`},
	} {
		if got := pyJSON(tc.in); got != tc.want {
			t.Errorf("pyJSON(%v): got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestPy27Order checks Python 2.7's dict order, as samtranslator's
// Py27Dict computes it, for a few key sets.
func TestPy27Order(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		want []string
	}{
		{[]string{"swagger", "info", "paths"}, []string{"info", "paths", "swagger"}},
		{[]string{"type", "httpMethod", "uri"}, []string{"httpMethod", "type", "uri"}},
		{[]string{"/items", "/items/{id}"}, []string{"/items/{id}", "/items"}},
		{[]string{"summary", "consumes", "produces", "x-amazon-apigateway-integration", "responses"},
			[]string{"x-amazon-apigateway-integration", "consumes", "summary", "responses", "produces"}},
	} {
		m := map[string]any{}
		for _, k := range tc.keys {
			m[k] = 1
		}
		got := py27Order(m)
		if len(got) != len(tc.want) {
			t.Fatalf("got %v, want %v", got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("got %v, want %v", got, tc.want)
				break
			}
		}
	}
}

// TestPyRepr checks str() of a Py27 swagger fragment.
func TestPyRepr(t *testing.T) {
	got := pyRepr(gen{"a": uni("it's"), "b": []any{uni("x"), "y", true, nil}, "c": map[string]any{"p": "q"}})
	want := `{'a': u"it's", 'c': {u'p': 'q'}, 'b': [u'x', 'y', True, None]}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
