package attrs_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
)

// decodeSeeds are inputs for the equivalence tests: the inputs of the other
// tests, and the corners of the format.
var decodeSeeds = []string{
	`{"S":"x"}`, `{"S":""}`, `{"N":"01.50"}`, `{"B":"AAEC"}`, `{"SS":["a","b"]}`, `{"NS":["1","2.50"]}`,
	`{"BS":["AA==","AQ=="]}`, `{"M":{"b":{"N":"1"},"a":{"L":[{"NULL":true},{"BOOL":false}]}}}`,
	`{"L":[]}`, `{"M":{}}`, `{"S":"x","N":null}`, `{}`, `{"S":"a","N":"1"}`, `{"NS":[]}`, `{"SS":[]}`,
	`{"BS":[]}`, `{"SS":["a","a"]}`, `{"NS":["1","1.0"]}`, `{"NULL":false}`, `{"N":"x"}`, `{"N":"1E+200"}`,
	`{"S":1}`, `{"X":"1"}`, `{"B":"!!"}`, `[]`, `{"M":{"a":{}}}`, `{"N":"1e-130"}`,
	`{"pk":{"S":"a"},"n":{"N":"1"}}`,
	benchItem,
	// Duplicate member names: the last one wins.
	`{"S":"a","S":"b"}`, `{"S":"a","S":null}`, `{"S":null,"S":"a"}`, `{"S":1,"S":"a"}`, `{"S":"a","\u0053":"b"}`,
	`{"M":{"a":{"S":"x"},"a":{"N":"1"}}}`, `{"M":{"a":{"X":1},"a":{"S":"x"}}}`,
	`{"a":{"S":"x"},"a":{"N":"1"}}`, `{"a":{"X":1},"a":{"S":"x"}}`, `{"a":{"S":"x"},"b":{"N":"y"},"a":{"X":1}}`,
	// Several errors at once: the first in document order is reported.
	`{"X":1,"Y":2}`, `{"a":{"X":1},"b":{"Y":1}}`, `{"M":{"a":{"N":"x"},"b":{"S":1}}}`, `{"S":1,"X":1}`,
	`{"N":"1E+126","X":1}`, `{"L":[{"N":"x"},{"X":1}]}`, `{"X":null}`, `{"X":null,"S":"a"}`,
	// null where a value belongs.
	`null`, `{"M":{"a":null}}`, `{"L":[null]}`, `{"a":null}`, `{"SS":["a",null]}`, `{"SS":[null,null]}`,
	`{"NS":[null]}`, `{"BS":["AA==",null]}`, `{"M":null,"S":"a"}`,
	// Wrong JSON types.
	`{"SS":["a",1]}`, `{"SS":"a"}`, `{"NULL":"true"}`, `{"BOOL":1}`, `{"BOOL":"true"}`, `{"L":{}}`, `{"M":[]}`,
	`{"N":1}`, `{"B":true}`, `{"S":{"S":"x"}}`, `"S"`, `1`, `true`, `{"a":[]}`,
	// Sets: errors in order.
	`{"NS":["1","x","1"]}`, `{"NS":["1","1","x"]}`, `{"BS":["AA==","AA=="]}`, `{"BS":["AA==","A"]}`,
	`{"B":"AA\nAA=="}`, `{"B":"A"}`, `{"B":"AA\r\nEC"}`, `{"B":"\u0041\u0041=="}`, `{"B":"AA\/A"}`,
	// Strings.
	`{"S":"\u0041\n\t\"\\\/\b\f\r"}`, `{"S":"\ud83d\ude00"}`, `{"S":"\ud83d"}`, `{"S":"\ud83dx"}`,
	`{"S":"\ud83d\u0041"}`, `{"S":"\udc00\ud800\udc00"}`, `{"S":"\ud800\ud800\udc00"}`, "{\"S\":\"\xff\xfe\"}",
	"{\"S\":\"\xed\xa0\x80\"}", "{\"S\":\"a\xc3\"}", `{"S":"\u2028<>&"}`, `{"S":"é€😀"}`, "{\"S\":\"\x01\"}",
	`{"S":"\'"}`, `{"S":"\u00"}`, `{"S":"\x41"}`, "{\"\xff\":{\"S\":\"x\"}}", "{\"\xff\":1}",
	// Syntax.
	` {"S":"x"} `, "\t{\n\"S\"\r:\"x\" }\n", `{"S":"x"} x`, `{"S":"x"}}`, `{"S":"x"`, `{"S":01}`, `{"S":1e5}`,
	`{"S":-0.5E+3}`, `{"S":-}`, `{"S":1.}`, `{"S":.5}`, `{"S":tru}`, `{"S":truex}`, `{"S":"x",}`, `{,}`,
	`{"L":[{"S":"x"},]}`, `{"L":[,]}`, `{"S" "x"}`, `{S:"x"}`, ``, ` `, `{"BOOL":true}`, `{"BOOL":false}`,
	`{"NULL":true}`, `{"NULL":null}`, `{"SS":[ "a" , "b" ]}`, `{"L":[ ]}`, `{"M":{ }}`, `{ "L" : [ {"S":"x"} ] }`,
	// Names that decode to the same text (invalid UTF-8 becomes U+FFFD).
	"{\"\xff\":{\"S\":\"a\"},\"\xfe\":{\"S\":\"b\"}}", "{\"M\":{\"\xff\":{\"S\":\"a\"},\"\ufffd\":{\"X\":1}}}",
	// Large sets, checked for duplicates another way.
	`{"SS":[` + strings.Repeat(`"a","b","c","d","e","f",`, 3) + `"g"]}`,
	`{"NS":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","1.0"]}`,
	`{"NS":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18"]}`,
	`{"BS":["AA==","AQ==","Ag==","Aw==","BA==","BQ==","Bg==","Bw==","CA==","CQ==","Cg==","Cw==","DA==","DQ==","Dg==","Dw==","EA==","AA=="]}`,
	// Depth.
	strings.Repeat(`{"L":[`, 32) + `{"NULL":true}` + strings.Repeat(`]}`, 32),
	strings.Repeat(`{"L":[`, 33) + `{"NULL":true}` + strings.Repeat(`]}`, 33),
	strings.Repeat(`{"M":{"a":`, 33) + `{"NULL":true}` + strings.Repeat(`}}`, 33),
	strings.Repeat(`{"L":[`, 33) + `null` + strings.Repeat(`]}`, 33),
	strings.Repeat(`{"L":[`, 33) + `1` + strings.Repeat(`]}`, 33),
	strings.Repeat(`{"L":[`, 40) + `{"NULL":true}` + strings.Repeat(`]}`, 40),
	strings.Repeat(`{"L":[`, 40) + `{"NULL":true}` + strings.Repeat(`]}`, 39),
}

