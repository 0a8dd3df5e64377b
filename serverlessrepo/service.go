// Package serverlessrepo is the AWS Serverless Application Repository on
// eddy: applications, their immutable versions with the parameters and
// capabilities of their templates, application policies, and the change
// sets that deploy a version as a CloudFormation stack.
package serverlessrepo

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/stacks"
	"github.com/nats-io/nats.go/jetstream"
)

// Storage. One KV bucket holds every application under a.<name> (a whole
// record: metadata, versions with their templates, policy) and every
// template CreateCloudFormationTemplate made under t.<id>. Writes are
// compare-and-set on the key's revision.
const (
	bucket = "eddy_serverlessrepo"
	// PathPrefix is where eddy's main port serves the templates of
	// versions (PathPrefix + "versions/NAME/VERSION") and those
	// CreateCloudFormationTemplate made (PathPrefix + "templates/ID").
	PathPrefix = "/_eddy/serverlessrepo/"
	// templateTTL is how long a template CreateCloudFormationTemplate made
	// is served.
	templateTTL = 6 * time.Hour
	// StackPrefix begins the name of every stack a change set deploys.
	StackPrefix = "serverlessrepo-"
	maxTemplate = 1 << 20
)

// Config configures the service.
type Config struct {
	Engine *engine.Engine
	// Stacks makes the change sets that deploy versions; nil refuses them.
	Stacks *stacks.Service
	// ReadURL reads a template or other document a request names by URL
	// (an object of eddy's S3); nil refuses URLs.
	ReadURL func(ctx context.Context, url string) (string, error)
	// Objects reads and writes the objects of eddy's S3 that a version's
	// artifacts are: for package digests, the catalog and installs; nil
	// leaves versions without digests and refuses the catalog and installs.
	Objects Objects
	// HTTPClient fetches sources' catalogs (default: one with a 5-minute
	// timeout).
	HTTPClient *http.Client
	// TrustedKeys are the publishers' keys whose signed packages may be
	// deployed; when there are any, an unsigned, untrusted or changed
	// package is refused (see VerifyVersion). None: no check.
	TrustedKeys []ed25519.PublicKey
	// Endpoint is eddy's base address, for template URLs.
	Endpoint string
	Account  string
	Region   string
	Logger   *slog.Logger
	// Now returns the time (default time.Now).
	Now func() time.Time
}

// Service is the Serverless Application Repository.
type Service struct {
	cfg Config
	kv  jetstream.KeyValue
	// index is the search index (search.go); stopIndex stops its watch.
	index     *index
	stopIndex func()
	closeOnce sync.Once
}

// record is one application as stored.
type record struct {
	App         Application     `json:"app"`
	LicenseBody string          `json:"licenseBody,omitempty"`
	ReadmeBody  string          `json:"readmeBody,omitempty"`
	Versions    []storedVersion `json:"versions"`
	Statements  []Statement     `json:"statements"`
}

// storedVersion is one version as stored, with its template.
type storedVersion struct {
	Version
	Template     string       `json:"template"`
	Dependencies []Dependency `json:"dependencies"`
	// Digest is the package's digest (see PackageDigest) when the version
	// was made; Signature its publisher's signature of it, when signed.
	Digest    string     `json:"digest,omitempty"`
	Signature *Signature `json:"signature,omitempty"`
}

// Signature is a publisher's ed25519 signature of a package digest.
type Signature struct {
	// PublicKey is the publisher's public key, base64 (standard, padded);
	// Signer names it: "ed25519:" and the first 16 hex digits of the
	// sha256 of the key.
	PublicKey string `json:"publicKey"`
	Signer    string `json:"signer"`
	// Value is the signature of the digest's text, base64.
	Value string `json:"value"`
}

// storedTemplate is one template CreateCloudFormationTemplate made.
type storedTemplate struct {
	CloudFormationTemplate
	Expires time.Time `json:"expires"`
}

// NewService returns a service with defaults filled in; Open opens it.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	return &Service{cfg: cfg}
}

// Open opens the bucket.
func (s *Service) Open(ctx context.Context) error {
	kv, err := s.cfg.Engine.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		return fmt.Errorf("serverlessrepo: %w", err)
	}
	s.kv = kv
	return s.openIndex(ctx)
}

// Close releases the service; safe twice.
func (s *Service) Close() error { s.closeIndex(); return nil }

