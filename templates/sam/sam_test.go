package sam_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/templates"
	"github.com/eddyserverless/eddy/templates/sam"
)

var updateFromSAM = flag.Bool("update-from-sam", false, "rewrite testdata/*.expected.json with samtranslator (testdata/oracle.py)")

// opts are the pseudo parameters testdata/oracle.py gives samtranslator.
var opts = sam.Options{Region: "us-east-1", AccountID: "123456789012", Partition: "aws", StackName: "eddy-test"}

func mustReadJSON(tb testing.TB, path string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return v
}

func mustParseYAML(tb testing.TB, path string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := templates.ParseDocument(data)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return doc
}

// canonical turns a tree into the form encoding/json decodes it to, so
// that numbers of any type compare by their text.
func canonical(tb testing.TB, v any) any {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestGolden transforms each testdata/NAME.json and compares the result
// with testdata/NAME.expected.json, written by samtranslator.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	yamls, _ := filepath.Glob("testdata/*.yaml")
	inputs = append(inputs, yamls...)
	if *updateFromSAM {
		cmd := exec.Command("python3", "testdata/oracle.py")
		cmd.Stderr = os.Stderr
		if out, err := cmd.Output(); err != nil {
			t.Fatalf("oracle.py: %v\n%s", err, out)
		}
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".expected.json") {
			continue
		}
		n++
		ext := filepath.Ext(in)
		name := strings.TrimSuffix(filepath.Base(in), ext)
		t.Run(name, func(t *testing.T) {
			var doc map[string]any
			if ext == ".yaml" {
				doc = mustParseYAML(t, in)
			} else {
				doc = mustReadJSON(t, in)
			}
			want := mustReadJSON(t, strings.TrimSuffix(in, ext)+".expected.json")
			got, err := sam.Transform(doc, opts)
			if msg, ok := want["Error"].(string); ok {
				if err == nil {
					t.Fatalf("got no error, want %q", msg)
				}
				if err.Error() != msg {
					t.Fatalf("got error\n%s\nwant\n%s", err, msg)
				}
				var se *sam.Error
				if !errors.As(err, &se) {
					t.Errorf("got %T, want *sam.Error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			g, w := canonical(t, got), canonical(t, want)
			sortDependsOn(g)
			sortDependsOn(w)
			if !reflect.DeepEqual(g, w) {
				for _, d := range diff("", g, w) {
					t.Error(d)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden inputs in testdata")
	}
}

// diff lists the paths at which got and want differ.
func diff(path string, got, want any) []string {
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		var out []string
		for k, wv := range wm {
			gv, ok := gm[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s/%s: missing, want %s", path, k, compact(wv)))
				continue
			}
			out = append(out, diff(path+"/"+k, gv, wv)...)
		}
		for k, gv := range gm {
			if _, ok := wm[k]; !ok {
				out = append(out, fmt.Sprintf("%s/%s: got %s, want nothing", path, k, compact(gv)))
			}
		}
		sort.Strings(out)
		return out
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("%s: got %s, want %s", path, compact(got), compact(want))}
	}
	return nil
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// FuzzTransform checks that no tree makes Transform panic.
func FuzzTransform(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*.json")
	for _, in := range inputs {
		if data, err := os.ReadFile(in); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc map[string]any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		out, err := sam.Transform(doc, opts)
		if err == nil && out == nil {
			t.Fatal("got nil template and nil error")
		}
	})
}

// TestLocalCodeUri checks that a local CodeUri goes through Options.Upload.
func TestLocalCodeUri(t *testing.T) {
	doc := map[string]any{"Resources": map[string]any{"Fn": map[string]any{
		"Type":       "AWS::Serverless::Function",
		"Properties": map[string]any{"CodeUri": "./src", "Handler": "h", "Runtime": "python3.12"},
	}}}
	o := opts
	var gotURI string
	o.Upload = func(uri string) (string, string, error) { gotURI = uri; return "up", "k/src.zip", nil }
	out, err := sam.Transform(doc, o)
	if err != nil {
		t.Fatal(err)
	}
	if gotURI != "./src" {
		t.Errorf("got upload of %q, want ./src", gotURI)
	}
	code := out["Resources"].(map[string]any)["Fn"].(map[string]any)["Properties"].(map[string]any)["Code"]
	if want := map[string]any{"S3Bucket": "up", "S3Key": "k/src.zip"}; !reflect.DeepEqual(code, want) {
		t.Errorf("got Code %v, want %v", code, want)
	}
	o.Upload = func(string) (string, string, error) { return "", "", errors.New("disk full") }
	if _, err := sam.Transform(doc, o); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the upload error", err)
	}
	if _, err := sam.Transform(doc, opts); err == nil {
		t.Error("got no error for a local CodeUri without Upload")
	}
}

// TestApplication checks that AWS::Serverless::Application becomes a
// nested stack: a Location URL as its TemplateURL, a repository
// application through Options.Application with its tags.
func TestApplication(t *testing.T) {
	doc := map[string]any{
		"Parameters": map[string]any{"Ver": map[string]any{"Type": "String", "Default": "1.0.0"}},
		"Resources": map[string]any{
			"Url": map[string]any{
				"Type":      "AWS::Serverless::Application",
				"DependsOn": "Repo",
				"Properties": map[string]any{
					"Location":         "https://s3.amazonaws.com/b/child.yaml",
					"Parameters":       map[string]any{"Name": map[string]any{"Ref": "AWS::StackName"}},
					"TimeoutInMinutes": 5,
					"Tags":             map[string]any{"team": "a"},
				},
			},
			"Repo": map[string]any{
				"Type":       "AWS::Serverless::Application",
				"Properties": map[string]any{"Location": map[string]any{"ApplicationId": "arn:aws:serverlessrepo:us-east-1:123456789012:applications/child", "SemanticVersion": map[string]any{"Ref": "Ver"}}},
			},
		},
	}
	o := opts
	var asked []string
	o.Application = func(id, app, ver string) (string, string, error) {
		asked = append(asked, id+" "+app+" "+ver)
		return "http://eddy/t/" + ver, ver, nil
	}
	out, err := sam.Transform(doc, o)
	if err != nil {
		t.Fatal(err)
	}
	res := out["Resources"].(map[string]any)
	want := map[string]any{
		"Url": map[string]any{"Type": "AWS::CloudFormation::Stack", "DependsOn": "Repo", "Properties": map[string]any{
			"TemplateURL": "https://s3.amazonaws.com/b/child.yaml", "TimeoutInMinutes": 5,
			"Parameters": map[string]any{"Name": map[string]any{"Ref": "AWS::StackName"}},
			"Tags": []any{
				map[string]any{"Key": "lambda:createdBy", "Value": "SAM"},
				map[string]any{"Key": "team", "Value": "a"},
			},
		}},
		"Repo": map[string]any{"Type": "AWS::CloudFormation::Stack", "Properties": map[string]any{
			"TemplateURL": "http://eddy/t/1.0.0",
			"Tags": []any{
				map[string]any{"Key": "lambda:createdBy", "Value": "SAM"},
				map[string]any{"Key": "serverlessrepo:applicationId", "Value": "arn:aws:serverlessrepo:us-east-1:123456789012:applications/child"},
				map[string]any{"Key": "serverlessrepo:semanticVersion", "Value": "1.0.0"},
			},
		}},
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("resources:\n%#v\nwant\n%#v", res, want)
	}
	if len(asked) != 1 || asked[0] != "Repo arn:aws:serverlessrepo:us-east-1:123456789012:applications/child 1.0.0" {
		t.Errorf("Application asked %q", asked)
	}
	for name, loc := range map[string]any{
		"Property 'ApplicationId' cannot be blank.": map[string]any{"SemanticVersion": "1.0.0"},
		"Type of property 'Location' is invalid.":   []any{"x"},
		"Cannot access application nope: not found": map[string]any{"ApplicationId": "nope"},
	} {
		doc := map[string]any{"Resources": map[string]any{"App": map[string]any{
			"Type": "AWS::Serverless::Application", "Properties": map[string]any{"Location": loc},
		}}}
		o.Application = func(string, string, string) (string, string, error) { return "", "", errors.New("not found") }
		_, err := sam.Transform(doc, o)
		if err == nil || !strings.Contains(err.Error(), "Resource with id [App] is invalid. "+name) {
			t.Errorf("Location %v: got %v, want %q", loc, err, name)
		}
	}
	o.Application = nil
	doc = map[string]any{"Resources": map[string]any{"App": map[string]any{
		"Type": "AWS::Serverless::Application", "Properties": map[string]any{"Location": map[string]any{"ApplicationId": "a", "SemanticVersion": "1.0.0"}},
	}}}
	if _, err := sam.Transform(doc, o); !errors.Is(err, sam.ErrUnsupported) {
		t.Errorf("without Options.Application: got %v, want ErrUnsupported", err)
	}
}

// sortDependsOn sorts each resource's DependsOn list: samtranslator lists
// the permissions an S3 bucket depends on in an order that changes from run
// to run.
func sortDependsOn(tree any) {
	resources, _ := tree.(map[string]any)["Resources"].(map[string]any)
	for _, r := range resources {
		if l, ok := r.(map[string]any)["DependsOn"].([]any); ok {
			sort.Slice(l, func(i, j int) bool { return fmt.Sprint(l[i]) < fmt.Sprint(l[j]) })
		}
	}
}

// TestNotSupportedYet checks that a property samtranslator knows and eddy
// does not transform yet is an error, not silently dropped.
func TestNotSupportedYet(t *testing.T) {
	fn := func(p map[string]any) map[string]any {
		props := map[string]any{"InlineCode": "x", "Handler": "h", "Runtime": "python3.12"}
		for k, v := range p {
			props[k] = v
		}
		return map[string]any{"Resources": map[string]any{"Fn": map[string]any{"Type": "AWS::Serverless::Function", "Properties": props}}}
	}
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"function property", fn(map[string]any{"DeploymentPreference": map[string]any{"Type": "AllAtOnce"}}), "AWS::Serverless::Function (Fn): property DeploymentPreference is not supported yet"},
		{"event property", fn(map[string]any{"Events": map[string]any{"A": map[string]any{"Type": "Api", "Properties": map[string]any{"Path": "/", "Method": "get", "Auth": map[string]any{}}}}}), "Api (FnA): property Auth is not supported yet"},
		{"implicit api global", map[string]any{"Globals": map[string]any{"Api": map[string]any{"Auth": map[string]any{}}}, "Resources": fn(map[string]any{"Events": map[string]any{"A": map[string]any{"Type": "Api", "Properties": map[string]any{"Path": "/", "Method": "get"}}}})["Resources"]}, "AWS::Serverless::Api (ServerlessRestApi): property Auth is not supported yet"},
		{"state machine", map[string]any{"Resources": map[string]any{"S": map[string]any{"Type": "AWS::Serverless::StateMachine"}}}, "AWS::Serverless::StateMachine (S) is not supported yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sam.Transform(tc.doc, opts)
			if !errors.Is(err, sam.ErrUnsupported) || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestInputUnchanged checks that Transform leaves its input as it was.
func TestInputUnchanged(t *testing.T) {
	for _, name := range []string{"testdata/events_s3.json", "testdata/globals.json", "testdata/api_cors_globals.json"} {
		doc := mustReadJSON(t, name)
		before := canonical(t, doc)
		if _, err := sam.Transform(doc, opts); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := diff("", canonical(t, doc), before); len(d) > 0 {
			t.Errorf("%s: input changed: %v", name, d)
		}
	}
}

// TestMutations replaces, one at a time, each value of each golden input
// by values of the wrong shape and checks that Transform returns a template
// or an error, never panics.
func TestMutations(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.json")
	odd := []any{nil, "", json.Number("1"), true, []any{}, map[string]any{}, map[string]any{"Ref": "X"}, []any{map[string]any{}}}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".expected.json") {
			continue
		}
		var paths [][]string
		var walk func(v any, path []string)
		walk = func(v any, path []string) {
			paths = append(paths, append([]string(nil), path...))
			if m, ok := v.(map[string]any); ok {
				for k, e := range m {
					walk(e, append(path, k))
				}
			}
		}
		walk(mustReadJSON(t, in), nil)
		for _, p := range paths {
			if len(p) == 0 {
				continue
			}
			for _, o := range odd {
				doc := mustReadJSON(t, in)
				m := doc
				for _, k := range p[:len(p)-1] {
					m = m[k].(map[string]any)
				}
				m[p[len(p)-1]] = o
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("%s: %v = %#v: panic %v", in, p, o, r)
						}
					}()
					out, err := sam.Transform(doc, opts)
					if out == nil && err == nil {
						t.Fatalf("%s: %v = %#v: got nil template and nil error", in, p, o)
					}
				}()
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no mutations ran")
	}
}

// TestHttpApiPayloadFormat checks an HttpApi event's PayloadFormatVersion
// and TimeoutInMillis reach its integration, as samtranslator puts them.
func TestHttpApiPayloadFormat(t *testing.T) {
	event := func(props map[string]any) map[string]any {
		p := map[string]any{"Path": "/items", "Method": "get"}
		for k, v := range props {
			p[k] = v
		}
		return map[string]any{"Resources": map[string]any{"Fn": map[string]any{
			"Type": "AWS::Serverless::Function",
			"Properties": map[string]any{"Runtime": "python3.12", "Handler": "app.handler", "InlineCode": "x",
				"Events": map[string]any{"Get": map[string]any{"Type": "HttpApi", "Properties": p}}},
		}}}
	}
	integration := func(out map[string]any) map[string]any {
		api := out["Resources"].(map[string]any)["ServerlessHttpApi"].(map[string]any)
		body := api["Properties"].(map[string]any)["Body"].(map[string]any)
		op := body["paths"].(map[string]any)["/items"].(map[string]any)["get"].(map[string]any)
		return op["x-amazon-apigateway-integration"].(map[string]any)
	}
	out, err := sam.Transform(event(map[string]any{"PayloadFormatVersion": "1.0", "TimeoutInMillis": 5000}), opts)
	if err != nil {
		t.Fatal(err)
	}
	if ig := integration(out); ig["payloadFormatVersion"] != "1.0" || ig["timeoutInMillis"] != 5000 {
		t.Errorf("integration %v", ig)
	}
	out, err = sam.Transform(event(nil), opts)
	if err != nil {
		t.Fatal(err)
	}
	if ig := integration(out); ig["payloadFormatVersion"] != "2.0" || ig["timeoutInMillis"] != nil {
		t.Errorf("default integration %v", ig)
	}
	if _, err := sam.Transform(event(map[string]any{"PayloadFormatVersion": "3.0"}), opts); err == nil || !strings.Contains(err.Error(), "PayloadFormatVersion must be") {
		t.Errorf("PayloadFormatVersion 3.0: %v", err)
	}
}