// sameError reports whether two errors are the same: the same eddy error
// (code, type and message), or errors with the same text.
func sameError(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil {
		return true
	}
	ea, eb := eddy.AsError(a), eddy.AsError(b)
	if ea != nil || eb != nil {
		return ea != nil && eb != nil && *ea == *eb
	}
	return a.Error() == b.Error()
}

// sameValue reports whether two values are equal both as DynamoDB values
// and in their Go representation.
func sameValue(a, b attrs.Value) bool {
	return attrs.Equal(a, b) && reflect.DeepEqual(a, b)
}

func sameItem(a, b attrs.Item) bool {
	return (a == nil) == (b == nil) && attrs.ItemsEqual(a, b) && reflect.DeepEqual(a, b)
}

// checkDecodeEquivalence checks that every way of decoding data gives what
// the reference decoder gives.
func checkDecodeEquivalence(t *testing.T, data []byte) {
	t.Helper()
	// (*Value).UnmarshalJSON called directly, on any bytes.
	var got attrs.Value
	gotErr := got.UnmarshalJSON(data)
	want, wantErr := refDecodeValue(data, 1)
	if !sameError(gotErr, wantErr) || gotErr == nil && !sameValue(got, want) {
		t.Fatalf("Value.UnmarshalJSON(%q): got %#v, %v, want %#v, %v", data, got, gotErr, want, wantErr)
	}

	// DecodeItem and (*Item).UnmarshalJSON.
	gotItem, gotErr := attrs.DecodeItem(data)
	var wantItem refItem
	wantErr = wantItem.UnmarshalJSON(data)
	if !sameError(gotErr, wantErr) || gotErr == nil && !sameItem(gotItem, attrs.Item(wantItem)) {
		t.Fatalf("DecodeItem(%q): got %#v, %v, want %#v, %v", data, gotItem, gotErr, wantItem, wantErr)
	}
	var it attrs.Item
	if err := it.UnmarshalJSON(data); !sameError(err, gotErr) || err == nil && !sameItem(it, gotItem) {
		t.Fatalf("Item.UnmarshalJSON(%q): got %#v, %v, want %#v, %v", data, it, err, gotItem, gotErr)
	}

	// Through encoding/json, alone and inside an enclosing struct.
	var v attrs.Value
	var rv refValue
	gotErr, wantErr = json.Unmarshal(data, &v), json.Unmarshal(data, &rv)
	if !sameError(gotErr, wantErr) || gotErr == nil && !sameValue(v, attrs.Value(rv)) {
		t.Fatalf("json.Unmarshal(%q, *Value): got %#v, %v, want %#v, %v", data, v, gotErr, rv, wantErr)
	}
	wrapped := []byte(`{"v":` + string(data) + `,"i":` + string(data) + `}`)
	var gs struct {
		V attrs.Value `json:"v"`
		I attrs.Item  `json:"i"`
	}
	var ws struct {
		V refValue `json:"v"`
		I refItem  `json:"i"`
	}
	gotErr, wantErr = json.Unmarshal(wrapped, &gs), json.Unmarshal(wrapped, &ws)
	if !sameError(gotErr, wantErr) || gotErr == nil && (!sameValue(gs.V, attrs.Value(ws.V)) || !sameItem(gs.I, attrs.Item(ws.I))) {
		t.Fatalf("json.Unmarshal(%q, *struct): got %#v, %v, want %#v, %v", wrapped, gs, gotErr, ws, wantErr)
	}
}