func (s *Service) now() string { return stamp(s.cfg.Now()) }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Service) arn(name string) string {
	return "arn:aws:serverlessrepo:" + s.cfg.Region + ":" + s.cfg.Account + ":applications/" + name
}

// nameOf returns the application name an application id (its ARN, or the
// bare name) gives.
func nameOf(id string) (string, error) {
	name := id
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 6)
		if len(parts) != 6 || parts[2] != "serverlessrepo" || !strings.HasPrefix(parts[5], "applications/") {
			return "", badRequest("Invalid application ID: %s.", id)
		}
		name = strings.TrimPrefix(parts[5], "applications/")
	}
	if name == "" || len(name) > 140 || !nameRE.MatchString(name) {
		return "", notFound("Cannot find application with ID: %s.", id)
	}
	return name, nil
}

func appKey(name string) string { return "a." + engine.EncodeKey(name) }

// load reads an application's record and its revision.
func (s *Service) load(ctx context.Context, id string) (*record, uint64, error) {
	name, err := nameOf(id)
	if err != nil {
		return nil, 0, err
	}
	ent, err := s.kv.Get(ctx, appKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, notFound("Cannot find application with ID: %s.", id)
	}
	if err != nil {
		return nil, 0, err
	}
	rec := &record{}
	if err := json.Unmarshal(ent.Value(), rec); err != nil {
		return nil, 0, err
	}
	return rec, ent.Revision(), nil
}

// loadVersion reads an application and its version semver (the latest
// when semver is empty); an application without versions is a
// BadRequestException.
func (s *Service) loadVersion(ctx context.Context, id, semver string) (*record, *storedVersion, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.version(rec, semver)
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, badRequest("The application %s has no versions.", id)
	}
	return rec, v, nil
}

