package serverlessrepo

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
)

// Signed packages. A publisher signs the digest of a version's package
// (see PackageDigest) with an ed25519 key; eddy checks the signature
// against the digest it computed when the version was made and stores it
// with the version, once. An eddy given trusted keys deploys a version
// only when one of them signed it and its package, computed again at
// deploy, still has the digest signed.

// maxSignatureRequest bounds a signature request's body.
const maxSignatureRequest = 4 << 10

// SignatureInput is what a publisher sends to sign a version: the digest
// signed, the public key (base64 of its 32 bytes) and the signature of
// the digest's text (base64).
type SignatureInput struct {
	Digest    string `json:"digest"`
	PublicKey string `json:"publicKey"`
	Signature string `json:"signature"`
}

// ParseSignatureInput parses a signature request's JSON body; every
// member is required.
func ParseSignatureInput(body []byte) (SignatureInput, error) {
	var in SignatureInput
	if len(body) > maxSignatureRequest {
		return in, badRequest("The request body is larger than %d bytes.", maxSignatureRequest)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return SignatureInput{}, badRequest("Could not parse the request body: %s", jsonMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return SignatureInput{}, badRequest("Could not parse the request body: unexpected data after the object.")
	}
	for _, f := range []struct{ name, v string }{{"digest", in.Digest}, {"publicKey", in.PublicKey}, {"signature", in.Signature}} {
		if f.v == "" {
			return SignatureInput{}, badRequest("Missing required parameter: %s.", f.name)
		}
	}
	return in, nil
}

// jsonMessage describes a JSON decoding error without echoing the input.
func jsonMessage(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at offset %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("the member %s must be a %s", typ.Field, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or incomplete"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown member " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "invalid JSON"
}

// SignerOf names a public key: "ed25519:" and the first 16 hex digits of
// the sha256 of its bytes.
func SignerOf(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:])[:16]
}

// SignDigest signs a package digest with a publisher's private key.
func SignDigest(priv ed25519.PrivateKey, digest string) Signature {
	pub := priv.Public().(ed25519.PublicKey)
	return Signature{
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		Signer:    SignerOf(pub),
		Value:     base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(digest))),
	}
}

// decodeKey decodes a base64 ed25519 public key.
func decodeKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, badRequest("Invalid publicKey: it must be the base64 of a %d-byte ed25519 public key.", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// VerifySignature checks that sig is a valid signature of digest by the
// key it names, and returns that key.
func VerifySignature(sig Signature, digest string) (ed25519.PublicKey, error) {
	pub, err := decodeKey(sig.PublicKey)
	if err != nil {
		return nil, err
	}
	if sig.Signer != "" && sig.Signer != SignerOf(pub) {
		return nil, badRequest("The signer %s does not name the public key, which is %s.", sig.Signer, SignerOf(pub))
	}
	v, err := base64.StdEncoding.DecodeString(sig.Value)
	if err != nil || len(v) != ed25519.SignatureSize {
		return nil, badRequest("Invalid signature: it must be the base64 of a %d-byte ed25519 signature.", ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, []byte(digest), v) {
		return nil, badRequest("The signature does not verify: it is not %s's signature of the digest %s.", SignerOf(pub), digest)
	}
	return pub, nil
}

// ParsePublicKeyPEM reads an ed25519 public key from PEM (PKIX, "PUBLIC
// KEY"), as `eddy apps keygen` writes it.
func ParsePublicKeyPEM(data []byte) (ed25519.PublicKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("no PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the key is a %T, not an ed25519 key", k)
	}
	return pub, nil
}

// ParsePrivateKeyPEM reads an ed25519 private key from PEM (PKCS#8,
// "PRIVATE KEY"), as `eddy apps keygen` writes it.
func ParsePrivateKeyPEM(data []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("no PEM PRIVATE KEY block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is a %T, not an ed25519 key", k)
	}
	return priv, nil
}

// forbidden returns a ForbiddenException.
func forbidden(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EPRECOND, "ForbiddenException", format, args...)
}

// openArtifact opens an artifact through the configured reader; an
// artifact that cannot be read is the request's fault, unless eddy
// failed.
func (s *Service) openArtifact(ctx context.Context, a Artifact) (io.ReadCloser, error) {
	if s.cfg.Objects == nil {
		return nil, badRequest("The artifact %s cannot be read: this eddy reads no artifacts.", a.URL())
	}
	rc, err := s.cfg.Objects.Open(ctx, a)
	if err != nil {
		if c := eddy.ErrorCode(err); c == eddy.EINTERNAL || c == eddy.EUNAVAIL {
			return nil, err
		}
		return nil, badRequest("The artifact %s the template names cannot be read: %s", a.URL(), eddy.ErrorMessage(err))
	}
	return rc, nil
}

// digest computes the digest of a template's package from the objects
// its artifacts are now; "" when the service reads no artifacts.
func (s *Service) digest(ctx context.Context, template string) (string, error) {
	if s.cfg.Objects == nil {
		return "", nil
	}
	return PackageDigest(ctx, template, s.openArtifact)
}