func TestDecodeEquivalence(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeEquivalence(t, []byte(s))
	}
}

// TestDecodeSyntaxNestingLimit checks the limit encoding/json's syntax check
// puts on nesting (10000 arrays and objects), which decides between an
// unknown member and a payload that is not JSON.
func TestDecodeSyntaxNestingLimit(t *testing.T) {
	for _, n := range []int{9999, 10000} {
		data := []byte(`{"X":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
		checkDecodeEquivalence(t, data)
	}
	var v attrs.Value
	err := v.UnmarshalJSON([]byte(`{"X":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`))
	if got, want := eddy.ErrorMessage(err), `Unexpected field "X" in AttributeValue`; got != want {
		t.Errorf("9999 nested arrays: got %q, want %q", got, want)
	}
	err = v.UnmarshalJSON([]byte(`{"X":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`))
	if got, want := eddy.ErrorMessage(err), "Unexpected value type in payload"; got != want {
		t.Errorf("10000 nested arrays: got %q, want %q", got, want)
	}
}

// TestDecodeDuplicateNames pins down what several members with one name do:
// the last one wins, as in encoding/json.
func TestDecodeDuplicateNames(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"S":"a","S":"b"}`, `{"S":"b"}`},
		{`{"S":1,"S":"a"}`, `{"S":"a"}`},
		{`{"S":null,"S":"a"}`, `{"S":"a"}`},
		{`{"M":{"a":{"X":1},"a":{"N":"1"}}}`, `{"M":{"a":{"N":"1"}}}`},
	}
	for _, tt := range tests {
		var v attrs.Value
		if err := v.UnmarshalJSON([]byte(tt.in)); err != nil {
			t.Errorf("%s: got error %v, want %s", tt.in, err, tt.want)
			continue
		}
		if got, _ := v.MarshalJSON(); string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.in, got, tt.want)
		}
	}
	it, err := attrs.DecodeItem([]byte(`{"a":{"X":1},"a":{"S":"x"}}`))
	if err != nil || len(it) != 1 || it["a"].S != "x" {
		t.Errorf("item with a repeated name: got %v, %v, want a: {S:x}", it, err)
	}
	var v attrs.Value
	if err := v.UnmarshalJSON([]byte(`{"S":"a","S":null}`)); eddy.ErrorMessage(err) != "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes" {
		t.Errorf(`{"S":"a","S":null}: got %v, want an empty AttributeValue`, err)
	}
}

func FuzzDecodeEquivalence(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodeEquivalence(t, data)
	})
}

