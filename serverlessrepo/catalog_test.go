package serverlessrepo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/awsapi"
	"github.com/eddyserverless/eddy/engine"
	sar "github.com/eddyserverless/eddy/serverlessrepo"
)

// memObjects is an artifact store in memory.
type memObjects struct {
	mu sync.Mutex // guards m
	m  map[string][]byte
}

func newMemObjects() *memObjects { return &memObjects{m: map[string][]byte{}} }

func (o *memObjects) Open(_ context.Context, a sar.Artifact) (io.ReadCloser, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.m[a.URL()]
	if !ok {
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchKey", "The specified key does not exist.")
	}
	return io.NopCloser(bytes.NewReader(bytes.Clone(b))), nil
}

func (o *memObjects) Put(_ context.Context, a sar.Artifact, body io.Reader) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	o.set(a.URL(), b)
	return nil
}

func (o *memObjects) Delete(_ context.Context, a sar.Artifact) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, a.URL())
	return nil
}

func (o *memObjects) set(u string, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[u] = b
}

func (o *memObjects) get(u string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.m[u]
	return b, ok
}

// MustService opens a repository on a new embedded engine with objs as
// its S3.
func MustService(tb testing.TB, objs sar.Objects) *sar.Service {
	tb.Helper()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	s := sar.NewService(sar.Config{Engine: e, Endpoint: "http://eddy", Objects: objs})
	if err := s.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// fnTemplate is a SAM template of one function whose code is an artifact.
const fnTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://art/fn.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Layers: [!Ref Lib]
  Lib:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://art/lib.zip
`

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// MustPublish creates an application of fnTemplate shared by the
// statement given (none when principal is "").
func MustPublish(tb testing.TB, s *sar.Service, name, principal, action string) {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.CreateApplication(ctx, sar.CreateApplicationInput{Name: name, Author: "eddy", Description: "the app " + name,
		Labels: []string{"demo"}, ReadmeBody: "# " + name, SemanticVersion: "1.0.0", TemplateBody: fnTemplate}); err != nil {
		tb.Fatal(err)
	}
	if principal == "" {
		return
	}
	if _, err := s.PutApplicationPolicy(ctx, name, []sar.Statement{{Principals: []string{principal}, Actions: []string{action}}}); err != nil {
		tb.Fatal(err)
	}
}

// MustCatalogServer serves a repository's catalog (and the rest of its
// API) over HTTP.
func MustCatalogServer(tb testing.TB, s *sar.Service) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(&awsapi.Handler{Repo: s, Region: "us-east-1"})
	tb.Cleanup(srv.Close)
	return srv
}

func get(tb testing.TB, u string) (int, []byte) {
	tb.Helper()
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestCatalogServesPublicOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objs := newMemObjects()
	fn, lib := []byte("function code"), []byte("layer code")
	objs.set("s3://art/fn.zip", fn)
	objs.set("s3://art/lib.zip", lib)
	s := MustService(t, objs)
	MustPublish(t, s, "pub", "*", "Deploy")
	MustPublish(t, s, "acct", "123456789012", "Deploy")
	MustPublish(t, s, "lookonly", "*", "GetApplication")
	MustPublish(t, s, "private", "", "")
	srv := MustCatalogServer(t, s)
	base := srv.URL + sar.CatalogPrefix

	code, body := get(t, base+"index")
	if code != 200 {
		t.Fatalf("index: %d %s", code, body)
	}
	idx, err := sar.ReadCatalogIndex(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("index: %v\n%s", err, body)
	}
	if len(idx.Applications) != 1 || idx.Applications[0].Name != "pub" {
		t.Fatalf("index lists %+v, want pub alone", idx.Applications)
	}
	a := idx.Applications[0]
	if a.Author != "eddy" || a.Description != "the app pub" || a.Readme != "# pub" || len(a.Labels) != 1 || len(a.Versions) != 1 {
		t.Fatalf("application: %+v", a)
	}
	v := a.Versions[0]
	want, err := sar.PackageDigest(ctx, fnTemplate, objs.Open)
	if err != nil {
		t.Fatal(err)
	}
	if v.SemanticVersion != "1.0.0" || v.Digest != want || v.Signature != nil {
		t.Fatalf("version: got %+v, want digest %s", v, want)
	}
	wantArts := []sar.CatalogArtifact{{URL: "s3://art/fn.zip", SHA256: sum(fn)}, {URL: "s3://art/lib.zip", SHA256: sum(lib)}}
	if len(v.Artifacts) != 2 || v.Artifacts[0] != wantArts[0] || v.Artifacts[1] != wantArts[1] {
		t.Fatalf("artifacts: got %+v, want %+v", v.Artifacts, wantArts)
	}
	if len(v.RequiredCapabilities) != 1 || v.RequiredCapabilities[0] != sar.CapIAM {
		t.Errorf("capabilities: got %v, want [%s]", v.RequiredCapabilities, sar.CapIAM)
	}

	if code, body := get(t, base+"apps/pub/1.0.0/template"); code != 200 || string(body) != fnTemplate {
		t.Errorf("template: %d %s", code, body)
	}
	if code, body := get(t, base+"apps/pub/1.0.0/artifacts/"+sum(lib)); code != 200 || !bytes.Equal(body, lib) {
		t.Errorf("artifact: %d %s", code, body)
	}
	for _, p := range []string{
		"apps/acct/1.0.0/template", "apps/lookonly/1.0.0/template", "apps/private/1.0.0/template",
		"apps/private/1.0.0/artifacts/" + sum(fn), "apps/pub/2.0.0/template", "apps/nope/1.0.0/template",
		"apps/pub/1.0.0/artifacts/" + sum([]byte("other")), "apps/pub/1.0.0/artifacts/" + strings.ToUpper(sum(fn)),
		"apps/pub/1.0.0/artifacts/xyz", "apps/pub/1.0.0", "apps/pub", "apps", "", "index/x",
		"apps/pub/1.0.0/template/x", "apps/../index", "apps/pub/v1/template", "apps/pub%2F1.0.0/template",
	} {
		code, body := get(t, base+p)
		var e struct{ ErrorCode, Message string }
		if code != 404 || json.Unmarshal(body, &e) != nil || e.ErrorCode != "NotFoundException" || e.Message == "" {
			t.Errorf("%s: %d %s, want 404 NotFoundException", p, code, body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, base+"index", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Errorf("POST index: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}

	// A version whose artifact is gone is left out; the application stays.
	objs.Delete(ctx, sar.Artifact{Bucket: "art", Key: "lib.zip"})
	code, body = get(t, base+"index")
	if idx, err := sar.ReadCatalogIndex(bytes.NewReader(body)); code != 200 || err != nil || len(idx.Applications) != 1 || len(idx.Applications[0].Versions) != 0 {
		t.Errorf("index without an artifact: %d %v %s", code, err, body)
	}
}

func TestParseCatalogPath(t *testing.T) {
	t.Parallel()
	h := sum([]byte("x"))
	for _, c := range []struct {
		path string
		want sar.CatalogPath
	}{
		{"index", sar.CatalogPath{Kind: "index"}},
		{"apps/my-app/1.2.3/template", sar.CatalogPath{Kind: "template", Name: "my-app", Version: "1.2.3"}},
		{"apps/my-app/1.2.3-rc.1%2Bb/template", sar.CatalogPath{Kind: "template", Name: "my-app", Version: "1.2.3-rc.1+b"}},
		{"apps/a/0.0.1/artifacts/" + h, sar.CatalogPath{Kind: "artifact", Name: "a", Version: "0.0.1", SHA256: h}},
	} {
		got, err := sar.ParseCatalogPath(c.path)
		if err != nil || got != c.want {
			t.Errorf("%s: got %+v, %v, want %+v", c.path, got, err, c.want)
		}
	}
}

// FuzzCatalogPath checks that any path parses to a known kind with a
// valid name and version, or to NotFoundException.
func FuzzCatalogPath(f *testing.F) {
	for _, s := range []string{"index", "apps/a/1.0.0/template", "apps/a/1.0.0/artifacts/" + sum(nil), "apps/%zz/1/x", "apps//1.0.0/template", "apps/a%2Fb/1.0.0/template"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		p, err := sar.ParseCatalogPath(path)
		if err != nil {
			if e := eddy.AsError(err); e == nil || e.Type != "NotFoundException" {
				t.Fatalf("%q: %v, want NotFoundException", path, err)
			}
			return
		}
		switch p.Kind {
		case "index":
		case "template", "artifact":
			if !sar.ValidSemanticVersion(p.Version) || p.Name == "" || strings.ContainsAny(p.Name, "/.%") {
				t.Fatalf("%q: parsed to %+v", path, p)
			}
			if p.Kind == "artifact" && len(p.SHA256) != 64 {
				t.Fatalf("%q: parsed to %+v", path, p)
			}
		default:
			t.Fatalf("%q: kind %q", path, p.Kind)
		}
	})
}

// FuzzCatalogIndex checks that reading any index either fails with
// BadRequestException or gives an index that reads back the same.
func FuzzCatalogIndex(f *testing.F) {
	d := "sha256:" + sum(nil)
	f.Add(`{"applications":[]}`)
	f.Add(`{"applications":[{"name":"a","versions":[{"semanticVersion":"1.0.0","digest":"` + d + `","artifacts":[{"url":"s3://b/k","sha256":"` + sum(nil) + `"}]}]}]}`)
	f.Add(`{"applications":[{"name":"a"},{"name":"a"}]}`)
	f.Add(`{"applications":[{"name":"a b"}]}`)
	f.Add(`{"applications":null}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, doc string) {
		idx, err := sar.ReadCatalogIndex(strings.NewReader(doc))
		if err != nil {
			if e := eddy.AsError(err); e == nil || e.Type != "BadRequestException" {
				t.Fatalf("%q: %v, want BadRequestException", doc, err)
			}
			return
		}
		data, err := json.Marshal(idx)
		if err != nil {
			t.Fatal(err)
		}
		again, err := sar.ReadCatalogIndex(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s read back: %v", data, err)
		}
		if len(again.Applications) != len(idx.Applications) {
			t.Fatalf("%s read back with %d applications", data, len(again.Applications))
		}
	})
}
