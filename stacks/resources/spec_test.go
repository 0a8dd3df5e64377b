package resources_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/eddyserverless/eddy"
)

// TestSpecs checks every handler's Spec is consistent and that an empty
// or wrongly typed property set is refused with a validation error, or
// (for types whose properties are all optional) creates a resource that
// can be deleted.
func TestSpecs(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	var types []string
	for typ := range v.h {
		types = append(types, typ)
	}
	sort.Strings(types)
	if len(types) < 28 {
		t.Errorf("only %d types: %v", len(types), types)
	}
	for _, typ := range types {
		s := v.h[typ].Spec()
		for _, n := range append(slices.Clone(s.Required), s.Replace...) {
			if !slices.Contains(s.Properties, n) {
				t.Errorf("%s: %s is not among its properties", typ, n)
			}
		}
		r := req(typ, "Empty", map[string]any{})
		res, err := v.h[typ].Create(ctx, r)
		switch {
		case err == nil && len(s.Required) > 0:
			t.Errorf("%s: created without %v", typ, s.Required)
		case err == nil:
			r.PhysicalID = res.PhysicalID
			if err := v.h[typ].Delete(ctx, r); err != nil {
				t.Errorf("%s: delete: %v", typ, err)
			}
		case eddy.ErrorCode(err) != eddy.EVALIDATE:
			t.Errorf("%s: empty properties: %v", typ, err)
		}
		// Every property given as a number that is no object, list or
		// string the handler accepts: no panic, an *eddy.Error.
		bad := map[string]any{}
		for _, n := range s.Properties {
			bad[n] = []any{map[string]any{"x": 1}}
		}
		if _, err := v.h[typ].Create(ctx, req(typ, "Bad", bad)); eddy.ErrorCode(err) != eddy.EVALIDATE {
			t.Errorf("%s: wrongly typed properties: %v", typ, err)
		}
		// Deleting what was never created succeeds.
		d := req(typ, "Gone", map[string]any{})
		d.PhysicalID = "gone"
		if err := v.h[typ].Delete(ctx, d); err != nil {
			t.Errorf("%s: delete of a missing resource: %v", typ, err)
		}
	}
}
