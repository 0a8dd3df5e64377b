package attrs_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, want string // want "" means a ValidationException
		msg      string
	}{
		{"0", "0", ""},
		{"-0", "0", ""},
		{"0.000", "0", ""},
		{"01.50", "1.5", ""},
		{"+7", "7", ""},
		{"-12.340", "-12.34", ""},
		{".5", "0.5", ""},
		{"5.", "5", ""},
		{"1E+2", "100", ""},
		{"1e2", "100", ""},
		{"1.23E-2", "0.0123", ""},
		{"123.456e1", "1234.56", ""},
		{"1E-130", "0." + strings.Repeat("0", 129) + "1", ""},
		{"9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + strings.Repeat("0", 88), ""},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345678", ""},
		{"1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000", ""},
		{"123456789012345678901234567890123456789", "", "Attempting to store more than 38 significant digits in a Number"},
		{"1E+126", "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"-1E+126", "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"1E-131", "", "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"1E999999999999999999", "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"0E999999999999", "0", ""},
		{"", "", "The parameter cannot be converted to a numeric value: "},
		{"abc", "", "The parameter cannot be converted to a numeric value: abc"},
		{"1.2.3", "", "The parameter cannot be converted to a numeric value: 1.2.3"},
		{"1e", "", "The parameter cannot be converted to a numeric value: 1e"},
		{" 1", "", "The parameter cannot be converted to a numeric value:  1"},
		{"NaN", "", "The parameter cannot be converted to a numeric value: NaN"},
		{"Infinity", "", "The parameter cannot be converted to a numeric value: Infinity"},
		{".", "", "The parameter cannot be converted to a numeric value: ."},
		{"-", "", "The parameter cannot be converted to a numeric value: -"},
	}
	for _, tt := range tests {
		n, err := attrs.ParseNumber(tt.in)
		if tt.want == "" {
			if err == nil || eddy.ErrorMessage(err) != tt.msg {
				t.Errorf("ParseNumber(%q): got %v, want error %q", tt.in, err, tt.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseNumber(%q): got error %v, want %s", tt.in, err, tt.want)
			continue
		}
		if got := n.String(); got != tt.want {
			t.Errorf("ParseNumber(%q): got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNumberArithmetic(t *testing.T) {
	tests := []struct {
		a, op, b, want string
	}{
		{"1", "+", "2", "3"},
		{"0.1", "+", "0.2", "0.3"},
		{"1E+100", "+", "1E-20", ""}, // 121 digits
		{"1", "-", "1", "0"},
		{"-5.5", "+", "2.25", "-3.25"},
		{"99999999999999999999999999999999999999", "+", "1", "100000000000000000000000000000000000000"},
		{"99999999999999999999999999999999999999", "+", "0.1", ""},
		{"9.9999999999999999999999999999999999999E+125", "+", "1E+88", ""},
		{"1E-130", "-", "1E-130", "0"},
		{"1E-129", "-", "9E-130", "0." + strings.Repeat("0", 129) + "1"},
	}
	for _, tt := range tests {
		a, b := attrs.MustParseNumber(tt.a), attrs.MustParseNumber(tt.b)
		var got attrs.Number
		var err error
		if tt.op == "+" {
			got, err = a.Add(b)
		} else {
			got, err = a.Sub(b)
		}
		if tt.want == "" {
			if eddy.ErrorCode(err) != eddy.EVALIDATE {
				t.Errorf("%s %s %s: got %v, %v, want a ValidationException", tt.a, tt.op, tt.b, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s %s %s: got %v, %v, want %s", tt.a, tt.op, tt.b, got, err, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	n := func(s string) attrs.Value { return attrs.Num(attrs.MustParseNumber(s)) }
	tests := []struct {
		a, b attrs.Value
		want int
		ok   bool
	}{
		{n("1"), n("1.0"), 0, true},
		{n("-1"), n("0.5"), -1, true},
		{n("100"), n("99"), 1, true},
		{n("-100"), n("-99"), -1, true},
		{n("0.12"), n("0.123"), -1, true},
		{attrs.Str("a"), attrs.Str("b"), -1, true},
		{attrs.Str("é"), attrs.Str("z"), 1, true}, // UTF-8 bytes, not code points of a collation
		{attrs.Bin([]byte{1}), attrs.Bin([]byte{1, 0}), -1, true},
		{attrs.Str("1"), n("1"), 0, false},
		{attrs.Bool(true), attrs.Bool(true), 0, false},
	}
	for _, tt := range tests {
		got, ok := attrs.Compare(tt.a, tt.b)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Compare(%v, %v): got %d, %v, want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
	}
}

func mustValue(tb testing.TB, s string) attrs.Value {
	tb.Helper()
	var v attrs.Value
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		tb.Fatalf("unmarshal %s: %v", s, err)
	}
	return v
}

func TestJSON(t *testing.T) {
	roundTrip := []struct{ in, want string }{
		{`{"S":"x"}`, `{"S":"x"}`},
		{`{"S":""}`, `{"S":""}`},
		{`{"N":"01.50"}`, `{"N":"1.5"}`},
		{`{"B":"AAEC"}`, `{"B":"AAEC"}`},
		{`{"SS":["a","b"]}`, `{"SS":["a","b"]}`},
		{`{"NS":["1","2.50"]}`, `{"NS":["1","2.5"]}`},
		{`{"BS":["AA==","AQ=="]}`, `{"BS":["AA==","AQ=="]}`},
		{`{"M":{"b":{"N":"1"},"a":{"L":[{"NULL":true},{"BOOL":false}]}}}`, `{"M":{"a":{"L":[{"NULL":true},{"BOOL":false}]},"b":{"N":"1"}}}`},
		{`{"L":[]}`, `{"L":[]}`},
		{`{"M":{}}`, `{"M":{}}`},
		{`{"S":"x","N":null}`, `{"S":"x"}`},
	}
	for _, tt := range roundTrip {
		v := mustValue(t, tt.in)
		got, err := json.Marshal(v)
		if err != nil || string(got) != tt.want {
			t.Errorf("round trip %s: got %s, %v, want %s", tt.in, got, err, tt.want)
		}
	}
	errs := []struct{ in, typ, msg string }{
		{`{}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"1"}`, "ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{`{"NS":[]}`, "ValidationException", "One or more parameter values were invalid: An number set  may not be empty"},
		{`{"SS":[]}`, "ValidationException", "One or more parameter values were invalid: An string set  may not be empty"},
		{`{"BS":[]}`, "ValidationException", "One or more parameter values were invalid: An binary set  may not be empty"},
		{`{"SS":["a","a"]}`, "ValidationException", "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{`{"NS":["1","1.0"]}`, "ValidationException", "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates."},
		{`{"NULL":false}`, "ValidationException", "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{`{"N":"x"}`, "ValidationException", "The parameter cannot be converted to a numeric value: x"},
		{`{"N":"1E+200"}`, "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{`{"S":1}`, "SerializationException", ""},
		{`{"X":"1"}`, "SerializationException", ""},
		{`{"B":"!!"}`, "SerializationException", ""},
		{`[]`, "SerializationException", ""},
		{`{"M":{"a":{}}}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{strings.Repeat(`{"L":[`, 40) + `{"NULL":true}` + strings.Repeat(`]}`, 40), "ValidationException", "Nesting Levels have exceeded supported limits"},
	}
	for _, tt := range errs {
		var v attrs.Value
		err := json.Unmarshal([]byte(tt.in), &v)
		e := eddy.AsError(err)
		if e == nil || e.Type != tt.typ || (tt.msg != "" && e.Message != tt.msg) {
			t.Errorf("unmarshal %s: got %v, want %s %q", tt.in, err, tt.typ, tt.msg)
		}
	}
	var it attrs.Item
	if err := json.Unmarshal([]byte(`{"pk":{"S":"a"},"n":{"N":"1"}}`), &it); err != nil || len(it) != 2 {
		t.Fatalf("unmarshal item: got %v, %v", it, err)
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"SS":["a","b"]}`, `{"SS":["b","a"]}`, true},
		{`{"NS":["1","2"]}`, `{"NS":["2.0","1"]}`, true},
		{`{"NS":["1","2"]}`, `{"NS":["1","3"]}`, false},
		{`{"L":[{"S":"a"},{"S":"b"}]}`, `{"L":[{"S":"b"},{"S":"a"}]}`, false},
		{`{"M":{"a":{"N":"1"}}}`, `{"M":{"a":{"N":"1.00"}}}`, true},
		{`{"M":{"a":{"N":"1"}}}`, `{"M":{"b":{"N":"1"}}}`, false},
		{`{"S":"1"}`, `{"N":"1"}`, false},
		{`{"NULL":true}`, `{"NULL":true}`, true},
		{`{"BOOL":true}`, `{"BOOL":false}`, false},
	}
	for _, tt := range tests {
		if got := attrs.Equal(mustValue(t, tt.a), mustValue(t, tt.b)); got != tt.want {
			t.Errorf("Equal(%s, %s): got %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	var it attrs.Item
	in := `{"name":{"S":"héllo"},"n":{"N":"123.45"},"b":{"B":"AAEC"},"t":{"BOOL":true},"z":{"NULL":true},
		"m":{"M":{"k":{"S":"v"}}},"l":{"L":[{"N":"1"},{"S":"ab"}]},"ss":{"SS":["a","bc"]}}`
	if err := json.Unmarshal([]byte(in), &it); err != nil {
		t.Fatal(err)
	}
	// name 4+6, n 1+(5 digits→3+1=4), b 1+3, t 1+1, z 1+1,
	// m 1+3+(1+1+1), l 1+3+(1+2)+(1+2), ss 2+3
	want := 10 + 5 + 4 + 2 + 2 + 7 + 10 + 5
	if got := attrs.Size(it); got != want {
		t.Errorf("Size: got %d, want %d", got, want)
	}
}

// randomNumber returns the text of a random number in DynamoDB's range,
// biased toward near-equal values and various exponents.
func randomNumber(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('-')
	}
	nd := 1 + r.IntN(38)
	for i := range nd {
		d := byte('0' + r.IntN(10))
		if i == 0 && d == '0' {
			d = '1'
		}
		if r.IntN(3) == 0 {
			d = '9'
		}
		b.WriteByte(d)
	}
	b.WriteString("E")
	exp := r.IntN(256) - 130 - nd + 1
	if r.IntN(2) == 0 {
		exp = r.IntN(6) - 3
	}
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

func TestSortKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var nums []attrs.Number
	for range 5000 {
		n, err := attrs.ParseNumber(randomNumber(r))
		if err != nil {
			continue // out of range
		}
		nums = append(nums, n)
	}
	nums = append(nums, attrs.Number{}, attrs.MustParseNumber("1E-130"), attrs.MustParseNumber("-1E-130"),
		attrs.MustParseNumber("9.9999999999999999999999999999999999999E+125"), attrs.MustParseNumber("-9.9999999999999999999999999999999999999E+125"))
	for i := range nums {
		a := nums[i]
		b := nums[(i*7+3)%len(nums)]
		ka, kb := attrs.SortKey(attrs.Num(a)), attrs.SortKey(attrs.Num(b))
		if got, want := bytes.Compare(ka, kb), a.Cmp(b); got != want {
			t.Fatalf("SortKey order of %s, %s: got %d, want %d", a, b, got, want)
		}
		v, err := attrs.DecodeSortKey(ka)
		if err != nil || v.Kind != attrs.N || v.N != a {
			t.Fatalf("DecodeSortKey(SortKey(%s)): got %v, %v", a, v, err)
		}
	}
	for _, v := range []attrs.Value{attrs.Str("héllo"), attrs.Str(""), attrs.Bin([]byte{0, 1, 255})} {
		got, err := attrs.DecodeSortKey(attrs.SortKey(v))
		if err != nil || !attrs.Equal(got, v) {
			t.Errorf("DecodeSortKey(SortKey(%v)): got %v, %v", v, got, err)
		}
	}
}
