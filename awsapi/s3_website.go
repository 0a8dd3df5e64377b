package awsapi

import (
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy/buckets"
)

// websitePathPrefix is the path form of a bucket's website endpoint on the
// main port: /_eddy/website/BUCKET/KEY serves what
// http://BUCKET.s3-website.localhost:PORT/KEY serves.
const websitePathPrefix = "/_eddy/website/"

// serveWebsite serves a bucket's static website: GET and HEAD only, index
// documents for directory paths, the error document (or S3's HTML error
// page) with 404, RedirectAllRequestsTo, routing rules and per-object
// redirects. base is the path prefix of the endpoint ("" for the host
// form), path the request path under it.
func (h *Handler) serveWebsite(w http.ResponseWriter, r *http.Request, bucket, base, path string) {
	id := requestID(r.Context())
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("x-amz-id-2", s3HostID(id))
	page := func(status int, code, msg string) {
		h.websiteError(w, r, status, code, msg, bucket)
	}
	if h.Buckets == nil || bucket == "" {
		page(404, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	s := &s3Req{r: r, bucket: bucket, key: strings.TrimPrefix(path, "/")}
	if r.Method == http.MethodOptions {
		h.serveS3Preflight(w, s)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		page(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	doc, err := h.Buckets.GetConfig(r.Context(), bucket, buckets.ConfigWebsite)
	if err != nil {
		status, code, msg := s3ErrorOf(err)
		page(status, code, msg)
		return
	}
	cfg, err := parseWebsite(doc)
	if err != nil {
		page(404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")
		return
	}
	if r.Header.Get("Origin") != "" {
		h.applyCORS(w, s)
	}
	scheme := s3Scheme(r)
	if to := cfg.RedirectAllRequestsTo; to != nil {
		proto := to.Protocol
		if proto == "" {
			proto = scheme
		}
		target := proto + "://" + to.HostName + path
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		redirect(w, target, http.StatusMovedPermanently)
		return
	}
	key := s.key
	if target, code, ok := routingRedirect(cfg, key, 0, scheme, r.Host, base); ok {
		redirect(w, target, code)
		return
	}
	objKey := key
	if objKey == "" || strings.HasSuffix(objKey, "/") {
		objKey += cfg.IndexDocument.Suffix
	}
	in := &buckets.GetObjectInput{
		Bucket: bucket, Key: objKey, Range: r.Header.Get("Range"), Head: r.Method == http.MethodHead,
		Conditions: buckets.Conditions{
			IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match"),
			IfModifiedSince: httpDate(r.Header.Get("If-Modified-Since")), IfUnmodifiedSince: httpDate(r.Header.Get("If-Unmodified-Since")),
		},
	}
	out, err := h.Buckets.GetObject(r.Context(), in)
	if err == nil {
		if out.WebsiteRedirect != "" {
			if out.Body != nil {
				out.Body.Close()
			}
			target := out.WebsiteRedirect
			if strings.HasPrefix(target, "/") {
				target = base + target
			}
			redirect(w, target, http.StatusMovedPermanently)
			return
		}
		h.writeWebsiteObject(w, r, out, http.StatusOK)
		return
	}
	status, code, msg := s3ErrorOf(err)
	if status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	if code == "NoSuchKey" && key != "" && !strings.HasSuffix(key, "/") {
		// A "directory" without its slash redirects to it, as S3 does.
		idx := &buckets.GetObjectInput{Bucket: bucket, Key: key + "/" + cfg.IndexDocument.Suffix, Head: true}
		if _, err := h.Buckets.GetObject(r.Context(), idx); err == nil {
			redirect(w, base+"/"+key+"/", http.StatusFound)
			return
		}
	}
	if target, rcode, ok := routingRedirect(cfg, key, status, scheme, r.Host, base); ok {
		redirect(w, target, rcode)
		return
	}
	if status == http.StatusNotFound || status == http.StatusForbidden {
		if cfg.ErrorDocument != nil {
			edoc, err := h.Buckets.GetObject(r.Context(), &buckets.GetObjectInput{Bucket: bucket, Key: cfg.ErrorDocument.Key, Head: r.Method == http.MethodHead})
			if err == nil {
				h.writeWebsiteObject(w, r, edoc, status)
				return
			}
		}
	}
	page(status, code, msg)
}

// routingRedirect applies the first routing rule whose condition holds for
// key (and, for status != 0, the error code returned).
func routingRedirect(cfg *websiteConfig, key string, status int, scheme, host, base string) (string, int, bool) {
	for _, rule := range cfg.RoutingRules {
		cond := rule.Condition
		if status == 0 && cond != nil && cond.HTTPErrorCodeReturnedEquals != "" {
			continue
		}
		if status != 0 && (cond == nil || cond.HTTPErrorCodeReturnedEquals != strconv.Itoa(status)) {
			continue
		}
		if cond != nil && !strings.HasPrefix(key, cond.KeyPrefixEquals) {
			continue
		}
		rd := rule.Redirect
		newKey := key
		switch {
		case rd.ReplaceKeyWith != nil:
			newKey = *rd.ReplaceKeyWith
		case rd.ReplaceKeyPrefixWith != nil:
			prefix := ""
			if cond != nil {
				prefix = cond.KeyPrefixEquals
			}
			newKey = *rd.ReplaceKeyPrefixWith + strings.TrimPrefix(key, prefix)
		}
		code := http.StatusMovedPermanently
		if rd.HTTPRedirectCode != "" {
			if n, err := strconv.Atoi(rd.HTTPRedirectCode); err == nil {
				code = n
			}
		}
		proto := rd.Protocol
		if proto == "" {
			proto = scheme
		}
		if rd.HostName != "" {
			return proto + "://" + rd.HostName + "/" + newKey, code, true
		}
		return proto + "://" + host + base + "/" + newKey, code, true
	}
	return "", 0, false
}

func redirect(w http.ResponseWriter, target string, code int) {
	w.Header().Set("Location", target)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(code)
}

// writeWebsiteObject serves an object (or the error document) with status.
func (h *Handler) writeWebsiteObject(w http.ResponseWriter, r *http.Request, out *buckets.GetObjectOutput, status int) {
	if out.Body != nil {
		defer out.Body.Close()
	}
	writeObjectHeaders(w, &out.Object, false)
	w.Header().Del("x-amz-server-side-encryption")
	length := out.Size
	if out.Ranged && status == http.StatusOK {
		status, length = http.StatusPartialContent, out.End-out.Start+1
		w.Header().Set("Content-Range", "bytes "+strconv.FormatInt(out.Start, 10)+"-"+strconv.FormatInt(out.End, 10)+"/"+strconv.FormatInt(out.Size, 10))
	}
	w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if out.Body != nil && r.Method != http.MethodHead {
		_, _ = copyBody(w, out.Body)
	}
}

// websiteError renders S3's HTML error page of a website endpoint.
func (h *Handler) websiteError(w http.ResponseWriter, r *http.Request, status int, code, msg, bucket string) {
	if status >= 500 {
		h.Logger.Error("website request failed", "request_id", requestID(r.Context()), "code", code)
		code, msg = "InternalError", "We encountered an internal error. Please try again."
	}
	id := requestID(r.Context())
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	var b strings.Builder
	b.WriteString("<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n")
	b.WriteString("<li>Code: " + html.EscapeString(code) + "</li>\n")
	b.WriteString("<li>Message: " + html.EscapeString(msg) + "</li>\n")
	if bucket != "" && (code == "NoSuchBucket" || code == "NoSuchWebsiteConfiguration") {
		b.WriteString("<li>BucketName: " + html.EscapeString(bucket) + "</li>\n")
	}
	b.WriteString("<li>RequestId: " + id + "</li>\n<li>HostId: " + s3HostID(id) + "</li>\n</ul>\n<hr/>\n</body>\n</html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, b.String())
	}
}
