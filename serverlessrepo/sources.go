package serverlessrepo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// A source is another eddy's catalog (see catalog.go), known by its base
// URL. Its index is fetched when it is added and when it is refreshed,
// and kept under src.<url> beside the applications, so what it offers
// can be listed while it is unreachable. Installing a version fetches
// the template and artifacts, stores the artifacts in eddy's own S3 at
// the URLs the template names, and accepts the version only when the
// package digest of what was stored is the one the index gives (and the
// one the user asked for), and its signature, when it has one, verifies.

// Objects reads and writes the objects of eddy's S3 that artifacts are.
type Objects interface {
	// Open opens an artifact's object; a missing one is ENOTFOUND.
	Open(ctx context.Context, a Artifact) (io.ReadCloser, error)
	// Put stores an artifact's object, creating its bucket if missing.
	Put(ctx context.Context, a Artifact, body io.Reader) error
	// Delete removes an artifact's object.
	Delete(ctx context.Context, a Artifact) error
}

// Source is a catalog eddy installs applications from, as stored.
type Source struct {
	URL       string       `json:"url"`
	Added     string       `json:"added"`
	Refreshed string       `json:"refreshed"`
	Index     CatalogIndex `json:"index"`
}

// SourceSummary is one source of ListSources.
type SourceSummary struct {
	URL          string `json:"url"`
	Added        string `json:"added"`
	Refreshed    string `json:"refreshed"`
	Applications int    `json:"applications"`
}

// CatalogEntry is one application a source offers, as its index (when
// last fetched) describes it.
type CatalogEntry struct {
	Source string `json:"source"`
	CatalogApp
}