// encodeValues builds values of every kind from fuzz inputs.
func encodeValues(s string, b []byte, n string) []attrs.Value {
	vs := []attrs.Value{
		attrs.Str(s), attrs.StrSet(s, "x"+s), attrs.Bin(b), attrs.BinSet(b, append([]byte{1}, b...)),
		attrs.Map(map[string]attrs.Value{s: attrs.Str(s), "k<&>": attrs.Bin(b), "": attrs.Null()}),
		attrs.List(attrs.Str(s), attrs.Bool(len(b)%2 == 0), attrs.List(), attrs.Map(nil)),
		attrs.Null(), attrs.Bool(true), attrs.Bool(false),
	}
	if num, err := attrs.ParseNumber(n); err == nil {
		vs = append(vs, attrs.Num(num), attrs.NumSet(num), attrs.Map(map[string]attrs.Value{n: attrs.List(attrs.Num(num))}))
	}
	return vs
}

func FuzzEncodeEquivalence(f *testing.F) {
	f.Add("x", []byte{0, 1, 2}, "1.5")
	f.Add("", []byte{}, "-0")
	f.Add("<a href=\"x\">&amp;</a>\u2028\u2029\x00\x1f\x7f\b\f\n\r\t\\/", []byte("\xff"), "1E+125")
	f.Add("\xff\xfe\xed\xa0\x80a\xc3é€😀\ufffd", []byte(nil), "1e-130")
	f.Add(strings.Repeat("plain ascii text ", 20), make([]byte, 100), "123456789012345678901234567890.12345678")
	f.Fuzz(func(t *testing.T, s string, b []byte, n string) {
		vs := encodeValues(s, b, n)
		it := attrs.Item{}
		raw := map[string]json.RawMessage{}
		for i, v := range vs {
			got, err := v.MarshalJSON()
			want, wantErr := refEncode(v)
			if !sameError(err, wantErr) || string(got) != string(want) {
				t.Fatalf("MarshalJSON(%#v): got %s, %v, want %s, %v", v, got, err, want, wantErr)
			}
			// The encoding decodes as the reference decoder decodes it and,
			// where the strings are valid UTF-8 (the decoder replaces
			// invalid UTF-8), gives back v.
			checkDecodeEquivalence(t, got)
			if utf8.ValidString(s) {
				var back attrs.Value
				if err := back.UnmarshalJSON(got); err != nil || !attrs.Equal(back, v) {
					t.Fatalf("round trip of %#v through %s: got %#v, %v", v, got, back, err)
				}
			}
			name := string(rune('a'+i)) + s
			it[name], raw[name] = v, want
		}
		got, err := json.Marshal(it)
		want, wantErr := json.Marshal(raw)
		if err != nil || wantErr != nil || string(got) != string(want) {
			t.Fatalf("json.Marshal(item): got %s, %v, want %s, %v", got, err, want, wantErr)
		}
		if direct, err := it.MarshalJSON(); err != nil || string(direct) != string(want) {
			t.Fatalf("Item.MarshalJSON: got %s, %v, want %s", direct, err, want)
		}
		checkDecodeEquivalence(t, got)
		if utf8.ValidString(s) {
			if back, err := attrs.DecodeItem(got); err != nil || !attrs.ItemsEqual(back, it) {
				t.Fatalf("round trip of item through %s: got %v, %v", got, back, err)
			}
		}
	})
}

func TestEncodeErrors(t *testing.T) {
	for _, v := range []attrs.Value{{}, {Kind: 42}, attrs.List(attrs.Str("a"), attrs.Value{}), attrs.Map(map[string]attrs.Value{"a": {}})} {
		got, err := v.MarshalJSON()
		want, wantErr := refEncode(v)
		if !sameError(err, wantErr) || got != nil || want != nil {
			t.Errorf("MarshalJSON(%#v): got %s, %v, want %s, %v", v, got, err, want, wantErr)
		}
	}
	for _, v := range []attrs.Value{attrs.StrSet(), attrs.NumSet(), attrs.BinSet(), {Kind: attrs.M}, {Kind: attrs.L}} {
		got, err := v.MarshalJSON()
		want, wantErr := refEncode(v)
		if err != nil || wantErr != nil || string(got) != string(want) {
			t.Errorf("MarshalJSON(%#v): got %s, %v, want %s, %v", v, got, err, want, wantErr)
		}
	}
	if got, err := json.Marshal(attrs.Item(nil)); err != nil || string(got) != "null" {
		t.Errorf("json.Marshal(nil Item): got %s, %v, want null", got, err)
	}
	if got, err := json.Marshal(attrs.Item{}); err != nil || string(got) != "{}" {
		t.Errorf("json.Marshal(empty Item): got %s, %v, want {}", got, err)
	}
}
