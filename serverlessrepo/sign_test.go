package serverlessrepo

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

const signedTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://art/fn.zip
      Handler: app.handler
      Runtime: python3.12
`

// memObjects is an in-memory set of artifacts, by URL.
type memObjects struct {
	mu   sync.Mutex // guards objs
	objs map[string][]byte
}

func (m *memObjects) open(_ context.Context, a Artifact) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[a.URL()]
	if !ok {
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchKey", "The specified key does not exist.")
	}
	return io.NopCloser(bytes.NewReader(bytes.Clone(b))), nil
}

func (m *memObjects) Open(ctx context.Context, a Artifact) (io.ReadCloser, error) {
	return m.open(ctx, a)
}

func (m *memObjects) Put(_ context.Context, a Artifact, body io.Reader) error {
	b, err := io.ReadAll(body)
	if err == nil {
		m.put(a.URL(), b)
	}
	return err
}

func (m *memObjects) Delete(_ context.Context, a Artifact) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, a.URL())
	return nil
}

func (m *memObjects) put(url string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[url] = b
}

// mustKey returns a new ed25519 key pair.
func mustKey(tb testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return pub, priv
}

// mustSignService returns an open service that reads objs and trusts keys.
func mustSignService(tb testing.TB, objs *memObjects, keys ...ed25519.PublicKey) *Service {
	tb.Helper()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	s := NewService(Config{Engine: e, Endpoint: "http://eddy", Objects: objs, TrustedKeys: keys})
	if err := s.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// signInput is what a publisher with priv sends to sign digest.
func signInput(priv ed25519.PrivateKey, digest string) SignatureInput {
	sig := SignDigest(priv, digest)
	return SignatureInput{Digest: digest, PublicKey: sig.PublicKey, Signature: sig.Value}
}

func TestSignatures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objs := &memObjects{objs: map[string][]byte{"s3://art/fn.zip": []byte("code v1")}}
	trusted, trustedPriv := mustKey(t)
	_, otherPriv := mustKey(t)
	s := mustSignService(t, objs, trusted)

	if _, err := s.CreateApplication(ctx, CreateApplicationInput{Name: "gone", Author: "me", Description: "d", SemanticVersion: "1.0.0",
		TemplateBody: strings.Replace(signedTemplate, "fn.zip", "missing.zip", 1)}); errType(err) != "BadRequestException" || !strings.Contains(err.Error(), "s3://art/missing.zip") {
		t.Fatalf("a missing artifact at publish: got %v, want a BadRequestException naming it", err)
	}
	if _, err := s.CreateApplication(ctx, CreateApplicationInput{Name: "app", Author: "me", Description: "d", SemanticVersion: "1.0.0", TemplateBody: signedTemplate}); err != nil {
		t.Fatal(err)
	}
	want, err := PackageDigest(ctx, signedTemplate, objs.open)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := s.DescribePackage(ctx, "app", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Digest != want || pkg.Signature != nil || len(pkg.Artifacts) != 1 || pkg.Artifacts[0].URL != "s3://art/fn.zip" || len(pkg.Artifacts[0].SHA256) != 64 {
		t.Fatalf("package: got %+v, want digest %s, unsigned, one artifact", pkg, want)
	}
	if err := s.VerifyVersion(ctx, "app", "1.0.0"); errType(err) != "ForbiddenException" || !strings.Contains(err.Error(), "unsigned") {
		t.Fatalf("unsigned version: got %v, want ForbiddenException", err)
	}

	cases := []struct {
		name, typ, msg string
		in             SignatureInput
	}{
		{"wrong digest", "BadRequestException", "the digest does not match the published package", signInput(trustedPriv, "sha256:"+strings.Repeat("0", 64))},
		{"wrong key", "BadRequestException", "does not verify", func() SignatureInput {
			in := signInput(trustedPriv, want)
			in.PublicKey = signInput(otherPriv, want).PublicKey
			return in
		}()},
		{"bad key", "BadRequestException", "Invalid publicKey", func() SignatureInput {
			in := signInput(trustedPriv, want)
			in.PublicKey = "AAAA"
			return in
		}()},
		{"bad signature", "BadRequestException", "Invalid signature", func() SignatureInput {
			in := signInput(trustedPriv, want)
			in.Signature = "not base64!"
			return in
		}()},
		{"no such version", "NotFoundException", "Cannot find version", signInput(trustedPriv, want)},
	}
	for _, c := range cases {
		v := "1.0.0"
		if c.name == "no such version" {
			v = "9.9.9"
		}
		_, err := s.PutSignature(ctx, "app", v, c.in)
		if errType(err) != c.typ || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: got %v, want %s with %q", c.name, err, c.typ, c.msg)
		}
	}

	sig, err := s.PutSignature(ctx, "app", "1.0.0", signInput(trustedPriv, want))
	if err != nil {
		t.Fatal(err)
	}
	if sig.Signer != SignerOf(trusted) || !strings.HasPrefix(sig.Signer, "ed25519:") || len(sig.Signer) != len("ed25519:")+16 {
		t.Fatalf("signer: got %q, want %q", sig.Signer, SignerOf(trusted))
	}
	if _, err := s.PutSignature(ctx, "app", "1.0.0", signInput(otherPriv, want)); errType(err) != "ConflictException" {
		t.Fatalf("a second signature: got %v, want ConflictException", err)
	}
	if _, err := s.PutSignature(ctx, "app", "1.0.0", signInput(trustedPriv, want)); errType(err) != "ConflictException" {
		t.Fatalf("the same signature again: got %v, want ConflictException", err)
	}
	if pkg, _ := s.DescribePackage(ctx, "app", ""); pkg.Signature == nil || pkg.Signature.Signer != sig.Signer {
		t.Fatalf("package after signing: %+v", pkg)
	}
	if err := s.VerifyVersion(ctx, "app", "1.0.0"); err != nil {
		t.Fatalf("signed, unchanged package: %v", err)
	}
	if _, err := s.CreateCloudFormationTemplate(ctx, "app", "1.0.0"); err != nil {
		t.Fatalf("template of a signed package: %v", err)
	}

	// A version signed by a key this service does not trust.
	if _, err := s.CreateApplicationVersion(ctx, CreateApplicationVersionInput{ApplicationID: "app", SemanticVersion: "2.0.0", TemplateBody: signedTemplate + "# 2\n"}); err != nil {
		t.Fatal(err)
	}
	pkg2, _ := s.DescribePackage(ctx, "app", "2.0.0")
	if _, err := s.PutSignature(ctx, "app", "2.0.0", signInput(otherPriv, pkg2.Digest)); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyVersion(ctx, "app", "2.0.0"); errType(err) != "ForbiddenException" || !strings.Contains(err.Error(), "not a trusted key") {
		t.Fatalf("untrusted signer: got %v, want ForbiddenException", err)
	}

	// One byte of the artifact changes after signing.
	objs.put("s3://art/fn.zip", []byte("code v2"))
	changed, _ := PackageDigest(ctx, signedTemplate, objs.open)
	err = s.VerifyVersion(ctx, "app", "1.0.0")
	if errType(err) != "ForbiddenException" || !strings.Contains(err.Error(), "was changed after it was signed: digest "+changed+", signed "+want) {
		t.Fatalf("changed package: got %v, want ForbiddenException naming both digests", err)
	}
	if _, err := s.CreateCloudFormationTemplate(ctx, "app", "1.0.0"); errType(err) != "ForbiddenException" {
		t.Fatalf("template of a changed package: got %v, want ForbiddenException", err)
	}
	objs.put("s3://art/fn.zip", nil)
	if err := s.VerifyVersion(ctx, "app", "1.0.0"); errType(err) != "ForbiddenException" {
		t.Fatalf("emptied artifact: got %v, want ForbiddenException", err)
	}

	// With no trusted keys nothing is checked.
	open := mustSignService(t, objs)
	if _, err := open.CreateApplication(ctx, CreateApplicationInput{Name: "app", Author: "me", Description: "d", SemanticVersion: "1.0.0", TemplateBody: signedTemplate}); err != nil {
		t.Fatal(err)
	}
	if err := open.VerifyVersion(ctx, "app", "1.0.0"); err != nil {
		t.Fatalf("no trusted keys: %v", err)
	}
}

func TestKeysPEM(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	privDER, _ := x509.MarshalPKCS8PrivateKey(priv)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	gotPriv, err := ParsePrivateKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}))
	if err != nil || !gotPriv.Equal(priv) {
		t.Fatalf("private key: %v", err)
	}
	gotPub, err := ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	if err != nil || !gotPub.Equal(pub) {
		t.Fatalf("public key: %v", err)
	}
	if _, err := ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})); err == nil {
		t.Fatal("a private key read as a public key")
	}
	if _, err := ParsePrivateKeyPEM([]byte("not pem")); err == nil {
		t.Fatal("garbage read as a private key")
	}
}

func TestParseSignatureInput(t *testing.T) {
	t.Parallel()
	good := `{"digest":"sha256:ab","publicKey":"a2V5","signature":"c2ln"}`
	if in, err := ParseSignatureInput([]byte(good)); err != nil || in.Digest != "sha256:ab" || in.PublicKey != "a2V5" || in.Signature != "c2ln" {
		t.Fatalf("good: got %+v, %v", in, err)
	}
	for _, body := range []string{"", "{", "[]", "null", `{"digest":1}`, `{"digest":"x","publicKey":"y"}`, good + good, `{"digest":"x","publicKey":"y","signature":"z","extra":1}`,
		`{"digest":"x","publicKey":"y","signature":"` + strings.Repeat("z", 5000) + `"}`} {
		if _, err := ParseSignatureInput([]byte(body)); errType(err) != "BadRequestException" {
			t.Errorf("%.40q: got %v, want BadRequestException", body, err)
		}
	}
}

func FuzzParseSignatureInput(f *testing.F) {
	for _, s := range []string{`{"digest":"sha256:ab","publicKey":"a2V5","signature":"c2ln"}`, "", "{", `{"digest":null}`, `{"digest":"\u0000"} x`, `[1,2]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseSignatureInput(body)
		if err != nil {
			if errType(err) != "BadRequestException" {
				t.Fatalf("got %v, want a BadRequestException", err)
			}
			return
		}
		if in.Digest == "" || in.PublicKey == "" || in.Signature == "" {
			t.Fatalf("accepted %q with an empty member: %+v", body, in)
		}
		// What parses verifies or is refused, never panics.
		_, _ = VerifySignature(Signature{PublicKey: in.PublicKey, Value: in.Signature}, in.Digest)
		if _, err := json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	})
}