// readAll reads every value of the bucket under filter as a T; one that
// does not decode is logged and skipped.
func readAll[T any](ctx context.Context, s *Service, filter string) ([]*T, error) {
	keys, err := s.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, err
	}
	var out []*T
	for k := range keys.Keys() {
		ent, err := s.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal(ent.Value(), v); err != nil {
			s.cfg.Logger.Warn("serverlessrepo: unreadable value", "key", k, "err", err)
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// update applies fn to an application's record and saves it, again when
// another write came between.
func (s *Service) update(ctx context.Context, id string, fn func(*record) error) (*record, error) {
	for range 10 {
		rec, rev, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(rec); err != nil {
			return nil, err
		}
		data, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		rev, err = s.kv.Update(ctx, appKey(rec.App.Name), data, rev)
		if err != nil {
			if isWrongRevision(err) {
				continue
			}
			return nil, err
		}
		s.index.put(appKey(rec.App.Name), rev, rec)
		return rec, nil
	}
	return nil, eddy.TypedErrorf(eddy.ETHROTTLED, "TooManyRequestsException", "Too many concurrent changes to the application.")
}

func isWrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// template returns a request's template, from its body or its URL.
func (s *Service) template(ctx context.Context, body, u string) (string, error) {
	switch {
	case body != "" && u != "":
		return "", badRequest("Specify either templateBody or templateUrl, not both.")
	case u != "":
		if s.cfg.ReadURL == nil {
			return "", badRequest("Unable to read the template from templateUrl: %s.", u)
		}
		t, err := s.cfg.ReadURL(ctx, u)
		if err != nil {
			return "", badRequest("Unable to read the template from templateUrl %s: %s", u, eddy.ErrorMessage(err))
		}
		body = t
	}
	if len(body) > maxTemplate {
		return "", badRequest("The template is larger than %d bytes.", maxTemplate)
	}
	return body, nil
}

// newVersion makes a version of application name from a template.
func (s *Service) newVersion(ctx context.Context, name, semver, body, u, srcURL, archiveURL string) (*storedVersion, error) {
	if err := checkSemanticVersion(semver); err != nil {
		return nil, err
	}
	t, err := s.template(ctx, body, u)
	if err != nil {
		return nil, err
	}
	a, err := analyze(t)
	if err != nil {
		return nil, err
	}
	digest, err := s.digest(ctx, t)
	if err != nil {
		return nil, err
	}
	return &storedVersion{
		Version: Version{
			ApplicationID: s.arn(name), CreationTime: s.now(), ParameterDefinitions: a.params,
			RequiredCapabilities: a.capabilities, ResourcesSupported: true, SemanticVersion: semver,
			SourceCodeURL: srcURL, SourceCodeArchiveURL: archiveURL,
		},
		Template: t, Dependencies: a.dependencies, Digest: digest,
	}, nil
}

// version returns the version v of rec with its template URL; the latest
// when v is empty.
func (s *Service) version(rec *record, v string) (*storedVersion, error) {
	if len(rec.Versions) == 0 {
		if v == "" {
			return nil, nil
		}
		return nil, notFound("Cannot find version %s of application %s.", v, rec.App.ApplicationID)
	}
	i := len(rec.Versions) - 1
	if v != "" {
		i = slices.IndexFunc(rec.Versions, func(x storedVersion) bool { return x.SemanticVersion == v })
		if i < 0 {
			return nil, notFound("Cannot find version %s of application %s.", v, rec.App.ApplicationID)
		}
	}
	sv := rec.Versions[i]
	sv.TemplateURL = s.cfg.Endpoint + PathPrefix + "versions/" + url.PathEscape(rec.App.Name) + "/" + url.PathEscape(sv.SemanticVersion)
	return &sv, nil
}

// view returns rec's application with version v (the latest when empty).
func (s *Service) view(rec *record, v string) (*Application, error) {
	app := rec.App
	sv, err := s.version(rec, v)
	if err != nil {
		return nil, err
	}
	if sv != nil {
		ver := sv.Version
		app.Version = &ver
	}
	return &app, nil
}

// CreateApplication creates an application, and its first version when
// the input gives a semantic version.
func (s *Service) CreateApplication(ctx context.Context, in CreateApplicationInput) (*Application, error) {
	for _, err := range []error{checkName(in.Name), checkAuthor(in.Author), checkDescription(in.Description), checkLabels(in.Labels)} {
		if err != nil {
			return nil, err
		}
	}
	if in.LicenseBody != "" && in.LicenseURL != "" {
		return nil, badRequest("Specify either licenseBody or licenseUrl, not both.")
	}
	if in.ReadmeBody != "" && in.ReadmeURL != "" {
		return nil, badRequest("Specify either readmeBody or readmeUrl, not both.")
	}
	rec := &record{App: Application{
		ApplicationID: s.arn(in.Name), Name: in.Name, Author: in.Author, Description: in.Description,
		CreationTime: s.now(), HomePageURL: in.HomePageURL, Labels: in.Labels, LicenseURL: in.LicenseURL,
		ReadmeURL: in.ReadmeURL, SpdxLicenseID: in.SpdxLicenseID,
	}, LicenseBody: in.LicenseBody, ReadmeBody: in.ReadmeBody, Versions: []storedVersion{}, Statements: []Statement{}}
	if in.SemanticVersion != "" {
		v, err := s.newVersion(ctx, in.Name, in.SemanticVersion, in.TemplateBody, in.TemplateURL, in.SourceCodeURL, in.SourceCodeArchiveURL)
		if err != nil {
			return nil, err
		}
		rec.Versions = append(rec.Versions, *v)
	} else if in.TemplateBody != "" || in.TemplateURL != "" {
		return nil, badRequest("Missing required parameter: semanticVersion. A template needs a semantic version.")
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	rev, err := s.kv.Create(ctx, appKey(in.Name), data)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil, conflict("Application with name %s already exists.", in.Name)
		}
		return nil, err
	}
	s.index.put(appKey(in.Name), rev, rec)
	return s.view(rec, "")
}

// CreateApplicationVersion adds an immutable version to an application.
func (s *Service) CreateApplicationVersion(ctx context.Context, in CreateApplicationVersionInput) (*Version, error) {
	name, err := nameOf(in.ApplicationID)
	if err != nil {
		return nil, err
	}
	v, err := s.newVersion(ctx, name, in.SemanticVersion, in.TemplateBody, in.TemplateURL, in.SourceCodeURL, in.SourceCodeArchiveURL)
	if err != nil {
		return nil, err
	}
	rec, err := s.update(ctx, in.ApplicationID, func(r *record) error {
		for _, x := range r.Versions {
			if x.SemanticVersion == v.SemanticVersion {
				return conflict("The version %s of application %s already exists. Versions are immutable.", v.SemanticVersion, r.App.ApplicationID)
			}
		}
		r.Versions = append(r.Versions, *v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := s.version(rec, v.SemanticVersion)
	if err != nil {
		return nil, err
	}
	return &out.Version, nil
}

// UpdateApplication changes an application's metadata.
func (s *Service) UpdateApplication(ctx context.Context, in UpdateApplicationInput) (*Application, error) {
	if in.Author != nil {
		if err := checkAuthor(*in.Author); err != nil {
			return nil, err
		}
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	if in.Labels != nil {
		if err := checkLabels(*in.Labels); err != nil {
			return nil, err
		}
	}
	if in.ReadmeBody != nil && in.ReadmeURL != nil {
		return nil, badRequest("Specify either readmeBody or readmeUrl, not both.")
	}
	rec, err := s.update(ctx, in.ApplicationID, func(r *record) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&r.App.Author, in.Author)
		set(&r.App.Description, in.Description)
		set(&r.App.HomePageURL, in.HomePageURL)
		if in.Labels != nil {
			r.App.Labels = *in.Labels
		}
		if in.ReadmeBody != nil {
			r.ReadmeBody, r.App.ReadmeURL = *in.ReadmeBody, ""
		}
		set(&r.App.ReadmeURL, in.ReadmeURL)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.view(rec, "")
}

// DeleteApplication deletes an application with its versions.
func (s *Service) DeleteApplication(ctx context.Context, id string) error {
	rec, rev, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, appKey(rec.App.Name), jetstream.LastRevision(rev)); err != nil {
		if isWrongRevision(err) {
			return conflict("The application %s changed while it was being deleted.", id)
		}
		return err
	}
	s.index.remove(appKey(rec.App.Name), rev+1) // the delete's revision is later than rev
	return nil
}

// GetApplication returns an application with the version semver, or its
// latest version when semver is empty.
func (s *Service) GetApplication(ctx context.Context, id, semver string) (*Application, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.view(rec, semver)
}

// page returns the page of n items that token (an offset) starts and the
// token of the next.
func page(n int, maxItems int, token string) (start, end int, next string, err error) {
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", badRequest("Invalid nextToken: %s.", token)
		}
	}
	if maxItems <= 0 || maxItems > 100 {
		maxItems = 100
	}
	end = min(n, start+maxItems)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

// ListApplications lists the applications by name.
func (s *Service) ListApplications(ctx context.Context, maxItems int, token string) ([]ApplicationSummary, string, error) {
	recs, err := readAll[record](ctx, s, "a.>")
	if err != nil {
		return nil, "", err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].App.Name < recs[j].App.Name })
	start, end, next, err := page(len(recs), maxItems, token)
	if err != nil {
		return nil, "", err
	}
	out := []ApplicationSummary{}
	for _, r := range recs[start:end] {
		a := r.App
		out = append(out, ApplicationSummary{
			ApplicationID: a.ApplicationID, Name: a.Name, Author: a.Author, Description: a.Description,
			CreationTime: a.CreationTime, HomePageURL: a.HomePageURL, Labels: a.Labels, SpdxLicenseID: a.SpdxLicenseID,
		})
	}
	return out, next, nil
}

// ListApplicationVersions lists an application's versions in the order
// they were created.
func (s *Service) ListApplicationVersions(ctx context.Context, id string, maxItems int, token string) ([]VersionSummary, string, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, "", err
	}
	start, end, next, err := page(len(rec.Versions), maxItems, token)
	if err != nil {
		return nil, "", err
	}
	out := []VersionSummary{}
	for _, v := range rec.Versions[start:end] {
		out = append(out, VersionSummary{ApplicationID: v.ApplicationID, CreationTime: v.CreationTime, SemanticVersion: v.SemanticVersion, SourceCodeURL: v.SourceCodeURL})
	}
	return out, next, nil
}

