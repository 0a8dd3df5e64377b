package awsapi

import (
	"net"
	"net/http"
	"strings"
)

// APIInvoker serves requests made to the invoke address of an API (API
// Gateway) or of a function URL.
type APIInvoker interface {
	// ServeInvoke serves r, made to the API or function URL id; path is
	// the request's path below the address, beginning with "/". It reports
	// false, having written nothing, when it has no API or URL of that id.
	ServeInvoke(w http.ResponseWriter, r *http.Request, id, path string) bool
}

// holder is an APIInvoker that can tell, from what this node already holds
// and without any I/O, that an id is its own.
type holder interface {
	Holds(id string) bool
}

// Invoke address kinds.
const (
	addressAPI = "api" // an API Gateway API, HTTP or REST
	addressURL = "url" // a Lambda function URL
)

// Path forms of invoke addresses on the main port.
const (
	apiPathPrefix = "/_api/" // /_api/{apiId}/{stage}/…, or /_api/{apiId}/… for a $default stage
	urlPathPrefix = "/_url/" // /_url/{urlId}/…
)

// invokeAddress reports whether r is addressed to an API or a function URL:
// by host ({apiId}.execute-api.…, {urlId}.lambda-url.{region}.…) or by
// path (/_api/{apiId}/…, /_url/{urlId}/…). path is what follows the
// address, beginning with "/".
func invokeAddress(r *http.Request) (kind, id, path string, ok bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	if first, rest, found := strings.Cut(host, "."); found && first != "" {
		switch {
		case strings.HasPrefix(rest, "execute-api."):
			return addressAPI, first, r.URL.Path, true
		case strings.HasPrefix(rest, "lambda-url."):
			return addressURL, first, r.URL.Path, true
		}
	}
	for _, f := range []struct{ prefix, kind string }{{apiPathPrefix, addressAPI}, {urlPathPrefix, addressURL}} {
		if rest, found := strings.CutPrefix(r.URL.Path, f.prefix); found {
			id, below, _ := strings.Cut(rest, "/")
			if id == "" {
				return "", "", "", false
			}
			return f.kind, id, "/" + below, true
		}
	}
	return "", "", "", false
}

// serveInvokeAddress hands a request made to an invoke address to the
// service that owns the id; an id nobody owns is API Gateway's 404.
func (h *Handler) serveInvokeAddress(w http.ResponseWriter, r *http.Request, kind, id, path string) {
	w.Header().Del("X-Amzn-RequestId") // each kind of address sets its own
	switch kind {
	case addressURL:
		if h.FunctionURLs != nil && h.FunctionURLs.ServeInvoke(w, r, id, path) {
			return
		}
	case addressAPI:
		// An id either kind already holds goes straight to it; otherwise
		// each looks the id up, which may cost it a read.
		if hh, ok := h.HTTPAPIs.(holder); ok && hh.Holds(id) && h.HTTPAPIs.ServeInvoke(w, r, id, path) {
			return
		}
		if h.RestAPIs != nil && h.RestAPIs.ServeInvoke(w, r, id, path) {
			return
		}
		if h.HTTPAPIs != nil && h.HTTPAPIs.ServeInvoke(w, r, id, path) {
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}
