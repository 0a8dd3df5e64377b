package eddy_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
)

func TestParseFunctionRef(t *testing.T) {
	name64 := strings.Repeat("a", 64)
	tests := []struct {
		in   string
		want eddy.FunctionRef
	}{
		{"my-function", eddy.FunctionRef{Name: "my-function"}},
		{"My_Function-2", eddy.FunctionRef{Name: "My_Function-2"}},
		{"my-function:v1", eddy.FunctionRef{Name: "my-function", Qualifier: "v1"}},
		{"my-function:$LATEST", eddy.FunctionRef{Name: "my-function", Qualifier: "$LATEST"}},
		{"my-function:7", eddy.FunctionRef{Name: "my-function", Qualifier: "7"}},
		{name64, eddy.FunctionRef{Name: name64}},
		{"123456789012:function:my-function",
			eddy.FunctionRef{Name: "my-function", Account: "123456789012"}},
		{"123456789012:function:my-function:prod",
			eddy.FunctionRef{Name: "my-function", Qualifier: "prod", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function",
			eddy.FunctionRef{Name: "my-function", Region: "us-west-2", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function:v1",
			eddy.FunctionRef{Name: "my-function", Qualifier: "v1", Region: "us-west-2", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function:$LATEST",
			eddy.FunctionRef{Name: "my-function", Qualifier: "$LATEST", Region: "us-west-2", Account: "123456789012"}},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:my-function",
			eddy.FunctionRef{Name: "my-function", Region: "cn-north-1", Account: "123456789012"}},
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:my-function:1",
			eddy.FunctionRef{Name: "my-function", Qualifier: "1", Region: "us-gov-west-1", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:" + name64,
			eddy.FunctionRef{Name: name64, Region: "us-west-2", Account: "123456789012"}},
		// Plain names that look like the start of an ARN are still
		// NAME:QUALIFIER: a function may be called "us-east-1", "function"
		// or "123456789012".
		{"us-east-1:prod", eddy.FunctionRef{Name: "us-east-1", Qualifier: "prod"}},
		{"function:prod", eddy.FunctionRef{Name: "function", Qualifier: "prod"}},
		{"123456789012:prod", eddy.FunctionRef{Name: "123456789012", Qualifier: "prod"}},
		{"123456789012", eddy.FunctionRef{Name: "123456789012"}},
		{"arn", eddy.FunctionRef{Name: "arn"}},
	}
	for _, tt := range tests {
		got, err := eddy.ParseFunctionRef(tt.in, "functionName")
		if err != nil {
			t.Errorf("ParseFunctionRef(%q): got error %v, want %+v", tt.in, err, tt.want)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseFunctionRef(%q): got %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseFunctionRefRejects(t *testing.T) {
	tests := []struct {
		in      string
		message string // a substring of the error message
	}{
		{"", "length greater than or equal to 1"},
		{strings.Repeat("a", 141), "length less than or equal to 140"},
		{strings.Repeat("a", 65), "length less than or equal to 64"},
		{"arn:aws:lambda:us-west-2:123456789012:function:" + strings.Repeat("a", 65), "length less than or equal to 64"},
		{"a b", "regular expression pattern"},
		{"a/b", "regular expression pattern"},
		{"a!", "regular expression pattern"},
		{"my-function:", "regular expression pattern"},
		{"my-function:v1:", "regular expression pattern"},
		{":v1", "regular expression pattern"},
		{"my-function:v1:v2", "regular expression pattern"},
		{"my-function:$latest", "regular expression pattern"},
		{"arn:aws:lambda:us-east-1:function:x", "regular expression pattern"},     // no account
		{"arn:aws:lambda:123456789012:function:x", "regular expression pattern"},  // no region
		{"arn:aws:lambda:us-east-1:123456789012:x", "regular expression pattern"}, // no "function:"
		{"arn:aws:lambda:us-east-1:123456789012:function:", "regular expression pattern"},
		{"arn:aws:lambda:us-east-1:123456789012:function:x:", "regular expression pattern"},
		{"arn:aws:s3:::bucket", "regular expression pattern"},
		{"arn:aws:lambda:us-east-1:12345678901:function:x", "regular expression pattern"}, // 11-digit account
		{"123456789012:x:y", "regular expression pattern"},
		{"us-east-1:123456789012:function:x", "regular expression pattern"}, // region without "arn:"
		{"us-east-1:function:x", "regular expression pattern"},
		{"function:x:y", "regular expression pattern"},
		{"us-east-1:x:y", "regular expression pattern"},
		{"my-function\n", "regular expression pattern"},
	}
	for _, tt := range tests {
		got, err := eddy.ParseFunctionRef(tt.in, "functionName")
		if err == nil {
			t.Errorf("ParseFunctionRef(%q): got %+v, want a ValidationException", tt.in, got)
			continue
		}
		e := eddy.AsError(err)
		if e == nil {
			t.Errorf("ParseFunctionRef(%q): got error %v, want an *eddy.Error", tt.in, err)
			continue
		}
		if e.Type != "ValidationException" || e.Code != eddy.EVALIDATE {
			t.Errorf("ParseFunctionRef(%q): got type %q code %q, want ValidationException %q", tt.in, e.Type, e.Code, eddy.EVALIDATE)
		}
		if !strings.Contains(e.Message, tt.message) {
			t.Errorf("ParseFunctionRef(%q): got message %q, want it to contain %q", tt.in, e.Message, tt.message)
		}
		if !strings.Contains(e.Message, "'functionName'") {
			t.Errorf("ParseFunctionRef(%q): got message %q, want it to name the member 'functionName'", tt.in, e.Message)
		}
	}
}

func TestValidFunctionName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"my-function", true},
		{"a", true},
		{"A_b-9", true},
		{"-", true},
		{"_", true},
		{strings.Repeat("x", 64), true},
		{"", false},
		{strings.Repeat("x", 65), false},
		{"my-function:v1", false},
		{"a b", false},
		{"a/b", false},
		{"a!", false},
		{"a.b", false},
		{"é", false},
		{"arn:aws:lambda:us-west-2:123456789012:function:f", false},
	}
	for _, tt := range tests {
		if got := eddy.ValidFunctionName(tt.in); got != tt.want {
			t.Errorf("ValidFunctionName(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewID(t *testing.T) {
	const n = 10000
	seen := make(map[string]bool, n)
	for range n {
		id := eddy.NewID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewID(): got %q, want a lower-case UUID version 4", id)
		}
		if seen[id] {
			t.Fatalf("NewID(): got %q twice, want unique ids", id)
		}
		seen[id] = true
	}
}

var functionName = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

func FuzzParseFunctionRef(f *testing.F) {
	for _, s := range []string{
		"my-function",
		"my-function:v1",
		"my-function:$LATEST",
		"123456789012:function:my-function",
		"123456789012:function:my-function:3",
		"arn:aws:lambda:us-west-2:123456789012:function:my-function",
		"arn:aws:lambda:us-west-2:123456789012:function:my-function:v1",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
		"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:$LATEST",
		"arn:aws:lambda:us-iso-east-1:123456789012:function:f",
		"us-east-1:prod",
		"function:prod",
		"123456789012:function:us-east-1:x",
		"123456789012:function:function:x",
		"arn:aws:lambda:us-east-1:function:x",
		"arn:aws:s3:::bucket",
		"a b",
		"x:",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := eddy.ParseFunctionRef(s, "functionName")
		if err != nil {
			if e := eddy.AsError(err); e == nil || e.Type != "ValidationException" {
				t.Fatalf("ParseFunctionRef(%q): got error %v, want a ValidationException", s, err)
			}
			return
		}
		if !functionName.MatchString(ref.Name) {
			t.Fatalf("ParseFunctionRef(%q): got Name %q, want one matching %s", s, ref.Name, functionName)
		}
		if !eddy.ValidFunctionName(ref.Name) {
			t.Fatalf("ParseFunctionRef(%q): got Name %q, which ValidFunctionName refuses", s, ref.Name)
		}
		again := ref.Name
		if ref.Qualifier != "" {
			again += ":" + ref.Qualifier
		}
		got, err := eddy.ParseFunctionRef(again, "functionName")
		if err != nil {
			t.Fatalf("ParseFunctionRef(%q) = %+v; ParseFunctionRef(%q): got error %v, want success", s, ref, again, err)
		}
		if got.Name != ref.Name || got.Qualifier != ref.Qualifier {
			t.Fatalf("ParseFunctionRef(%q) = %+v; ParseFunctionRef(%q): got Name %q Qualifier %q, want %q %q",
				s, ref, again, got.Name, got.Qualifier, ref.Name, ref.Qualifier)
		}
	})
}
