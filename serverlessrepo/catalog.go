package serverlessrepo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// A catalog is what an eddy shares with other eddies: the applications
// whose policy lets everyone ("*") deploy them, served read-only and
// without authentication under CatalogPrefix:
//
//	index                               the applications, as CatalogIndex
//	apps/NAME/VERSION/template          a version's template
//	apps/NAME/VERSION/artifacts/SHA256  an artifact of a version, by its sha256
//
// Another eddy adds it as a source (see sources.go) and installs versions
// from it by digest.
const (
	// CatalogPrefix is where eddy's main port serves its catalog.
	CatalogPrefix = "/_eddy/catalog/v1/"
	// maxIndex bounds a catalog index read from a source.
	maxIndex = 32 << 20
)

// CatalogIndex is a catalog's index.
type CatalogIndex struct {
	Applications []CatalogApp `json:"applications"`
}

// CatalogApp is one application of a catalog.
type CatalogApp struct {
	Name          string           `json:"name"`
	Author        string           `json:"author,omitempty"`
	Description   string           `json:"description,omitempty"`
	Labels        []string         `json:"labels,omitempty"`
	HomePageURL   string           `json:"homePageUrl,omitempty"`
	SpdxLicenseID string           `json:"spdxLicenseId,omitempty"`
	Readme        string           `json:"readme,omitempty"`
	Versions      []CatalogVersion `json:"versions"`
}

// CatalogVersion is one version of a catalog's application: what its
// package digest is, who signed it, and the artifacts the package has.
type CatalogVersion struct {
	SemanticVersion      string                `json:"semanticVersion"`
	Digest               string                `json:"digest"`
	Signature            *Signature            `json:"signature,omitempty"`
	ParameterDefinitions []ParameterDefinition `json:"parameterDefinitions"`
	RequiredCapabilities []string              `json:"requiredCapabilities"`
	Artifacts            []CatalogArtifact     `json:"artifacts"`
}

// CatalogArtifact is one artifact of a catalog's version: its s3:// URL
// and the hex sha256 of its bytes.
type CatalogArtifact struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
}

// Latest returns the application's last version; nil when it has none.
func (a *CatalogApp) Latest() *CatalogVersion {
	if len(a.Versions) == 0 {
		return nil
	}
	return &a.Versions[len(a.Versions)-1]
}

// Version returns the application's version v; nil when it has none.
func (a *CatalogApp) Version(v string) *CatalogVersion {
	i := slices.IndexFunc(a.Versions, func(x CatalogVersion) bool { return x.SemanticVersion == v })
	if i < 0 {
		return nil
	}
	return &a.Versions[i]
}

// isPublic reports whether a policy lets everyone deploy the application.
func isPublic(sts []Statement) bool {
	for _, st := range sts {
		if slices.Contains(st.Principals, "*") && slices.Contains(st.Actions, "Deploy") {
			return true
		}
	}
	return false
}

// CatalogPath is a path under CatalogPrefix, parsed.
type CatalogPath struct {
	// Kind is "index", "template" or "artifact".
	Kind          string
	Name, Version string
	// SHA256 is an artifact's hex sha256.
	SHA256 string
}

// ParseCatalogPath parses the escaped path of a request after
// CatalogPrefix. An unknown path is NotFoundException.
func ParseCatalogPath(path string) (CatalogPath, error) {
	bad := notFound("No such catalog resource: %s.", path)
	if path == "index" {
		return CatalogPath{Kind: "index"}, nil
	}
	parts := strings.Split(path, "/")
	if len(parts) < 4 || parts[0] != "apps" {
		return CatalogPath{}, bad
	}
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return CatalogPath{}, bad
		}
		parts[i] = u
	}
	p := CatalogPath{Name: parts[1], Version: parts[2]}
	if checkName(p.Name) != nil || !ValidSemanticVersion(p.Version) {
		return CatalogPath{}, bad
	}
	switch {
	case len(parts) == 4 && parts[3] == "template":
		p.Kind = "template"
	case len(parts) == 5 && parts[3] == "artifacts" && validSHA256(parts[4]):
		p.Kind, p.SHA256 = "artifact", parts[4]
	default:
		return CatalogPath{}, bad
	}
	return p, nil
}

