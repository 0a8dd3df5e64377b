package awsapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	sar "github.com/eddyserverless/eddy/serverlessrepo"
)

// RepoAPI is the service behind the Serverless Application Repository.
type RepoAPI interface {
	CreateApplication(ctx context.Context, in sar.CreateApplicationInput) (*sar.Application, error)
	CreateApplicationVersion(ctx context.Context, in sar.CreateApplicationVersionInput) (*sar.Version, error)
	UpdateApplication(ctx context.Context, in sar.UpdateApplicationInput) (*sar.Application, error)
	DeleteApplication(ctx context.Context, id string) error
	GetApplication(ctx context.Context, id, semver string) (*sar.Application, error)
	ListApplications(ctx context.Context, maxItems int, token string) ([]sar.ApplicationSummary, string, error)
	ListApplicationVersions(ctx context.Context, id string, maxItems int, token string) ([]sar.VersionSummary, string, error)
	ListApplicationDependencies(ctx context.Context, id, semver string, maxItems int, token string) ([]sar.Dependency, string, error)
	GetApplicationPolicy(ctx context.Context, id string) ([]sar.Statement, error)
	PutApplicationPolicy(ctx context.Context, id string, statements []sar.Statement) ([]sar.Statement, error)
	UnshareApplication(ctx context.Context, id, org string) error
	CreateCloudFormationTemplate(ctx context.Context, id, semver string) (*sar.CloudFormationTemplate, error)
	GetCloudFormationTemplate(ctx context.Context, id, templateID string) (*sar.CloudFormationTemplate, error)
	CreateCloudFormationChangeSet(ctx context.Context, in sar.CreateChangeSetInput) (*sar.CreateChangeSetOutput, error)
	// TemplateBody returns the template served at a path under
	// sar.PathPrefix.
	TemplateBody(ctx context.Context, path string) (string, error)
	// PutSignature stores a publisher's signature of a version's package;
	// DescribePackage returns a version's package digest, signature and
	// artifacts.
	PutSignature(ctx context.Context, id, semver string, in sar.SignatureInput) (*sar.Signature, error)
	DescribePackage(ctx context.Context, id, semver string) (*sar.VersionPackage, error)
	// Search finds applications by their words, best first: an eddy
	// extension served at sar.SearchPath.
	Search(ctx context.Context, in sar.SearchInput) ([]sar.SearchResult, string, error)
	RepoCatalogAPI
}

// RepoCatalogAPI is the repository's catalog, served to other eddies
// under sar.CatalogPrefix, and its sources, installs from them.
type RepoCatalogAPI interface {
	CatalogIndex(ctx context.Context) (*sar.CatalogIndex, error)
	CatalogTemplate(ctx context.Context, name, version string) (string, error)
	CatalogArtifact(ctx context.Context, name, version, sha256 string) (io.ReadCloser, error)
	AddSource(ctx context.Context, url string) (*sar.SourceSummary, error)
	ListSources(ctx context.Context) ([]sar.SourceSummary, error)
	RemoveSource(ctx context.Context, url string) error
	RefreshSources(ctx context.Context, url string) ([]sar.SourceSummary, error)
	CatalogEntries(ctx context.Context) ([]sar.CatalogEntry, error)
	Install(ctx context.Context, in sar.InstallInput) (*sar.InstallOutput, error)
}

// maxRepoRequest bounds a repository request's body (templates included).
const maxRepoRequest = 2 << 20

// repoErrors maps eddy's codes to the repository's errors.
var repoErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {404, "NotFoundException"},
	eddy.ECONFLICT:  {409, "ConflictException"},
	eddy.EINVALID:   {400, "BadRequestException"},
	eddy.EMALFORMED: {400, "BadRequestException"},
	eddy.EVALIDATE:  {400, "BadRequestException"},
	eddy.ETOOLARGE:  {400, "BadRequestException"},
	eddy.ETHROTTLED: {429, "TooManyRequestsException"},
	eddy.EUNSUPPORT: {400, "BadRequestException"},
	eddy.EPRECOND:   {400, "BadRequestException"},
	eddy.EUNAVAIL:   {500, "InternalServerErrorException"},
	eddy.EINTERNAL:  {500, "InternalServerErrorException"},
}

