package attrs_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/eddyserverless/eddy/tables/attrs"
)

func FuzzUnmarshalValue(f *testing.F) {
	for _, s := range []string{`{"S":"x"}`, `{"N":"01.50"}`, `{"B":"AAEC"}`, `{"SS":["a","b"]}`, `{"NS":["1","2"]}`,
		`{"BS":["AA=="]}`, `{"M":{"a":{"L":[{"NULL":true},{"BOOL":false}]}}}`, `{"L":[]}`, `{"NS":[]}`, `{}`, `{"N":"1e-130"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v attrs.Value
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal %#v: %v", v, err)
		}
		var w attrs.Value
		if err := json.Unmarshal(out, &w); err != nil {
			t.Fatalf("re-unmarshal %s: %v", out, err)
		}
		if !attrs.Equal(v, w) {
			t.Fatalf("round trip of %s: got %s", data, out)
		}
		_ = attrs.Size(attrs.Item{"a": v})
	})
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5", "01.50", "1E+125", "1e-130", "9.9999999999999999999999999999999999999E+125", ".5", "1e"} {
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, err := attrs.ParseNumber(a)
		if err != nil {
			return
		}
		y, err := attrs.ParseNumber(x.String())
		if err != nil || y != x {
			t.Fatalf("ParseNumber(%q) = %s, reparsed as %v, %v", a, x, y, err)
		}
		z, err := attrs.ParseNumber(b)
		if err != nil {
			return
		}
		if sum, err := x.Add(z); err == nil {
			if d, err := sum.Sub(z); err == nil && d.Cmp(x) != 0 {
				t.Fatalf("(%s + %s) - %s = %s", x, z, z, d)
			}
		}
		_, _ = x.Sub(z)
		if x.Cmp(z) != -z.Cmp(x) {
			t.Fatalf("Cmp not antisymmetric for %s, %s", x, z)
		}
	})
}

func FuzzSortKey(f *testing.F) {
	f.Add("1", "2")
	f.Add("-1.5", "-1.25")
	f.Add("0", "1e-130")
	f.Add("99", "100")
	f.Fuzz(func(t *testing.T, a, b string) {
		x, err1 := attrs.ParseNumber(a)
		y, err2 := attrs.ParseNumber(b)
		if err1 != nil || err2 != nil {
			return
		}
		kx, ky := attrs.SortKey(attrs.Num(x)), attrs.SortKey(attrs.Num(y))
		if got, want := bytes.Compare(kx, ky), x.Cmp(y); got != want {
			t.Fatalf("order of %s, %s: got %d, want %d", x, y, got, want)
		}
		v, err := attrs.DecodeSortKey(kx)
		if err != nil || v.N != x {
			t.Fatalf("DecodeSortKey(SortKey(%s)) = %v, %v", x, v, err)
		}
		// Strings sort bytewise.
		ks, kt := attrs.SortKey(attrs.Str(a)), attrs.SortKey(attrs.Str(b))
		if bytes.Compare(ks, kt) != bytes.Compare([]byte(a), []byte(b)) {
			t.Fatalf("string order of %q, %q", a, b)
		}
	})
}