// InstallInput is an install's request body.
type InstallInput struct {
	// Source is the source's URL; "" for the one source that offers the
	// version.
	Source  string `json:"source"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// Digest is the package digest the version must have; "" for the one
	// the source's index gives.
	Digest string `json:"digest"`
}

// InstallOutput is what an install did.
type InstallOutput struct {
	ApplicationID string `json:"applicationId"`
	Name          string `json:"name"`
	Version       string `json:"version"`
	Digest        string `json:"digest"`
	Source        string `json:"source"`
	// Installed is false when the version was installed already.
	Installed bool `json:"installed"`
	// Signer names the key that signed the version; "" when unsigned.
	Signer string `json:"signer,omitempty"`
}

func sourceKey(u string) string { return "src." + engine.EncodeKey(u) }

func isNotFound(err error) bool { return eddy.ErrorCode(err) == eddy.ENOTFOUND }

// normalizeSource checks a source's URL and returns it without a
// trailing slash or the catalog's path.
func normalizeSource(raw string) (string, error) {
	u := strings.TrimSpace(raw)
	u = strings.TrimSuffix(u, CatalogPrefix+"index")
	u = strings.TrimRight(u, "/")
	p, err := url.Parse(u)
	if u == "" || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
		return "", badRequest("Invalid source URL: %q. A source is an eddy's address, http(s)://HOST[:PORT].", raw)
	}
	return u, nil
}

// get fetches a path of a source's catalog; a status other than 200 is
// BadRequestException with what the source said.
func (s *Service) get(ctx context.Context, src, path string) (*http.Response, error) {
	u := src + CatalogPrefix + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, badRequest("Invalid source URL: %s.", u)
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, badRequest("Unable to reach the source %s: %s", src, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var e struct{ Message string }
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		_ = json.Unmarshal(data, &e)
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return nil, badRequest("The source %s answered %d for %s: %s", src, resp.StatusCode, path, e.Message)
	}
	return resp, nil
}

// fetchIndex fetches and checks a source's index.
func (s *Service) fetchIndex(ctx context.Context, src string) (*CatalogIndex, error) {
	resp, err := s.get(ctx, src, "index")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	idx, err := ReadCatalogIndex(resp.Body)
	if err != nil {
		return nil, badRequest("The source %s is not an eddy catalog: %s", src, eddy.ErrorMessage(err))
	}
	return idx, nil
}

// putSource stores a source.
func (s *Service) putSource(ctx context.Context, src *Source) error {
	data, err := json.Marshal(src)
	if err != nil {
		return err
	}
	rev, err := s.kv.Put(ctx, sourceKey(src.URL), data)
	if err != nil {
		return err
	}
	s.index.putSource(sourceKey(src.URL), rev, src)
	return nil
}

// getSource reads a stored source.
func (s *Service) getSource(ctx context.Context, u string) (*Source, error) {
	ent, err := s.kv.Get(ctx, sourceKey(u))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound("No source %s. Add it with eddy apps sources add.", u)
	}
	if err != nil {
		return nil, err
	}
	src := &Source{}
	if err := json.Unmarshal(ent.Value(), src); err != nil {
		return nil, err
	}
	return src, nil
}

// sources returns every stored source, by URL.
func (s *Service) sources(ctx context.Context) ([]*Source, error) {
	out, err := readAll[Source](ctx, s, "src.>")
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

func (src *Source) summary() SourceSummary {
	return SourceSummary{URL: src.URL, Added: src.Added, Refreshed: src.Refreshed, Applications: len(src.Index.Applications)}
}

// AddSource adds a catalog as a source, fetching its index; adding a
// source again refreshes it.
func (s *Service) AddSource(ctx context.Context, raw string) (*SourceSummary, error) {
	u, err := normalizeSource(raw)
	if err != nil {
		return nil, err
	}
	idx, err := s.fetchIndex(ctx, u)
	if err != nil {
		return nil, err
	}
	now := s.now()
	src := &Source{URL: u, Added: now, Refreshed: now, Index: *idx}
	if old, err := s.getSource(ctx, u); err == nil {
		src.Added = old.Added
	}
	if err := s.putSource(ctx, src); err != nil {
		return nil, err
	}
	sum := src.summary()
	return &sum, nil
}

// ListSources lists the sources by URL.
func (s *Service) ListSources(ctx context.Context) ([]SourceSummary, error) {
	srcs, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	out := []SourceSummary{}
	for _, src := range srcs {
		out = append(out, src.summary())
	}
	return out, nil
}

// RemoveSource removes a source; what was installed from it stays.
func (s *Service) RemoveSource(ctx context.Context, raw string) error {
	u, err := normalizeSource(raw)
	if err != nil {
		return err
	}
	if _, err := s.getSource(ctx, u); err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, sourceKey(u)); err != nil {
		return err
	}
	s.index.putSource(sourceKey(u), 0, nil) // the watch brings the delete's revision
	return nil
}

// RefreshSources fetches the index of the source raw again, or of every
// source when raw is "". The first source that cannot be fetched fails
// the refresh; those fetched before it stay refreshed.
func (s *Service) RefreshSources(ctx context.Context, raw string) ([]SourceSummary, error) {
	var srcs []*Source
	if raw != "" {
		u, err := normalizeSource(raw)
		if err != nil {
			return nil, err
		}
		src, err := s.getSource(ctx, u)
		if err != nil {
			return nil, err
		}
		srcs = []*Source{src}
	} else {
		var err error
		if srcs, err = s.sources(ctx); err != nil {
			return nil, err
		}
	}
	out := []SourceSummary{}
	for _, src := range srcs {
		idx, err := s.fetchIndex(ctx, src.URL)
		if err != nil {
			return nil, err
		}
		src.Index, src.Refreshed = *idx, s.now()
		if err := s.putSource(ctx, src); err != nil {
			return nil, err
		}
		out = append(out, src.summary())
	}
	return out, nil
}

// CatalogEntries returns every application of every source's stored
// index, with the source's URL, by source and then name.
func (s *Service) CatalogEntries(ctx context.Context) ([]CatalogEntry, error) {
	srcs, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	out := []CatalogEntry{}
	for _, src := range srcs {
		for _, a := range src.Index.Applications {
			out = append(out, CatalogEntry{Source: src.URL, CatalogApp: a})
		}
	}
	return out, nil
}

// findInSources returns the source and the index's entries of the
// version an install asks for.
func (s *Service) findInSources(ctx context.Context, in InstallInput) (string, *CatalogApp, *CatalogVersion, error) {
	var srcs []*Source
	if in.Source != "" {
		u, err := normalizeSource(in.Source)
		if err != nil {
			return "", nil, nil, err
		}
		src, err := s.getSource(ctx, u)
		if err != nil {
			return "", nil, nil, badRequest("%s", eddy.ErrorMessage(err))
		}
		srcs = []*Source{src}
	} else {
		var err error
		if srcs, err = s.sources(ctx); err != nil {
			return "", nil, nil, err
		}
	}
	type found struct {
		src string
		app *CatalogApp
		v   *CatalogVersion
	}
	var hits []found
	for _, src := range srcs {
		for i := range src.Index.Applications {
			a := &src.Index.Applications[i]
			if a.Name != in.Name {
				continue
			}
			if v := a.Version(in.Version); v != nil {
				hits = append(hits, found{src.URL, a, v})
			}
		}
	}
	if len(hits) > 1 && in.Digest != "" {
		hits = slices.DeleteFunc(hits, func(f found) bool { return f.v.Digest != in.Digest })
		if len(hits) == 0 {
			return "", nil, nil, badRequest("No source offers %s@%s with digest %s.", in.Name, in.Version, in.Digest)
		}
	}
	switch {
	case len(hits) == 0:
		return "", nil, nil, badRequest("No source offers %s@%s. Refresh the sources with eddy apps sources refresh.", in.Name, in.Version)
	case len(hits) > 1:
		var urls []string
		for _, h := range hits {
			urls = append(urls, h.src)
		}
		return "", nil, nil, badRequest("Several sources offer %s@%s (%s): name one.", in.Name, in.Version, strings.Join(urls, ", "))
	}
	return hits[0].src, hits[0].app, hits[0].v, nil
}

// Install installs a version of a source's application: it fetches the
// template and artifacts, stores the artifacts in eddy's S3 at the URLs
// the template names, checks the package digest of what it stored and the
// signature, and adds the version, with its digest and signature, to the
// local application (created with the source's metadata if missing).
// Installing a version again with the same digest does nothing; with
// another digest it is a ConflictException.
func (s *Service) Install(ctx context.Context, in InstallInput) (*InstallOutput, error) {
	if err := checkName(in.Name); err != nil {
		return nil, err
	}
	if err := checkSemanticVersion(in.Version); err != nil {
		return nil, err
	}
	if in.Digest != "" && !validDigest(in.Digest) {
		return nil, badRequest("Invalid digest: %q. A digest is sha256: and 64 lowercase hex digits.", in.Digest)
	}
	if s.cfg.Objects == nil {
		return nil, badRequest("Installing needs eddy's S3.")
	}
	src, app, cv, err := s.findInSources(ctx, in)
	if err != nil {
		return nil, err
	}
	for _, err := range []error{checkAuthor(app.Author), checkDescription(app.Description), checkLabels(app.Labels)} {
		if err != nil {
			return nil, badRequest("The source %s gives invalid metadata for %s: %s", src, in.Name, eddy.ErrorMessage(err))
		}
	}
	if in.Digest != "" && in.Digest != cv.Digest {
		return nil, badRequest("digest mismatch: want %s, got %s", in.Digest, cv.Digest)
	}
	out := &InstallOutput{ApplicationID: s.arn(in.Name), Name: in.Name, Version: in.Version, Digest: cv.Digest, Source: src}
	if cv.Signature != nil {
		if _, err := VerifySignature(*cv.Signature, cv.Digest); err != nil {
			return nil, err
		}
		out.Signer = cv.Signature.Signer
	}
	if done, err := s.installedAlready(ctx, in.Name, in.Version, cv.Digest); err != nil || done {
		return out, err
	}

	resp, err := s.get(ctx, src, "apps/"+url.PathEscape(in.Name)+"/"+url.PathEscape(in.Version)+"/template")
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTemplate+1))
	resp.Body.Close()
	if err != nil {
		return nil, badRequest("Unable to read the template of %s@%s from %s: %s", in.Name, in.Version, src, err)
	}
	if len(data) > maxTemplate {
		return nil, badRequest("The template of %s@%s is larger than %d bytes.", in.Name, in.Version, maxTemplate)
	}
	body := string(data)
	arts, err := Artifacts(body)
	if err != nil {
		return nil, err
	}
	stored, err := s.storeArtifacts(ctx, src, in, cv, arts)
	undo := func() {
		for _, a := range stored {
			if err := s.cfg.Objects.Delete(context.WithoutCancel(ctx), a); err != nil {
				s.cfg.Logger.Warn("serverlessrepo: unable to remove an artifact", "artifact", a.URL(), "err", err)
			}
		}
	}
	if err != nil {
		undo()
		return nil, err
	}
	got, err := PackageDigest(ctx, body, s.cfg.Objects.Open)
	if err == nil && got != cv.Digest {
		err = badRequest("digest mismatch: want %s, got %s", cv.Digest, got)
	}
	if err == nil {
		var sv *storedVersion
		if sv, err = s.installedVersion(in.Name, in.Version, body, got, cv.Signature); err == nil {
			out.Installed, err = s.addInstalled(ctx, app, sv)
		}
	}
	if err != nil {
		undo()
		return nil, err
	}
	return out, nil
}

// installedAlready reports whether version v of the local application
// name exists with the digest; with another digest it is a conflict.
func (s *Service) installedAlready(ctx context.Context, name, v, digest string) (bool, error) {
	rec, _, err := s.load(ctx, name)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(rec.Versions, func(x storedVersion) bool { return x.SemanticVersion == v })
	if i < 0 {
		return false, nil
	}
	have := rec.Versions[i].Digest
	if have == "" {
		if have, err = PackageDigest(ctx, rec.Versions[i].Template, s.cfg.Objects.Open); err != nil {
			return false, conflict("The version %s of %s exists and its package cannot be read: %s", v, name, eddy.ErrorMessage(err))
		}
	}
	if have != digest {
		return false, conflict("The version %s of %s exists with digest %s, not %s. Versions are immutable.", v, name, have, digest)
	}
	return true, nil
}

// storeArtifacts fetches each artifact of a template from the source and
// stores it, checking its sha256 against the index. An artifact stored
// already with the same bytes is kept as it is; with other bytes it is a
// conflict. It returns the artifacts it stored.
func (s *Service) storeArtifacts(ctx context.Context, src string, in InstallInput, cv *CatalogVersion, arts []Artifact) ([]Artifact, error) {
	sums := map[string]string{}
	for _, a := range cv.Artifacts {
		sums[a.URL] = a.SHA256
	}
	var stored []Artifact
	for _, a := range arts {
		sum, ok := sums[a.URL()]
		if !ok {
			return stored, badRequest("The source's index does not list the artifact %s of %s@%s.", a.URL(), in.Name, in.Version)
		}
		have, err := artifactSum(ctx, a, s.cfg.Objects.Open)
		switch {
		case err == nil && have == sum:
			continue
		case err == nil:
			return stored, conflict("The object %s exists with other content than %s@%s's artifact.", a.URL(), in.Name, in.Version)
		case !isNotFound(err):
			return stored, err
		}
		resp, err := s.get(ctx, src, "apps/"+url.PathEscape(in.Name)+"/"+url.PathEscape(in.Version)+"/artifacts/"+sum)
		if err != nil {
			return stored, err
		}
		err = s.cfg.Objects.Put(ctx, a, resp.Body)
		resp.Body.Close()
		if err != nil {
			return stored, fmt.Errorf("store %s: %w", a.URL(), err)
		}
		stored = append(stored, a)
	}
	return stored, nil
}

// installedVersion makes the stored form of an installed version.
func (s *Service) installedVersion(name, v, body, digest string, sig *Signature) (*storedVersion, error) {
	a, err := analyze(body)
	if err != nil {
		return nil, err
	}
	return &storedVersion{
		Version: Version{
			ApplicationID: s.arn(name), CreationTime: s.now(), ParameterDefinitions: a.params,
			RequiredCapabilities: a.capabilities, ResourcesSupported: true, SemanticVersion: v,
		},
		Template: body, Dependencies: a.dependencies, Digest: digest, Signature: sig,
	}, nil
}

// addInstalled adds an installed version to the local application,
// creating it with the catalog's metadata if missing. It reports false
// when the version was there already with the same digest.
func (s *Service) addInstalled(ctx context.Context, app *CatalogApp, sv *storedVersion) (bool, error) {
	add := func(r *record) (bool, error) {
		for _, x := range r.Versions {
			if x.SemanticVersion != sv.SemanticVersion {
				continue
			}
			if x.Digest == sv.Digest {
				return false, nil
			}
			return false, conflict("The version %s of %s exists with another digest. Versions are immutable.", sv.SemanticVersion, r.App.Name)
		}
		r.Versions = append(r.Versions, *sv)
		return true, nil
	}
	for range 10 {
		if _, _, err := s.load(ctx, app.Name); isNotFound(err) {
			rec := &record{App: Application{
				ApplicationID: s.arn(app.Name), Name: app.Name, Author: app.Author, Description: app.Description,
				CreationTime: s.now(), HomePageURL: app.HomePageURL, Labels: app.Labels, SpdxLicenseID: app.SpdxLicenseID,
			}, ReadmeBody: app.Readme, Versions: []storedVersion{*sv}, Statements: []Statement{}}
			data, err := json.Marshal(rec)
			if err != nil {
				return false, err
			}
			if _, err := s.kv.Create(ctx, appKey(app.Name), data); errors.Is(err, jetstream.ErrKeyExists) {
				continue
			} else if err != nil {
				return false, err
			}
			return true, nil
		} else if err != nil {
			return false, err
		}
		added := false
		_, err := s.update(ctx, app.Name, func(r *record) error {
			var err error
			added, err = add(r)
			return err
		})
		return added, err
	}
	return false, eddy.TypedErrorf(eddy.ETHROTTLED, "TooManyRequestsException", "Too many concurrent changes to the application.")
}
