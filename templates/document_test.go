package templates_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/templates"
)

func TestParseDocumentShortForms(t *testing.T) {
	src := `
AWSTemplateFormatVersion: 2010-09-09
Resources:
  B:
    Type: T
    Properties:
      Ref: !Ref X
      Att: !GetAtt Db.Endpoint.Address
      AttList: !GetAtt [A, B]
      Sub: !Sub "${AWS::Region}-x"
      SubList: !Sub ["${a}", {a: !Ref Y}]
      Join: !Join [",", [a, b]]
      Sel: !Select [0, !GetAZs ""]
      If: !If [C, 1.10, !Ref "AWS::NoValue"]
      Cond: !Condition C
      Eq: !Equals [a, b]
      Num: 012
      Exp: 1e3
      Hex: 0x1F
      Flt: 1.10
      Quoted: "12"
      Bool: true
      Null: ~
      B64: !Base64 x
      Tr: !Transform {Name: X}
  A:
    Type: T
`
	doc, keys, err := templates.ParseDocumentKeys([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	props := doc["Resources"].(map[string]any)["B"].(map[string]any)["Properties"].(map[string]any)
	want := map[string]any{
		"Ref":     map[string]any{"Ref": "X"},
		"Att":     map[string]any{"Fn::GetAtt": []any{"Db", "Endpoint.Address"}},
		"AttList": map[string]any{"Fn::GetAtt": []any{"A", "B"}},
		"Sub":     map[string]any{"Fn::Sub": "${AWS::Region}-x"},
		"SubList": map[string]any{"Fn::Sub": []any{"${a}", map[string]any{"a": map[string]any{"Ref": "Y"}}}},
		"Join":    map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}},
		"Sel":     map[string]any{"Fn::Select": []any{json.Number("0"), map[string]any{"Fn::GetAZs": ""}}},
		"If":      map[string]any{"Fn::If": []any{"C", json.Number("1.10"), map[string]any{"Ref": "AWS::NoValue"}}},
		"Cond":    map[string]any{"Condition": "C"},
		"Eq":      map[string]any{"Fn::Equals": []any{"a", "b"}},
		"Num":     "012",
		"Exp":     json.Number("1e3"),
		"Hex":     "0x1F",
		"Flt":     json.Number("1.10"),
		"Quoted":  "12",
		"Bool":    true,
		"Null":    nil,
		"B64":     map[string]any{"Fn::Base64": "x"},
		"Tr":      map[string]any{"Fn::Transform": map[string]any{"Name": "X"}},
	}
	for k, w := range want {
		if !reflect.DeepEqual(props[k], w) {
			t.Errorf("%s: got %#v, want %#v", k, props[k], w)
		}
	}
	if got := doc["AWSTemplateFormatVersion"]; got != "2010-09-09" {
		t.Errorf("version: got %#v, want the string 2010-09-09", got)
	}
	if got := keys["Resources"]; !reflect.DeepEqual(got, []string{"B", "A"}) {
		t.Errorf("resource order: got %v, want [B A]", got)
	}
}

func TestParseDocumentJSON(t *testing.T) {
	doc, keys, err := templates.ParseDocumentKeys([]byte(`{"Resources": {"Z": {"Type": "T", "Properties": {"N": 1.10}}, "A": {"Type": "T"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	n := doc["Resources"].(map[string]any)["Z"].(map[string]any)["Properties"].(map[string]any)["N"]
	if n != json.Number("1.10") {
		t.Errorf("number: got %#v, want json.Number 1.10", n)
	}
	if got := keys["Resources"]; !reflect.DeepEqual(got, []string{"Z", "A"}) {
		t.Errorf("resource order: got %v, want [Z A]", got)
	}
}

func TestParseDocumentErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"{\"Resources\": {\n  \"A\": }", "Template format error: JSON not well-formed. "},
		{"Resources:\n  A: [\n", "Template format error: YAML not well-formed. "},
		{"Resources:\n  A: !Foo x\n", "Template format error: YAML not well-formed. Unknown tag !Foo. (line 2, column 6)"},
		{"A: 1\nA: 2\n", "Template format error: YAML not well-formed. Duplicate key A."},
		{"- a\n", "Template format error: unsupported structure."},
	}
	for _, c := range cases {
		_, err := templates.ParseDocument([]byte(c.src))
		if err == nil || !strings.HasPrefix(eddy.ErrorMessage(err), c.want) {
			t.Errorf("%q: got %v, want prefix %q", c.src, err, c.want)
		}
	}
}

func FuzzParseDocument(f *testing.F) {
	f.Add([]byte("Resources:\n  A:\n    Type: T\n    Properties: {X: !Sub '${A}', Y: !GetAtt A.B}\n"))
	f.Add([]byte(`{"Resources": {"A": {"Type": "T"}}}`))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := templates.ParseDocument(data)
		if err != nil {
			if eddy.AsError(err) == nil {
				t.Fatalf("got %v, want an *eddy.Error", err)
			}
			return
		}
		if doc == nil {
			t.Fatal("nil document without an error")
		}
		// Every tree encodes as JSON: numbers are valid JSON numbers.
		if _, err := json.Marshal(doc); err != nil {
			t.Fatalf("the tree does not encode as JSON: %v", err)
		}
	})
}