// ListApplicationDependencies lists the applications a version (the
// latest when semver is empty) nests.
func (s *Service) ListApplicationDependencies(ctx context.Context, id, semver string, maxItems int, token string) ([]Dependency, string, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, "", err
	}
	v, err := s.version(rec, semver)
	if err != nil {
		return nil, "", err
	}
	if v == nil {
		return []Dependency{}, "", nil
	}
	start, end, next, err := page(len(v.Dependencies), maxItems, token)
	if err != nil {
		return nil, "", err
	}
	return append([]Dependency{}, v.Dependencies[start:end]...), next, nil
}

// GetApplicationPolicy returns an application's policy statements.
func (s *Service) GetApplicationPolicy(ctx context.Context, id string) ([]Statement, error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Statements == nil {
		return []Statement{}, nil
	}
	return rec.Statements, nil
}

// PutApplicationPolicy replaces an application's policy; statements
// without an id get one.
func (s *Service) PutApplicationPolicy(ctx context.Context, id string, statements []Statement) ([]Statement, error) {
	sts, err := checkStatements(statements)
	if err != nil {
		return nil, err
	}
	rec, err := s.update(ctx, id, func(r *record) error { r.Statements = sts; return nil })
	if err != nil {
		return nil, err
	}
	return rec.Statements, nil
}