// repoTypeStatus is the status of each of the repository's error types.
var repoTypeStatus = map[string]int{
	"BadRequestException": 400, "ConflictException": 409, "NotFoundException": 404, "ForbiddenException": 403,
	"InternalServerErrorException": 500, "TooManyRequestsException": 429,
}

// writeRepoError renders err as the repository does: the type in
// X-Amzn-ErrorType, and {"errorCode", "message"}.
func (h *Handler) writeRepoError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, repoErrors, repoTypeStatus)
	if _, ok := repoTypeStatus[typ]; !ok {
		c, ok := repoErrors[eddy.ErrorCode(err)]
		if !ok {
			c = repoErrors[eddy.EINTERNAL]
		}
		status, typ = c.Status, c.Type
	}
	h.logError(r, err, status)
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSON(w, status, map[string]string{"errorCode": typ, "message": msg})
}

// serveTemplate serves a template under sar.PathPrefix.
func (h *Handler) serveRepoTemplate(w http.ResponseWriter, r *http.Request) {
	body, err := h.Repo.TemplateBody(r.Context(), strings.TrimPrefix(r.URL.EscapedPath(), sar.PathPrefix))
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(body))
}

// serveRepoSearch serves Search at sar.SearchPath:
// ?q=TERMS&label=L&label=M&author=A&maxItems=N&nextToken=T, answered with
// {"applications": [...], "nextToken": "..."}.
func (h *Handler) serveRepoSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := sar.SearchInput{Terms: q.Get("q"), Labels: q["label"], Author: q.Get("author"), NextToken: q.Get("nextToken")}
	if s := q.Get("maxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			h.writeRepoError(w, r, badRequestf("Invalid maxItems: %s. maxItems must be between 1 and 100.", s))
			return
		}
		in.MaxItems = n
	}
	items, next, err := h.Repo.Search(r.Context(), in)
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"applications": items, "nextToken": omit(next)})
}

