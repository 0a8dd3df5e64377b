package templates_test

import (
	"reflect"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/templates"
)

// MustBind loads src and binds it with params and the fake pseudo parameters.
func MustBind(tb testing.TB, src string, params map[string]string, lk templates.Lookups) *templates.Bound {
	tb.Helper()
	tmpl, err := templates.Load([]byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := tmpl.Bind(params, fakePseudo, lk)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

const diamond = `
Resources:
  Top:
    Type: T::T::T
    Properties:
      L: !Ref Left
      R: !GetAtt Right.Arn
  Left:
    Type: T::T::T
    Properties:
      B: !Sub "${Base}"
  Right:
    Type: T::T::T
    DependsOn: Base
  Base:
    Type: T::T::T
  Lone:
    Type: T::T::T
`

func TestOrderLevels(t *testing.T) {
	b := MustBind(t, diamond, nil, templates.Lookups{})
	got, err := b.Order()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Base", "Lone"}, {"Left", "Right"}, {"Top"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order: got %v, want %v", got, want)
	}
	del, err := b.DeletionOrder()
	if err != nil {
		t.Fatal(err)
	}
	wantDel := [][]string{{"Top"}, {"Left", "Right"}, {"Base", "Lone"}}
	if !reflect.DeepEqual(del, wantDel) {
		t.Errorf("deletion order: got %v, want %v", del, wantDel)
	}
	if got := b.Included(); !reflect.DeepEqual(got, []string{"Top", "Left", "Right", "Base", "Lone"}) {
		t.Errorf("included: got %v, want document order", got)
	}
}

func TestResolvePropertiesUnknownResource(t *testing.T) {
	b := MustBind(t, diamond, nil, templates.Lookups{})
	if _, err := b.ResolveProperties("Nope", fakeResources{}); eddy.ErrorCode(err) != eddy.EVALIDATE {
		t.Errorf("got %v, want a validation error", err)
	}
	props, err := b.ResolveProperties("Top", fakeResources{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"L": "phys-Left", "R": "Right.Arn"}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("got %v, want %v", props, want)
	}
}

func TestSSMWithoutLookup(t *testing.T) {
	tmpl, err := templates.Load([]byte("Parameters:\n  P:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /x\nResources:\n  A:\n    Type: T::T::T\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Bind(nil, fakePseudo, templates.Lookups{})
	want := "Parameter validation failed: parameter value /x for parameter name P does not exist"
	if got := eddy.ErrorMessage(err); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFromDocumentKeepsOrder(t *testing.T) {
	doc, err := templates.ParseDocument([]byte("Resources:\n  B: {Type: T::T::T}\n  A: {Type: T::T::T}\n"))
	if err != nil {
		t.Fatal(err)
	}
	// Without key order, resources are ordered by name.
	tmpl, err := templates.FromDocument(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{tmpl.Resources[0].LogicalID, tmpl.Resources[1].LogicalID}; !reflect.DeepEqual(got, []string{"A", "B"}) {
		t.Errorf("got %v, want [A B]", got)
	}
	tmpl, err = templates.FromDocument(doc, map[string][]string{"Resources": {"B", "A"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{tmpl.Resources[0].LogicalID, tmpl.Resources[1].LogicalID}; !reflect.DeepEqual(got, []string{"B", "A"}) {
		t.Errorf("got %v, want [B A]", got)
	}
}

func TestPseudoPartitionInChina(t *testing.T) {
	tmpl, err := templates.Load([]byte("Resources:\n  A:\n    Type: T::T::T\n    Properties:\n      P: !Sub '${AWS::Partition} ${AWS::URLSuffix}'\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := tmpl.Bind(nil, templates.Pseudo{Region: "cn-north-1"}, templates.Lookups{})
	if err != nil {
		t.Fatal(err)
	}
	props, err := b.ResolveProperties("A", fakeResources{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := props["P"], "aws-cn amazonaws.com.cn"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