// PutSignature stores a publisher's signature of version semver of an
// application. The digest must be the version's and the signature valid;
// a version's signature, once stored, does not change.
func (s *Service) PutSignature(ctx context.Context, id, semver string, in SignatureInput) (*Signature, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := s.version(rec, semver)
	if err != nil {
		return nil, err
	}
	if v == nil || semver == "" {
		return nil, notFound("Cannot find version %s of application %s.", semver, id)
	}
	if v.Digest == "" {
		return nil, badRequest("The version %s of application %s has no package digest to sign.", semver, id)
	}
	if in.Digest != v.Digest {
		return nil, badRequest("the digest does not match the published package: signed %s, published %s", in.Digest, v.Digest)
	}
	pub, err := VerifySignature(Signature{PublicKey: in.PublicKey, Value: in.Signature}, v.Digest)
	if err != nil {
		return nil, err
	}
	value, _ := base64.StdEncoding.DecodeString(in.Signature) // VerifySignature decoded it
	// Stored canonical: base64 has more than one spelling of some bytes.
	sig := Signature{
		PublicKey: base64.StdEncoding.EncodeToString(pub), Signer: SignerOf(pub),
		Value: base64.StdEncoding.EncodeToString(value),
	}
	_, err = s.update(ctx, id, func(r *record) error {
		i := slices.IndexFunc(r.Versions, func(x storedVersion) bool { return x.SemanticVersion == semver })
		if i < 0 {
			return notFound("Cannot find version %s of application %s.", semver, id)
		}
		if r.Versions[i].Signature != nil {
			return conflict("The version %s of application %s is already signed by %s. Signatures are immutable.", semver, id, r.Versions[i].Signature.Signer)
		}
		r.Versions[i].Signature = &sig
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &sig, nil
}

// PackageArtifact is one artifact of a version's package and the sha256
// (hex) of the object it is now; Missing when it cannot be read.
type PackageArtifact struct {
	URL     string `json:"url"`
	SHA256  string `json:"sha256,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// VersionPackage is a version's package: its digest when it was made, its
// publisher's signature, and its artifacts as they are now.
type VersionPackage struct {
	ApplicationID   string            `json:"applicationId"`
	SemanticVersion string            `json:"semanticVersion"`
	Digest          string            `json:"digest"`
	Signature       *Signature        `json:"signature"`
	Artifacts       []PackageArtifact `json:"artifacts"`
}

// DescribePackage returns the package of version semver (the latest when
// empty) of an application.
func (s *Service) DescribePackage(ctx context.Context, id, semver string) (*VersionPackage, error) {
	rec, v, err := s.loadVersion(ctx, id, semver)
	if err != nil {
		return nil, err
	}
	arts, err := Artifacts(v.Template)
	if err != nil {
		return nil, err
	}
	out := &VersionPackage{
		ApplicationID: rec.App.ApplicationID, SemanticVersion: v.SemanticVersion,
		Digest: v.Digest, Signature: v.Signature, Artifacts: []PackageArtifact{},
	}
	for _, a := range arts {
		pa := PackageArtifact{URL: a.URL()}
		sum, err := artifactSum(ctx, a, s.openArtifact)
		switch c := eddy.ErrorCode(err); {
		case err == nil:
			pa.SHA256 = sum
		case c == eddy.EINTERNAL || c == eddy.EUNAVAIL:
			return nil, err
		default:
			pa.Missing = true
		}
		out.Artifacts = append(out.Artifacts, pa)
	}
	return out, nil
}

// VerifyVersion checks, when the service has trusted keys, that version
// semver (the latest when empty) of an application is signed by one of
// them and that its package, computed now from its template and the
// objects its artifacts are, still has the digest signed. It returns a
// ForbiddenException when not; with no trusted keys it checks nothing.
func (s *Service) VerifyVersion(ctx context.Context, id, semver string) error {
	if len(s.cfg.TrustedKeys) == 0 {
		return nil
	}
	rec, v, err := s.loadVersion(ctx, id, semver)
	if err != nil {
		return err
	}
	return s.verify(ctx, rec, v)
}

// verify is VerifyVersion for a loaded version.
func (s *Service) verify(ctx context.Context, rec *record, v *storedVersion) error {
	if len(s.cfg.TrustedKeys) == 0 {
		return nil
	}
	pkg := rec.App.Name + "@" + v.SemanticVersion
	if v.Signature == nil || v.Digest == "" {
		return forbidden("The package %s is unsigned; this eddy deploys only packages signed by a trusted key.", pkg)
	}
	pub, err := VerifySignature(*v.Signature, v.Digest)
	if err != nil {
		return forbidden("The signature of the package %s is invalid: %s", pkg, eddy.ErrorMessage(err))
	}
	if !slices.ContainsFunc(s.cfg.TrustedKeys, func(k ed25519.PublicKey) bool { return k.Equal(pub) }) {
		return forbidden("The package %s is signed by %s, which is not a trusted key.", pkg, SignerOf(pub))
	}
	now, err := PackageDigest(ctx, v.Template, s.openArtifact)
	if err != nil {
		if c := eddy.ErrorCode(err); c == eddy.EINTERNAL || c == eddy.EUNAVAIL {
			return err
		}
		return forbidden("The package %s was changed after it was signed: %s", pkg, eddy.ErrorMessage(err))
	}
	if now != v.Digest {
		return forbidden("The package %s was changed after it was signed: digest %s, signed %s", pkg, now, v.Digest)
	}
	return nil
}