// serveServerlessRepo routes the repository's REST-JSON API:
// /applications[/{applicationId}[/{kind}[/{id}]]].
func (h *Handler) serveServerlessRepo(w http.ResponseWriter, r *http.Request) {
	svc := h.Repo
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	parts := make([]string, len(raw))
	for i, p := range raw {
		s, err := url.PathUnescape(p)
		if err != nil {
			s = p
		}
		parts[i] = s
	}
	unknown := eddy.TypedErrorf(eddy.ENOTFOUND, "NotFoundException", "Unknown operation %s %s", r.Method, r.URL.Path)
	if svc == nil || len(parts) < 1 || parts[0] != "applications" || len(parts) > 4 {
		h.writeRepoError(w, r, unknown)
		return
	}
	ctx := r.Context()
	decode, err := repoBody(r, r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut)
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	q := r.URL.Query()
	maxItems := 0
	if s := q.Get("maxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			h.writeRepoError(w, r, badRequestf("Invalid maxItems: %s. maxItems must be between 1 and 100.", s))
			return
		}
		maxItems = n
	}
	var (
		out    any
		status = http.StatusOK
	)
	route := r.Method + " " + strings.Join(append([]string{parts[0]}, kinds(parts[1:])...), "/")
	id := ""
	if len(parts) > 1 {
		id = parts[1]
	}
	switch route {
	case "POST applications":
		var in sar.CreateApplicationInput
		if err = decode(&in); err == nil {
			out, err = svc.CreateApplication(ctx, in)
			status = http.StatusCreated
		}
	case "GET applications":
		var items []sar.ApplicationSummary
		var next string
		items, next, err = svc.ListApplications(ctx, maxItems, q.Get("nextToken"))
		out = map[string]any{"applications": items, "nextToken": omit(next)}
	case "GET applications/{}":
		out, err = svc.GetApplication(ctx, id, q.Get("semanticVersion"))
	case "PATCH applications/{}":
		in := sar.UpdateApplicationInput{}
		if err = decode(&in); err == nil {
			in.ApplicationID = id
			out, err = svc.UpdateApplication(ctx, in)
		}
	case "DELETE applications/{}":
		err = svc.DeleteApplication(ctx, id)
		status = http.StatusNoContent
	case "GET applications/{}/versions":
		var items []sar.VersionSummary
		var next string
		items, next, err = svc.ListApplicationVersions(ctx, id, maxItems, q.Get("nextToken"))
		out = map[string]any{"versions": items, "nextToken": omit(next)}
	case "PUT applications/{}/versions/{}":
		in := sar.CreateApplicationVersionInput{}
		if err = decode(&in); err == nil {
			in.ApplicationID, in.SemanticVersion = id, parts[3]
			out, err = svc.CreateApplicationVersion(ctx, in)
			status = http.StatusCreated
		}
	case "GET applications/{}/dependencies":
		var items []sar.Dependency
		var next string
		items, next, err = svc.ListApplicationDependencies(ctx, id, q.Get("semanticVersion"), maxItems, q.Get("nextToken"))
		out = map[string]any{"dependencies": items, "nextToken": omit(next)}
	case "GET applications/{}/policy":
		var sts []sar.Statement
		sts, err = svc.GetApplicationPolicy(ctx, id)
		out = map[string]any{"statements": sts}
	case "PUT applications/{}/policy":
		var in struct {
			Statements []sar.Statement `json:"statements"`
		}
		if err = decode(&in); err == nil {
			var sts []sar.Statement
			sts, err = svc.PutApplicationPolicy(ctx, id, in.Statements)
			out = map[string]any{"statements": sts}
		}
	case "POST applications/{}/unshare":
		var in struct {
			OrganizationID string `json:"organizationId"`
		}
		if err = decode(&in); err == nil {
			err = svc.UnshareApplication(ctx, id, in.OrganizationID)
			status = http.StatusNoContent
		}
	case "POST applications/{}/templates":
		var in struct {
			SemanticVersion string `json:"semanticVersion"`
		}
		if err = decode(&in); err == nil {
			out, err = svc.CreateCloudFormationTemplate(ctx, id, in.SemanticVersion)
			status = http.StatusCreated
		}
	case "GET applications/{}/templates/{}":
		out, err = svc.GetCloudFormationTemplate(ctx, id, parts[3])
	case "POST applications/{}/changesets":
		in := sar.CreateChangeSetInput{}
		if err = decode(&in); err == nil {
			in.ApplicationID = id
			out, err = svc.CreateCloudFormationChangeSet(ctx, in)
			status = http.StatusCreated
		}
	default:
		err = unknown
	}
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}

// kinds turns a path's segments after /applications into a route:
// identifiers become {} and the kinds of sub-resources stay.
func kinds(rest []string) []string {
	out := make([]string, len(rest))
	for i, p := range rest {
		if i == 1 {
			out[i] = p
		} else {
			out[i] = "{}"
		}
	}
	return out
}

// omit returns nil for an empty token, which JSON leaves out as null.
func omit(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// repoBody reads a repository request's JSON body when it has one, and
// returns what decodes it: an empty body decodes to nothing.
func repoBody(r *http.Request, has bool) (func(v any) error, error) {
	var body []byte
	if has {
		var err error
		if body, err = readBody(r, maxRepoRequest, badRequestf("The request body is too large.")); err != nil {
			return nil, err
		}
	}
	return func(v any) error {
		if len(strings.TrimSpace(string(body))) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, v); err != nil {
			return badRequestf("Could not parse the request body: %s", jsonProblem(err))
		}
		return nil
	}, nil
}

func badRequestf(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "BadRequestException", format, args...)
}

// Paths of the repository's package endpoints under sar.PathPrefix.
const (
	repoSignaturesPath = sar.PathPrefix + "signatures/"
	repoPackagesPath   = sar.PathPrefix + "packages/"
)

// isRepoPackagePath reports whether path is under one of the package
// endpoints.
func isRepoPackagePath(path string) bool {
	return strings.HasPrefix(path, repoSignaturesPath) || strings.HasPrefix(path, repoPackagesPath)
}