// validSHA256 reports whether s is a sha256 in lowercase hex.
func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validDigest reports whether s is a package digest: "sha256:" and 64
// lowercase hex digits.
func validDigest(s string) bool {
	rest, ok := strings.CutPrefix(s, digestPrefix)
	return ok && validSHA256(rest)
}

// publicRecords returns the records of every public application, by name.
func (s *Service) publicRecords(ctx context.Context) ([]*record, error) {
	all, err := readAll[record](ctx, s, "a.>")
	if err != nil {
		return nil, err
	}
	var recs []*record
	for _, rec := range all {
		if isPublic(rec.Statements) {
			recs = append(recs, rec)
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].App.Name < recs[j].App.Name })
	return recs, nil
}

// publicVersion returns version v of the public application name; an
// application that is not public is not found.
func (s *Service) publicVersion(ctx context.Context, name, v string) (*storedVersion, error) {
	nf := notFound("Cannot find version %s of a public application %s.", v, name)
	if checkName(name) != nil {
		return nil, nf
	}
	rec, _, err := s.load(ctx, name)
	if err != nil {
		if isNotFound(err) {
			return nil, nf
		}
		return nil, err
	}
	if !isPublic(rec.Statements) {
		return nil, nf
	}
	i := slices.IndexFunc(rec.Versions, func(x storedVersion) bool { return x.SemanticVersion == v })
	if i < 0 {
		return nil, nf
	}
	return &rec.Versions[i], nil
}

// CatalogIndex returns the catalog's index: every public application
// with its versions, their digests and artifacts. A version whose
// artifacts cannot be read is left out.
func (s *Service) CatalogIndex(ctx context.Context) (*CatalogIndex, error) {
	recs, err := s.publicRecords(ctx)
	if err != nil {
		return nil, err
	}
	out := &CatalogIndex{Applications: []CatalogApp{}}
	for _, rec := range recs {
		a := rec.App
		app := CatalogApp{
			Name: a.Name, Author: a.Author, Description: a.Description, Labels: a.Labels,
			HomePageURL: a.HomePageURL, SpdxLicenseID: a.SpdxLicenseID, Readme: rec.ReadmeBody, Versions: []CatalogVersion{},
		}
		for _, v := range rec.Versions {
			cv, err := s.catalogVersion(ctx, &v)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				s.cfg.Logger.Warn("serverlessrepo: version left out of the catalog", "application", a.Name, "version", v.SemanticVersion, "err", err)
				continue
			}
			app.Versions = append(app.Versions, *cv)
		}
		out.Applications = append(out.Applications, app)
	}
	return out, nil
}

// catalogVersion describes a version for the index, reading its
// artifacts once for their sums and, when the record has none, the
// package digest.
func (s *Service) catalogVersion(ctx context.Context, v *storedVersion) (*CatalogVersion, error) {
	if s.cfg.Objects == nil {
		return nil, errors.New("no object store to read artifacts from")
	}
	sums := map[string]string{}
	open := func(ctx context.Context, a Artifact) (io.ReadCloser, error) {
		rc, err := s.cfg.Objects.Open(ctx, a)
		if err != nil {
			return nil, err
		}
		return &summingReader{rc: rc, h: sha256.New(), done: func(sum string) { sums[a.URL()] = sum }}, nil
	}
	digest, err := PackageDigest(ctx, v.Template, open)
	if err != nil {
		return nil, err
	}
	if v.Digest != "" {
		digest = v.Digest
	}
	arts, err := Artifacts(v.Template)
	if err != nil {
		return nil, err
	}
	cv := &CatalogVersion{
		SemanticVersion: v.SemanticVersion, Digest: digest, Signature: v.Signature,
		ParameterDefinitions: v.ParameterDefinitions, RequiredCapabilities: v.RequiredCapabilities,
		Artifacts: make([]CatalogArtifact, 0, len(arts)),
	}
	for _, a := range arts {
		cv.Artifacts = append(cv.Artifacts, CatalogArtifact{URL: a.URL(), SHA256: sums[a.URL()]})
	}
	return cv, nil
}