// UnshareApplication removes an organization from an application's policy.
func (s *Service) UnshareApplication(ctx context.Context, id, org string) error {
	if org == "" {
		return badRequest("Missing required parameter: organizationId.")
	}
	if !orgRE.MatchString(org) {
		return badRequest("Invalid organization ID: %s.", org)
	}
	_, err := s.update(ctx, id, func(r *record) error {
		sts, found := unshare(r.Statements, org)
		if !found {
			return notFound("The application %s is not shared with the organization %s.", id, org)
		}
		r.Statements = sts
		if r.Statements == nil {
			r.Statements = []Statement{}
		}
		return nil
	})
	return err
}

// CreateCloudFormationTemplate makes a template of a version (the latest
// when semver is empty), served at once at its URL for six hours.
func (s *Service) CreateCloudFormationTemplate(ctx context.Context, id, semver string) (*CloudFormationTemplate, error) {
	rec, v, err := s.loadVersion(ctx, id, semver)
	if err != nil {
		return nil, err
	}
	if err := s.verify(ctx, rec, v); err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	tid := newID()
	t := storedTemplate{CloudFormationTemplate: CloudFormationTemplate{
		ApplicationID: rec.App.ApplicationID, CreationTime: stamp(now), ExpirationTime: stamp(now.Add(templateTTL)),
		SemanticVersion: v.SemanticVersion, Status: "ACTIVE", TemplateID: tid,
		TemplateURL: s.cfg.Endpoint + PathPrefix + "templates/" + tid,
	}, Expires: now.Add(templateTTL)}
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	if _, err := s.kv.Create(ctx, "t."+tid, data); err != nil {
		return nil, err
	}
	return &t.CloudFormationTemplate, nil
}

// GetCloudFormationTemplate returns a template CreateCloudFormationTemplate made.
func (s *Service) GetCloudFormationTemplate(ctx context.Context, id, templateID string) (*CloudFormationTemplate, error) {
	t, err := s.storedTemplate(ctx, templateID)
	if err != nil {
		return nil, err
	}
	if name, err := nameOf(id); err != nil || s.arn(name) != t.ApplicationID {
		return nil, notFound("Cannot find template with ID %s for application %s.", templateID, id)
	}
	out := t.CloudFormationTemplate
	if s.cfg.Now().After(t.Expires) {
		out.Status = "EXPIRED"
	}
	return &out, nil
}

func (s *Service) storedTemplate(ctx context.Context, templateID string) (*storedTemplate, error) {
	if len(templateID) != 36 || strings.Trim(templateID, "0123456789abcdef-") != "" {
		return nil, notFound("Cannot find template with ID %s.", templateID)
	}
	ent, err := s.kv.Get(ctx, "t."+templateID)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound("Cannot find template with ID %s.", templateID)
	}
	if err != nil {
		return nil, err
	}
	t := &storedTemplate{}
	if err := json.Unmarshal(ent.Value(), t); err != nil {
		return nil, err
	}
	return t, nil
}

// TemplateBody returns the template served at path, the part of a
// template URL after PathPrefix: "versions/NAME/VERSION" or
// "templates/ID".
func (s *Service) TemplateBody(ctx context.Context, path string) (string, error) {
	kind, rest, _ := strings.Cut(path, "/")
	switch kind {
	case "versions":
		name, v, _ := strings.Cut(rest, "/")
		name, _ = url.PathUnescape(name)
		v, _ = url.PathUnescape(v)
		rec, _, err := s.load(ctx, name)
		if err != nil {
			return "", err
		}
		sv, err := s.version(rec, v)
		if err != nil || sv == nil {
			return "", notFound("No such template.")
		}
		return sv.Template, nil
	case "templates":
		t, err := s.storedTemplate(ctx, rest)
		if err != nil {
			return "", err
		}
		if s.cfg.Now().After(t.Expires) {
			return "", notFound("The template %s has expired.", rest)
		}
		rec, _, err := s.load(ctx, t.ApplicationID)
		if err != nil {
			return "", err
		}
		sv, err := s.version(rec, t.SemanticVersion)
		if err != nil {
			return "", err
		}
		return sv.Template, nil
	}
	return "", notFound("No such template.")
}
