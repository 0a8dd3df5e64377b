package queues_test

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
)

func str(s string) *string { return &s }

func strAttr(dataType, v string) queues.MessageAttributeValue {
	return queues.MessageAttributeValue{DataType: dataType, StringValue: str(v)}
}

func binAttr(dataType string, b []byte) queues.MessageAttributeValue {
	return queues.MessageAttributeValue{DataType: dataType, BinaryValue: b}
}

func TestMD5OfMessageAttributes(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := []struct {
		what  string
		attrs map[string]queues.MessageAttributeValue
		want  string
	}{
		// Recorded from SQS itself (LocalStack's snapshots of real
		// responses) and reproduced by moto_server.
		{"one string", map[string]queues.MessageAttributeValue{"Foo": strAttr("String", "Bar")}, "ae7155c6026991b6d54b11589678bf9c"},
		{"three strings", map[string]queues.MessageAttributeValue{
			"General": strAttr("String", "Kenobi"), "Hello": strAttr("String", "There"), "Help.Me": strAttr("String", "Me"),
		}, "4c360f3fdafd970e05fae2f149d997f5"},
		{"two of three", map[string]queues.MessageAttributeValue{
			"General": strAttr("String", "Kenobi"), "Hello": strAttr("String", "There"),
		}, "fca026605781cb4126a1e9044df24232"},
		{"one of three", map[string]queues.MessageAttributeValue{"Hello": strAttr("String", "There")}, "a311262e065454b75da111d535b8dacd"},
		{"prefix filtered", map[string]queues.MessageAttributeValue{
			"Hello": strAttr("String", "There"), "Help.Me": strAttr("String", "Me"),
		}, "83fee93c1bcd8b9a5a923ffacdc636c7"},
		{"binary", map[string]queues.MessageAttributeValue{
			"attr1": binAttr("Binary", []byte("traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01")),
		}, "8cbe4db156db8a94db8b801b7addb984"},
		// Published examples of the algorithm, reproduced by moto_server.
		{"guide strings", map[string]queues.MessageAttributeValue{
			"test_attribute_name_2": strAttr("String", "test_attribute_value_2"),
			"test_attribute_name_1": strAttr("String", "test_attribute_value_1"),
		}, "d53f3b558fe951154770f25cb63dbba9"},
		{"guide binary", map[string]queues.MessageAttributeValue{
			"test_attribute_name": binAttr("Binary", []byte("test_attribute_value")),
		}, "23f6bd27ea87aab7dfeadcc9aebee495"},
		// Computed by moto_server.
		{"number and string", map[string]queues.MessageAttributeValue{
			"ordinal": strAttr("Number", "1"), "category": strAttr("String", "test"),
		}, "d21ae90c49061e927f57df5f5d72be1f"},
		{"seller", map[string]queues.MessageAttributeValue{"SellerName": strAttr("String", "Example Store")}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{"custom types and unicode", map[string]queues.MessageAttributeValue{
			"n": strAttr("Number", "1.5e3"), "s": strAttr("String.custom", "héllo ☃ 𝄞"), "b": binAttr("Binary.png", all),
		}, "7d2ec17cbd9b83f14d198e2128df288e"},
		{"byte order of names", map[string]queues.MessageAttributeValue{
			"Zeta": strAttr("String", "z"), "alpha": strAttr("String", "a"), "Alpha": strAttr("Number", "-0"),
		}, "b5c2db3e6be677edd2e7b563342b8f45"},
		{"none", nil, ""},
		{"empty", map[string]queues.MessageAttributeValue{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			if got := queues.MD5OfMessageAttributes(tt.attrs); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestMD5OfListAttributes checks the list transport types against the
// digest built by hand as the Java SDK builds it: transport byte 3 (strings)
// or 4 (binaries), then each element length-prefixed.
func TestMD5OfListAttributes(t *testing.T) {
	var buf []byte
	put := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	put([]byte("bins"))
	put([]byte("Binary"))
	buf = append(buf, 4)
	put([]byte{0, 1})
	put([]byte{})
	put([]byte("strs"))
	put([]byte("String"))
	buf = append(buf, 3)
	put([]byte("x"))
	put([]byte("yz"))
	sum := md5.Sum(buf)
	want := hex.EncodeToString(sum[:])

	got := queues.MD5OfMessageAttributes(map[string]queues.MessageAttributeValue{
		"strs": {DataType: "String", StringListValues: []string{"x", "yz"}},
		"bins": {DataType: "Binary", BinaryListValues: [][]byte{{0, 1}, {}}},
	})
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestMD5Hex(t *testing.T) {
	tests := []struct{ in, want string }{
		{"msg", "6e2baaf3b97dbeef01c0043275f9a0e7"},
		{"test", "098f6bcd4621d373cade4e832627b4f6"},
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
	}
	for _, tt := range tests {
		if got := queues.MD5Hex(tt.in); got != tt.want {
			t.Errorf("MD5Hex(%q): got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestValidBody(t *testing.T) {
	tests := []struct {
		what string
		body string
		ok   bool
	}{
		{"plain", "hello", true},
		{"tab, newline, carriage return", "a\tb\nc\r\n", true},
		{"last before surrogates", "\uD7FF", true},
		{"private use", "\uE000", true},
		{"replacement character", "\uFFFD", true},
		{"astral", "𝄞\U0010FFFF", true},
		{"empty", "", true},
		{"NUL", "a\x00b", false},
		{"other control", "\x1f", false},
		{"vertical tab", "\v", false},
		{"FFFE", "\uFFFE", false},
		{"FFFF", "\uFFFF", false},
		{"invalid UTF-8", "a\xffb", false},
		{"encoded surrogate", "\xed\xa0\x80", false},
		{"truncated sequence", "\xe2\x82", false},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			err := queues.ValidBody(tt.body)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			e := eddy.AsError(err)
			if e == nil || e.Type != "InvalidMessageContents" || e.Code != eddy.EINVALID {
				t.Fatalf("got %v, want an InvalidMessageContents error", err)
			}
			want := "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
			if e.Message != want {
				t.Fatalf("got message %q, want %q", e.Message, want)
			}
		})
	}
}

func TestValidateMessageAttributes(t *testing.T) {
	type attrs = map[string]queues.MessageAttributeValue
	eleven := attrs{}
	for i := range 11 {
		eleven[string(rune('a'+i))] = strAttr("String", "v")
	}
	ten := attrs{}
	for i := range 10 {
		ten[string(rune('a'+i))] = strAttr("String", "v")
	}
	tests := []struct {
		what    string
		attrs   attrs
		system  bool
		message string // "" for valid; otherwise a part of the message
	}{
		{"none", nil, false, ""},
		{"string", attrs{"a": strAttr("String", "x")}, false, ""},
		{"number", attrs{"a": strAttr("Number", "-12.5e3")}, false, ""},
		{"binary", attrs{"a": binAttr("Binary", []byte{0})}, false, ""},
		{"custom type", attrs{"a": strAttr("String.json", "{}")}, false, ""},
		{"custom binary type", attrs{"a": binAttr("Binary.gif", []byte{1})}, false, ""},
		{"name characters", attrs{"a-b_c.D9": strAttr("String", "x")}, false, ""},
		{"Latin letters", attrs{"Größe": strAttr("String", "x")}, false, ""},
		{"name of 256", attrs{strings.Repeat("n", 256): strAttr("String", "x")}, false, ""},
		{"AWS inside", attrs{"myAWS.x": strAttr("String", "x")}, false, ""},
		{"ten", ten, false, ""},
		{"eleven", eleven, false, "Number of message attributes [11] exceeds the allowed maximum [10]."},
		{"empty name", attrs{"": strAttr("String", "x")}, false, "non-empty message (user) attribute names"},
		{"name of 257", attrs{strings.Repeat("n", 257): strAttr("String", "x")}, false, "shorter than 257"},
		{"space in name", attrs{"a b": strAttr("String", "x")}, false, "The message attribute name 'a b' is invalid."},
		{"AWS. prefix", attrs{"AWS.x": strAttr("String", "x")}, false, "beginning with 'AWS.' or 'Amazon.'"},
		{"amazon. prefix", attrs{"amazon.x": strAttr("String", "x")}, false, "beginning with 'AWS.' or 'Amazon.'"},
		{"leading period", attrs{".x": strAttr("String", "x")}, false, "can't start or end with a period"},
		{"trailing period", attrs{"x.": strAttr("String", "x")}, false, "can't start or end with a period"},
		{"two periods", attrs{"a..b": strAttr("String", "x")}, false, "two periods in a row"},
		{"no type", attrs{"a": {StringValue: str("x")}}, false, "must contain a non-empty message attribute type"},
		{"unknown type", attrs{"a": strAttr("Text", "x")}, false, "the set of supported type prefixes is Binary, Number, and String"},
		{"lower-case type", attrs{"a": strAttr("string", "x")}, false, "the set of supported type prefixes"},
		{"type too long", attrs{"a": strAttr("String."+strings.Repeat("x", 250), "x")}, false, "types must be shorter than 257 bytes"},
		{"empty string", attrs{"ErrorDetails": strAttr("String", "")}, false, "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."},
		{"string without value", attrs{"a": {DataType: "String"}}, false, "must contain a non-empty value of type 'String'"},
		{"string given binary", attrs{"a": binAttr("String", []byte("x"))}, false, "must contain a non-empty value of type 'String'"},
		{"string list only", attrs{"a": {DataType: "String", StringListValues: []string{"x"}}}, false, "non-empty value of type 'String'"},
		{"binary without value", attrs{"a": {DataType: "Binary.x"}}, false, "must contain a non-empty value of type 'Binary'"},
		{"invalid characters", attrs{"a": strAttr("String", "x\x00")}, false, "Invalid characters found."},
		{"not a number", attrs{"Age": strAttr("Number", "Hello")}, false, "Can't cast the value of message (user) attribute 'Age' to a number."},
		{"trace header", attrs{"AWSTraceHeader": strAttr("String", "Root=1-5759e988-bd862e3fe1be46a994272793")}, true, ""},
		{"other system attribute", attrs{"Foo": strAttr("String", "x")}, true, "Message (system) attribute name 'Foo' is invalid."},
		{"binary trace header", attrs{"AWSTraceHeader": binAttr("Binary", []byte("x"))}, true, "must be of type 'String'"},
		{"empty trace header", attrs{"AWSTraceHeader": strAttr("String", "")}, true, "Message (system) attribute 'AWSTraceHeader' must contain a non-empty value"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			err := queues.ValidateMessageAttributes(tt.attrs, tt.system)
			if tt.message == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			e := eddy.AsError(err)
			if e == nil || e.Type != "InvalidParameterValue" || e.Code != eddy.EINVALID {
				t.Fatalf("got %v, want an InvalidParameterValue error", err)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Fatalf("got message %q, want it to contain %q", e.Message, tt.message)
			}
		})
	}
}

func TestNumberAttributes(t *testing.T) {
	tests := []struct {
		n  string
		ok bool
	}{
		{"0", true}, {"-0", true}, {"+7", true}, {"1.5", true}, {".5", true}, {"5.", true},
		{"1e126", true}, {"9.99e126", true}, {"1e127", false}, {"1e-128", true}, {"1e-129", false},
		{"0.000e-99999999", true}, {"0e999999999", true}, {"1e999999999", false},
		{strings.Repeat("9", 38), true}, {strings.Repeat("9", 39), false}, {"1" + strings.Repeat("0", 50), true},
		{"0.00000000000000000000000000000000000000000000001", true},
		{"", false}, {"-", false}, {".", false}, {"1e", false}, {"1e+", false}, {"e5", false},
		{"1.2.3", false}, {" 1", false}, {"1 ", false}, {"0x10", false}, {"NaN", false}, {"Infinity", false},
		{"1_000", false}, {"١", false},
	}
	for _, tt := range tests {
		err := queues.ValidateMessageAttributes(map[string]queues.MessageAttributeValue{"n": strAttr("Number", tt.n)}, false)
		if (err == nil) != tt.ok {
			t.Errorf("Number %q: got %v, want valid %v", tt.n, err, tt.ok)
		}
	}
}

func TestMessageAttributesSize(t *testing.T) {
	got := queues.MessageAttributesSize(map[string]queues.MessageAttributeValue{
		"name":  strAttr("String", "héllo"), // 4 + 6 + 6
		"bytes": binAttr("Binary", []byte{1, 2, 3}),
		"list":  {DataType: "String", StringListValues: []string{"ab", "c"}},
	})
	want := (4 + 6 + 6) + (5 + 6 + 3) + (4 + 6 + 3)
	if got != want {
		t.Fatalf("got %d, want %d", got, want)
	}
	if got := queues.MessageAttributesSize(nil); got != 0 {
		t.Fatalf("got %d for no attributes, want 0", got)
	}
}