// summingReader hashes what is read through it and gives the sum to done
// when it is closed after reading to EOF.
type summingReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	eof  bool
	done func(sum string)
}

// Read reads and hashes what it read.
func (r *summingReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF {
		r.eof = true
	}
	return n, err
}

// Close gives the sum to done, when the reader was read to EOF, and
// closes the underlying reader.
func (r *summingReader) Close() error {
	if r.eof {
		r.done(hex.EncodeToString(r.h.Sum(nil)))
	}
	return r.rc.Close()
}

// CatalogTemplate returns the template of a public application's version.
func (s *Service) CatalogTemplate(ctx context.Context, name, version string) (string, error) {
	v, err := s.publicVersion(ctx, name, version)
	if err != nil {
		return "", err
	}
	return v.Template, nil
}

// CatalogArtifact opens the artifact of a public application's version
// whose bytes have the hex sha256 sum.
func (s *Service) CatalogArtifact(ctx context.Context, name, version, sum string) (io.ReadCloser, error) {
	v, err := s.publicVersion(ctx, name, version)
	if err != nil {
		return nil, err
	}
	nf := notFound("Version %s of %s has no artifact with sha256 %s.", version, name, sum)
	if s.cfg.Objects == nil || !validSHA256(sum) {
		return nil, nf
	}
	arts, err := Artifacts(v.Template)
	if err != nil {
		return nil, nf
	}
	for _, a := range arts {
		got, err := artifactSum(ctx, a, s.cfg.Objects.Open)
		if err != nil {
			s.cfg.Logger.Warn("serverlessrepo: unreadable artifact", "application", name, "artifact", a.URL(), "err", err)
			continue
		}
		if got == sum {
			return s.cfg.Objects.Open(ctx, a)
		}
	}
	return nil, nf
}

// ReadCatalogIndex reads and checks a catalog index: every application
// named as the repository names them, every version a semantic version
// with a package digest, every artifact an s3:// URL with a sha256.
func ReadCatalogIndex(r io.Reader) (*CatalogIndex, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxIndex+1))
	if err != nil {
		return nil, badRequest("Unable to read the catalog index: %s", err)
	}
	if len(data) > maxIndex {
		return nil, badRequest("The catalog index is larger than %d bytes.", maxIndex)
	}
	idx := &CatalogIndex{}
	if err := json.Unmarshal(data, idx); err != nil {
		return nil, badRequest("The catalog index is not valid JSON: %s", err)
	}
	if idx.Applications == nil {
		return nil, badRequest("The catalog index has no applications list.")
	}
	seen := map[string]bool{}
	for i := range idx.Applications {
		a := &idx.Applications[i]
		if checkName(a.Name) != nil {
			return nil, badRequest("The catalog index names an invalid application: %q.", a.Name)
		}
		if seen[a.Name] {
			return nil, badRequest("The catalog index lists the application %s twice.", a.Name)
		}
		seen[a.Name] = true
		for _, v := range a.Versions {
			if !ValidSemanticVersion(v.SemanticVersion) {
				return nil, badRequest("The catalog index has an invalid version %q of %s.", v.SemanticVersion, a.Name)
			}
			if !validDigest(v.Digest) {
				return nil, badRequest("The catalog index has an invalid digest %q for %s@%s.", v.Digest, a.Name, v.SemanticVersion)
			}
			for _, art := range v.Artifacts {
				if !strings.HasPrefix(art.URL, "s3://") || !validSHA256(art.SHA256) {
					return nil, badRequest("The catalog index has an invalid artifact %q (sha256 %q) for %s@%s.", art.URL, art.SHA256, a.Name, v.SemanticVersion)
				}
			}
		}
	}
	return idx, nil
}
