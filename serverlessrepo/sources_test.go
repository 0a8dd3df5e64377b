package serverlessrepo_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	sar "github.com/eddyserverless/eddy/serverlessrepo"
)

func errType(err error) string {
	if e := eddy.AsError(err); e != nil {
		return e.Type
	}
	return ""
}

func TestSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objsA := newMemObjects()
	objsA.set("s3://art/fn.zip", []byte("function code"))
	objsA.set("s3://art/lib.zip", []byte("layer code"))
	a := MustService(t, objsA)
	MustPublish(t, a, "pub", "*", "Deploy")
	MustPublish(t, a, "private", "", "")
	srv := MustCatalogServer(t, a)
	b := MustService(t, newMemObjects())

	for _, bad := range []string{"", "ftp://x", "not a url", "http://", srv.URL + "?q=1"} {
		if _, err := b.AddSource(ctx, bad); errType(err) != "BadRequestException" {
			t.Errorf("add %q: %v, want BadRequestException", bad, err)
		}
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := b.AddSource(ctx, dead.URL); errType(err) != "BadRequestException" || !strings.Contains(err.Error(), "Unable to reach the source") {
		t.Errorf("add an unreachable source: %v", err)
	}
	notCatalog := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	t.Cleanup(notCatalog.Close)
	if _, err := b.AddSource(ctx, notCatalog.URL); errType(err) != "BadRequestException" || !strings.Contains(err.Error(), "is not an eddy catalog") {
		t.Errorf("add a source that is no catalog: %v", err)
	}

	added, err := b.AddSource(ctx, srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if added.URL != srv.URL || added.Applications != 1 {
		t.Fatalf("added: %+v", added)
	}
	list, err := b.ListSources(ctx)
	if err != nil || len(list) != 1 || list[0].URL != srv.URL {
		t.Fatalf("sources: %+v %v", list, err)
	}
	entries, err := b.CatalogEntries(ctx)
	if err != nil || len(entries) != 1 || entries[0].Name != "pub" || entries[0].Source != srv.URL || entries[0].Latest().SemanticVersion != "1.0.0" {
		t.Fatalf("entries: %+v %v", entries, err)
	}

	// A new public version shows after a refresh.
	if _, err := a.CreateApplicationVersion(ctx, sar.CreateApplicationVersionInput{ApplicationID: "pub", SemanticVersion: "1.1.0", TemplateBody: fnTemplate + "# 1.1\n"}); err != nil {
		t.Fatal(err)
	}
	if refreshed, err := b.RefreshSources(ctx, ""); err != nil || len(refreshed) != 1 {
		t.Fatalf("refresh: %+v %v", refreshed, err)
	}
	entries, _ = b.CatalogEntries(ctx)
	if len(entries) != 1 || entries[0].Latest().SemanticVersion != "1.1.0" {
		t.Fatalf("entries after refresh: %+v", entries)
	}
	// Listing works with the source stopped.
	srv.Close()
	if entries, err := b.CatalogEntries(ctx); err != nil || len(entries) != 1 {
		t.Fatalf("entries offline: %+v %v", entries, err)
	}
	if _, err := b.RefreshSources(ctx, srv.URL); errType(err) != "BadRequestException" {
		t.Errorf("refresh of a stopped source: %v", err)
	}
	if err := b.RemoveSource(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveSource(ctx, srv.URL); errType(err) != "NotFoundException" {
		t.Errorf("remove twice: %v", err)
	}
	if list, _ := b.ListSources(ctx); len(list) != 0 {
		t.Errorf("sources after remove: %+v", list)
	}
}

func TestInstall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objsA := newMemObjects()
	objsA.set("s3://art/fn.zip", []byte("function code"))
	objsA.set("s3://art/lib.zip", []byte("layer code"))
	a := MustService(t, objsA)
	MustPublish(t, a, "pub", "*", "Deploy")
	srv := MustCatalogServer(t, a)
	objsB := newMemObjects()
	b := MustService(t, objsB)
	if _, err := b.AddSource(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	want, err := sar.PackageDigest(ctx, fnTemplate, objsA.Open)
	if err != nil {
		t.Fatal(err)
	}
	wrong := "sha256:" + strings.Repeat("0", 64)

	_, err = b.Install(ctx, sar.InstallInput{Name: "pub", Version: "1.0.0", Digest: wrong})
	if errType(err) != "BadRequestException" || !strings.Contains(err.Error(), "digest mismatch: want "+wrong+", got "+want) {
		t.Fatalf("install with a wrong digest: %v", err)
	}
	if _, ok := objsB.get("s3://art/fn.zip"); ok {
		t.Fatal("a refused install stored an artifact")
	}
	if _, err := b.GetApplication(ctx, "pub", ""); errType(err) != "NotFoundException" {
		t.Fatalf("a refused install made the application: %v", err)
	}
	for _, in := range []sar.InstallInput{
		{Name: "pub", Version: "2.0.0"}, {Name: "nope", Version: "1.0.0"}, {Name: "pub", Version: "1.0.0", Source: "http://127.0.0.1:1"},
		{Name: "pub", Version: "1.0.0", Digest: "md5:x"}, {Name: "p b", Version: "1.0.0"}, {Name: "pub", Version: "v1"},
	} {
		if _, err := b.Install(ctx, in); errType(err) != "BadRequestException" {
			t.Errorf("install %+v: %v, want BadRequestException", in, err)
		}
	}

	out, err := b.Install(ctx, sar.InstallInput{Source: srv.URL, Name: "pub", Version: "1.0.0", Digest: want})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Installed || out.Digest != want || out.Source != srv.URL {
		t.Fatalf("install: %+v", out)
	}
	if got, ok := objsB.get("s3://art/fn.zip"); !ok || string(got) != "function code" {
		t.Fatalf("installed artifact: %q %v", got, ok)
	}
	app, err := b.GetApplication(ctx, "pub", "1.0.0")
	if err != nil || app.Author != "eddy" || app.Description != "the app pub" || app.Version == nil || app.Version.SemanticVersion != "1.0.0" {
		t.Fatalf("installed application: %+v %v", app, err)
	}
	if body, err := b.TemplateBody(ctx, "versions/pub/1.0.0"); err != nil || body != fnTemplate {
		t.Fatalf("installed template: %v\n%s", err, body)
	}
	// Installing the same version again does nothing, with the source
	// stopped too.
	srv.Close()
	if out, err := b.Install(ctx, sar.InstallInput{Name: "pub", Version: "1.0.0"}); err != nil || out.Installed {
		t.Fatalf("install again: %+v %v", out, err)
	}
}

// fakeSource serves a catalog of one version of fnTemplate whose index
// gives digest and signature, and whose artifact fn.zip is served as
// fnServed; edits change the application in the index.
func fakeSource(t *testing.T, digest string, sig *sar.Signature, fn, fnServed []byte, edits ...func(*sar.CatalogApp)) *httptest.Server {
	t.Helper()
	lib := []byte("layer code")
	idx := sar.CatalogIndex{Applications: []sar.CatalogApp{{Name: "pub", Author: "eddy", Description: "d", Versions: []sar.CatalogVersion{{
		SemanticVersion: "1.0.0", Digest: digest, Signature: sig,
		Artifacts: []sar.CatalogArtifact{{URL: "s3://art/fn.zip", SHA256: sum(fn)}, {URL: "s3://art/lib.zip", SHA256: sum(lib)}},
	}}}}}
	for _, edit := range edits {
		edit(&idx.Applications[0])
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, sar.CatalogPrefix) {
		case "index":
			_ = json.NewEncoder(w).Encode(idx)
		case "apps/pub/1.0.0/template":
			_, _ = w.Write([]byte(fnTemplate))
		case "apps/pub/1.0.0/artifacts/" + sum(fn):
			_, _ = w.Write(fnServed)
		case "apps/pub/1.0.0/artifacts/" + sum(lib):
			_, _ = w.Write(lib)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// packageDigest is the digest of fnTemplate with these artifacts.
func packageDigest(t *testing.T, fn []byte) string {
	t.Helper()
	objs := newMemObjects()
	objs.set("s3://art/fn.zip", fn)
	objs.set("s3://art/lib.zip", []byte("layer code"))
	d, err := sar.PackageDigest(context.Background(), fnTemplate, objs.Open)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sign signs a digest as a publisher does.
func sign(priv ed25519.PrivateKey, digest string) *sar.Signature {
	pub := priv.Public().(ed25519.PublicKey)
	s := sha256.Sum256(pub)
	return &sar.Signature{
		PublicKey: base64.StdEncoding.EncodeToString(pub), Signer: "ed25519:" + hex.EncodeToString(s[:])[:16],
		Value: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(digest))),
	}
}

func TestInstallVerifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fn := []byte("function code")
	digest := packageDigest(t, fn)
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	forged := sign(other, digest)
	forged.PublicKey = sign(priv, digest).PublicKey

	for _, c := range []struct {
		name    string
		src     *httptest.Server
		errType string
		errText string
	}{
		{"tampered artifact", fakeSource(t, digest, nil, fn, []byte("evil code")), "BadRequestException", "digest mismatch: want " + digest + ", got "},
		{"signature of another digest", fakeSource(t, digest, sign(priv, packageDigest(t, []byte("x"))), fn, fn), "BadRequestException", "does not verify"},
		{"signature by another key", fakeSource(t, digest, forged, fn, fn), "BadRequestException", "does not name the public key"},
		{"no author", fakeSource(t, digest, nil, fn, fn, func(a *sar.CatalogApp) { a.Author = "" }), "BadRequestException", "invalid metadata"},
		{"bad labels", fakeSource(t, digest, nil, fn, fn, func(a *sar.CatalogApp) { a.Labels = []string{"a b"} }), "BadRequestException", "invalid metadata"},
		{"signed", fakeSource(t, digest, sign(priv, digest), fn, fn), "", ""},
	} {
		objs := newMemObjects()
		b := MustService(t, objs)
		if _, err := b.AddSource(ctx, c.src.URL); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		out, err := b.Install(ctx, sar.InstallInput{Name: "pub", Version: "1.0.0"})
		if c.errType == "" {
			if err != nil || !out.Installed || out.Signer != sign(priv, digest).Signer {
				t.Errorf("%s: %+v %v", c.name, out, err)
			}
			continue
		}
		if errType(err) != c.errType || !strings.Contains(err.Error(), c.errText) {
			t.Errorf("%s: %v, want %s with %q", c.name, err, c.errType, c.errText)
		}
		for _, u := range []string{"s3://art/fn.zip", "s3://art/lib.zip"} {
			if _, ok := objs.get(u); ok {
				t.Errorf("%s: %s stays stored", c.name, u)
			}
		}
		if _, err := b.GetApplication(ctx, "pub", ""); errType(err) != "NotFoundException" {
			t.Errorf("%s: the application was made: %v", c.name, err)
		}
	}

	// A local version of the same number with another package conflicts,
	// and the local artifacts stay as they are.
	objs := newMemObjects()
	objs.set("s3://art/fn.zip", []byte("local code"))
	objs.set("s3://art/lib.zip", []byte("layer code"))
	b := MustService(t, objs)
	MustPublish(t, b, "pub", "", "")
	if _, err := b.AddSource(ctx, fakeSource(t, digest, nil, fn, fn).URL); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Install(ctx, sar.InstallInput{Name: "pub", Version: "1.0.0"}); errType(err) != "ConflictException" {
		t.Errorf("install over a local version: %v, want ConflictException", err)
	}
	// An artifact that would overwrite a local object of other content
	// conflicts too.
	objs = newMemObjects()
	objs.set("s3://art/fn.zip", []byte("local code"))
	b = MustService(t, objs)
	if _, err := b.AddSource(ctx, fakeSource(t, digest, nil, fn, fn).URL); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Install(ctx, sar.InstallInput{Name: "pub", Version: "1.0.0"}); errType(err) != "ConflictException" {
		t.Errorf("install over a local object: %v, want ConflictException", err)
	}
	if got, _ := objs.get("s3://art/fn.zip"); string(got) != "local code" {
		t.Errorf("local artifact: got %q, want it kept", got)
	}
}

// TestSourcesEndpoints checks eddy's endpoints for sources and installs
// answer bad requests with the repository's errors.
func TestSourcesEndpoints(t *testing.T) {
	t.Parallel()
	srv := MustCatalogServer(t, MustService(t, newMemObjects()))
	base := srv.URL + sar.PathPrefix
	for _, c := range []struct {
		method, path, body string
		status             int
		errType            string
	}{
		{"GET", "sources", "", 200, ""},
		{"GET", "available", "", 200, ""},
		{"POST", "sources", `{"url":`, 400, "BadRequestException"},
		{"POST", "sources", `{"url":"gopher://x"}`, 400, "BadRequestException"},
		{"POST", "sources", `[]`, 400, "BadRequestException"},
		{"POST", "sources/refresh", `{"url":"http://127.0.0.1:1"}`, 404, "NotFoundException"},
		{"DELETE", "sources?url=http://127.0.0.1:1", "", 404, "NotFoundException"},
		{"DELETE", "sources", "", 400, "BadRequestException"},
		{"POST", "install", `{"name":"a","version":"1.0.0","digest":1}`, 400, "BadRequestException"},
		{"POST", "install", `{"name":"a","version":"1.0.0"}`, 400, "BadRequestException"},
		{"POST", "install", ``, 400, "BadRequestException"},
		{"PUT", "install", `{}`, 404, "NotFoundException"},
		{"GET", "install", ``, 404, "NotFoundException"},
	} {
		req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ ErrorCode, Message string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != c.status || e.ErrorCode != c.errType || (c.errType != "" && e.Message == "") {
			t.Errorf("%s %s %s: %d %+v, want %d %s", c.method, c.path, c.body, resp.StatusCode, e, c.status, c.errType)
		}
	}
}
