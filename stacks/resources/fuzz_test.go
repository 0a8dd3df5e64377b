package resources_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/stacks"
)

// FuzzCreate creates resources of every type from arbitrary property
// maps: each either succeeds or fails with an *eddy.Error, never panics.
func FuzzCreate(f *testing.F) {
	v := newEnv(f)
	for _, s := range []string{
		`{"VisibilityTimeout": "x"}`,
		`{"KeySchema": [{"AttributeName": 1}]}`,
		`{"Code": {"ZipFile": ["a"]}, "Role": {}}`,
		`{"AssumeRolePolicyDocument": {}, "Tags": [{"Key": []}]}`,
		`{"RetentionInDays": 1e300}`,
		`{"Tags": "t", "FifoQueue": 3}`,
		`{"Environment": {"Variables": {"A": {}}}}`,
	} {
		for typ := range 30 {
			f.Add(uint8(typ), s)
		}
	}
	var types []string
	for typ := range v.h {
		types = append(types, typ)
	}
	sort.Strings(types)
	f.Fuzz(func(t *testing.T, typ uint8, props string) {
		var m map[string]any
		d := json.NewDecoder(stringsReader(props))
		d.UseNumber()
		if d.Decode(&m) != nil || m == nil {
			return
		}
		r := &stacks.Request{Stack: stack, LogicalID: "Fuzz", Type: types[int(typ)%len(types)], Properties: m}
		res, err := v.h[r.Type].Create(context.Background(), r)
		if err != nil {
			if eddy.AsError(err) == nil {
				t.Fatalf("%s %s: not an *eddy.Error: %v", r.Type, props, err)
			}
			return
		}
		r.PhysicalID = res.PhysicalID
		if err := v.h[r.Type].Delete(context.Background(), r); err != nil {
			t.Fatalf("delete: %v", err)
		}
	})
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
