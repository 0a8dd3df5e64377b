package awsapi

import (
	"context"
	"net/http"
	"regexp"
	"strconv"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/httpapis"
)

// FunctionURLsAPI is the service behind Lambda's function URLs: their
// configuration and their invoke addresses. Functions are plain names; the
// edge has checked that the function (and the alias a qualifier names)
// exists.
type FunctionURLsAPI interface {
	APIInvoker
	CreateFunctionURL(ctx context.Context, region, name, qualifier string, in *httpapis.URLInput) (*httpapis.FunctionURL, error)
	GetFunctionURL(ctx context.Context, region, name, qualifier string) (*httpapis.FunctionURL, error)
	UpdateFunctionURL(ctx context.Context, region, name, qualifier string, in *httpapis.URLInput) (*httpapis.FunctionURL, error)
	DeleteFunctionURL(ctx context.Context, region, name, qualifier string) error
	ListFunctionURLs(ctx context.Context, region, name string) ([]*httpapis.FunctionURL, error)
	// DeleteFunctionURLs deletes every URL of a function being deleted.
	DeleteFunctionURLs(ctx context.Context, region, name string) error
	// Address is a URL's invoke address; FunctionARN the ARN it names.
	Address(u *httpapis.FunctionURL) string
	FunctionARN(u *httpapis.FunctionURL) string
}

// functionURLConfig is Lambda's FunctionUrlConfig.
type functionURLConfig struct {
	FunctionURL      string            `json:"FunctionUrl"`
	FunctionArn      string            `json:"FunctionArn"`
	AuthType         string            `json:"AuthType"`
	Cors             *httpapis.URLCors `json:"Cors,omitempty"`
	CreationTime     string            `json:"CreationTime"`
	LastModifiedTime string            `json:"LastModifiedTime,omitempty"`
	InvokeMode       string            `json:"InvokeMode"`
}

func (h *Handler) toFunctionURLConfig(u *httpapis.FunctionURL, modified bool) functionURLConfig {
	const layout = "2006-01-02T15:04:05.000000Z"
	out := functionURLConfig{FunctionURL: h.FunctionURLs.Address(u), FunctionArn: h.FunctionURLs.FunctionARN(u),
		AuthType: u.AuthType, Cors: u.Cors, CreationTime: u.Created.UTC().Format(layout), InvokeMode: u.InvokeMode}
	if modified {
		out.LastModifiedTime = u.Modified.UTC().Format(layout)
	}
	return out
}

// urlQualifier is what a function URL's Qualifier may be: $LATEST or an
// alias name (not a version number).
var urlQualifier = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]{1,128})$`)

// serveFunctionURLConfig serves /2021-10-31/functions/{name}/url (which
// "url") and …/urls (which "urls").
func (h *Handler) serveFunctionURLConfig(w http.ResponseWriter, r *http.Request, function, which string) {
	if h.FunctionURLs == nil {
		h.lambdaUnknown(w, r)
		return
	}
	ctx, region := r.Context(), h.regionOf(r)
	ref, err := h.functionRef(r, function)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	qualifier := r.URL.Query().Get("Qualifier")
	if qualifier == "" {
		qualifier = ref.Qualifier
	}
	if qualifier != "" && (!urlQualifier.MatchString(qualifier) || isDigits(qualifier)) {
		h.writeLambdaError(w, r, eddy.Errorf(eddy.EVALIDATE,
			"1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))", qualifier))
		return
	}
	if _, err := h.Functions.GetFunction(ctx, region, ref.Name); err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	if qualifier != "" && qualifier != "$LATEST" && h.Versions != nil {
		if _, err := h.Versions.GetAlias(ctx, region, ref.Name, qualifier); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
	}
	svc := h.FunctionURLs
	switch {
	case which == "urls" && r.Method == http.MethodGet:
		h.listFunctionURLConfigs(w, r, region, ref.Name)
	case which == "url" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		var in httpapis.URLInput
		if err := h.readConfigJSON(r, "FunctionUrlConfig", &in); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		var u *httpapis.FunctionURL
		status := http.StatusCreated
		if r.Method == http.MethodPost {
			u, err = svc.CreateFunctionURL(ctx, region, ref.Name, qualifier, &in)
		} else {
			u, err = svc.UpdateFunctionURL(ctx, region, ref.Name, qualifier, &in)
			status = http.StatusOK
		}
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		writeJSON(w, status, h.toFunctionURLConfig(u, status == http.StatusOK))
	case which == "url" && r.Method == http.MethodGet:
		u, err := svc.GetFunctionURL(ctx, region, ref.Name, qualifier)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, h.toFunctionURLConfig(u, true))
	case which == "url" && r.Method == http.MethodDelete:
		if err := svc.DeleteFunctionURL(ctx, region, ref.Name, qualifier); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.lambdaUnknown(w, r)
	}
}

func (h *Handler) listFunctionURLConfigs(w http.ResponseWriter, r *http.Request, region, name string) {
	q := r.URL.Query()
	max := 50
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			h.writeLambdaError(w, r, eddy.Errorf(eddy.EVALIDATE,
				"1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50", s))
			return
		}
		max = n
	}
	us, err := h.FunctionURLs.ListFunctionURLs(r.Context(), region, name)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	start := 0
	if m := q.Get("Marker"); m != "" {
		start = len(us)
		for i, u := range us {
			if u.URLID == m {
				start = i
			}
		}
	}
	out := struct {
		FunctionURLConfigs []functionURLConfig `json:"FunctionUrlConfigs"`
		NextMarker         string              `json:"NextMarker,omitempty"`
	}{FunctionURLConfigs: []functionURLConfig{}}
	for i := start; i < len(us); i++ {
		if len(out.FunctionURLConfigs) == max {
			out.NextMarker = us[i].URLID
			break
		}
		out.FunctionURLConfigs = append(out.FunctionURLConfigs, h.toFunctionURLConfig(us[i], true))
	}
	writeJSON(w, http.StatusOK, out)
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
