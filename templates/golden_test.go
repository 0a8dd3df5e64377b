package templates_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/templates"
)

var update = flag.Bool("update", false, "rewrite the expected part of testdata/*.yaml")

// separator divides a golden file: above it the input, below the expected
// result.
const separator = "\n----------\n"

// The golden files in testdata/*.yaml hold a template, a separator line of
// ten dashes, then the expected result. The template's first line may be
//
//	# params: {"Name": "value", …}
//
// giving the stack's parameter values as JSON. The expected result is either
// "error: <message>", followed by "at: <path>" when the error names the
// failing value (the message of the first error of Load, Bind, Order,
// ResolveProperties or Outputs) or an indented JSON document with the
// creation order (levels), the resolved properties of every included
// resource, the outputs, the conditions and the parameters as
// DescribeStacks shows them. Resources resolve through fakeResources, SSM
// parameters and exports through fakeLookups, with fakePseudo.
//
// go test ./templates -run TestGolden -update rewrites the expected parts.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, want, ok := strings.Cut(string(data), separator)
			if !ok && !*update {
				t.Fatalf("%s has no separator line", file)
			}
			got := run(t, input)
			if *update {
				if err := os.WriteFile(file, []byte(input+separator+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if strings.TrimSpace(got) != strings.TrimSpace(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

type fakeResources struct{}

func (fakeResources) Ref(id string) (any, error) { return "phys-" + id, nil }

func (fakeResources) GetAtt(id, attr string) (any, error) {
	if attr == "Missing" {
		return nil, eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", "Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
	}
	return id + "." + attr, nil
}

var fakePseudo = templates.Pseudo{
	StackName:        "teststack",
	StackID:          "arn:aws:cloudformation:us-east-1:123456789012:stack/teststack/0f1e2d3c",
	Region:           "us-east-1",
	AccountID:        "123456789012",
	NotificationARNs: []string{"arn:aws:sns:us-east-1:123456789012:events"},
}

var fakeLookups = templates.Lookups{
	SSM: func(name string) (string, bool, error) {
		v, ok := map[string]string{"/eddy/ami": "ami-0abc", "/eddy/subnets": "subnet-1,subnet-2"}[name]
		return v, ok, nil
	},
	ImportValue: func(name string) (string, bool, error) {
		v, ok := map[string]string{"SharedVpcId": "vpc-0123"}[name]
		return v, ok, nil
	},
}

type result struct {
	Order      [][]string                 `json:"order"`
	Resources  map[string]map[string]any  `json:"resources"`
	Outputs    []templates.OutputValue    `json:"outputs,omitempty"`
	Conditions map[string]bool            `json:"conditions,omitempty"`
	Parameters []templates.ParameterValue `json:"parameters,omitempty"`
}

func run(t *testing.T, input string) string {
	t.Helper()
	params := map[string]string{}
	if first, _, _ := strings.Cut(input, "\n"); strings.HasPrefix(first, "# params:") {
		if err := json.Unmarshal([]byte(strings.TrimPrefix(first, "# params:")), &params); err != nil {
			t.Fatalf("params line: %v", err)
		}
	}
	out, err := evaluate([]byte(input), params)
	if err != nil {
		msg := "error: " + eddy.ErrorMessage(err) + "\n"
		var pe *templates.PathError
		if errors.As(err, &pe) {
			msg += "at: " + strings.Join(pe.Path, "/") + "\n"
		}
		return msg
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func evaluate(data []byte, params map[string]string) (*result, error) {
	tmpl, err := templates.Load(data)
	if err != nil {
		return nil, err
	}
	b, err := tmpl.Bind(params, fakePseudo, fakeLookups)
	if err != nil {
		return nil, err
	}
	order, err := b.Order()
	if err != nil {
		return nil, err
	}
	out := &result{Order: order, Resources: map[string]map[string]any{}, Conditions: b.Conditions, Parameters: b.ParameterValues}
	for _, id := range b.Included() {
		props, err := b.ResolveProperties(id, fakeResources{})
		if err != nil {
			return nil, err
		}
		out.Resources[id] = props
	}
	if out.Outputs, err = b.Outputs(fakeResources{}); err != nil {
		return nil, err
	}
	return out, nil
}

func FuzzResolve(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		input, _, _ := strings.Cut(string(data), separator)
		f.Add([]byte(input))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := evaluate(data, map[string]string{})
		if err == nil {
			if out == nil {
				t.Fatal("no result and no error")
			}
			if _, err := json.Marshal(out); err != nil {
				t.Fatalf("the resolved template does not encode as JSON: %v", err)
			}
		}
		if err != nil && eddy.AsError(err) == nil {
			t.Fatalf("got %v, want an *eddy.Error", err)
		}
	})
}