// serveRepoPackage serves eddy's package endpoints: PUT
// signatures/NAME/VERSION signs a version ({digest, publicKey,
// signature}); GET packages/NAME/VERSION describes its package.
func (h *Handler) serveRepoPackage(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), sar.PathPrefix)
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		if s, err := url.PathUnescape(p); err == nil {
			parts[i] = s
		}
	}
	unknown := eddy.TypedErrorf(eddy.ENOTFOUND, "NotFoundException", "Unknown operation %s %s", r.Method, r.URL.Path)
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		h.writeRepoError(w, r, unknown)
		return
	}
	ctx := r.Context()
	switch parts[0] + " " + r.Method {
	case "signatures " + http.MethodPut:
		body, err := readBody(r, maxRepoRequest, badRequestf("The request body is too large."))
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		in, err := sar.ParseSignatureInput(body)
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		sig, err := h.Repo.PutSignature(ctx, parts[1], parts[2], in)
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, sig)
	case "packages " + http.MethodGet:
		pkg, err := h.Repo.DescribePackage(ctx, parts[1], parts[2])
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, pkg)
	default:
		h.writeRepoError(w, r, unknown)
	}
}

// serveCatalog serves the catalog under sar.CatalogPrefix: read-only and
// public, so only GET and HEAD.
func (h *Handler) serveCatalog(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.writeRepoError(w, r, eddy.TypedErrorf(eddy.ENOTFOUND, "NotFoundException", "Unknown operation %s %s", r.Method, r.URL.Path))
		return
	}
	p, err := sar.ParseCatalogPath(strings.TrimPrefix(r.URL.EscapedPath(), sar.CatalogPrefix))
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	switch p.Kind {
	case "index":
		idx, err := h.Repo.CatalogIndex(ctx)
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, idx)
	case "template":
		body, err := h.Repo.CatalogTemplate(ctx, p.Name, p.Version)
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, body)
	case "artifact":
		rc, err := h.Repo.CatalogArtifact(ctx, p.Name, p.Version, p.SHA256)
		if err != nil {
			h.writeRepoError(w, r, err)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.Copy(w, rc)
	}
}

// serveRepoSources serves eddy's own endpoints for the repository's
// sources and installs, under sar.PathPrefix:
//
//	GET    sources              list the sources
//	POST   sources {url}        add a source
//	DELETE sources?url=URL      remove a source
//	POST   sources/refresh {url} fetch one source's index again, or all
//	GET    available            the applications the sources offer
//	POST   install {source, name, version, digest}
func (h *Handler) serveRepoSources(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	svc := h.Repo
	decode, err := repoBody(r, r.Method == http.MethodPost)
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	var in struct {
		URL string `json:"url"`
	}
	var (
		out    any
		status = http.StatusOK
	)
	switch r.Method + " " + strings.TrimPrefix(r.URL.Path, sar.PathPrefix) {
	case "GET sources":
		var items []sar.SourceSummary
		items, err = svc.ListSources(ctx)
		out = map[string]any{"sources": items}
	case "POST sources":
		if err = decode(&in); err == nil {
			out, err = svc.AddSource(ctx, in.URL)
			status = http.StatusCreated
		}
	case "DELETE sources":
		err = svc.RemoveSource(ctx, r.URL.Query().Get("url"))
		status = http.StatusNoContent
	case "POST sources/refresh":
		if err = decode(&in); err == nil {
			var items []sar.SourceSummary
			items, err = svc.RefreshSources(ctx, in.URL)
			out = map[string]any{"sources": items}
		}
	case "GET available":
		var items []sar.CatalogEntry
		items, err = svc.CatalogEntries(ctx)
		out = map[string]any{"applications": items}
	case "POST install":
		var req sar.InstallInput
		if err = decode(&req); err == nil {
			out, err = svc.Install(ctx, req)
		}
	default:
		err = eddy.TypedErrorf(eddy.ENOTFOUND, "NotFoundException", "Unknown operation %s %s", r.Method, r.URL.Path)
	}
	if err != nil {
		h.writeRepoError(w, r, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}

// isRepoSourcesPath reports whether a path is one of serveRepoSources'.
func isRepoSourcesPath(p string) bool {
	switch strings.TrimPrefix(p, sar.PathPrefix) {
	case "sources", "sources/refresh", "available", "install":
		return strings.HasPrefix(p, sar.PathPrefix)
	}
	return false
}
