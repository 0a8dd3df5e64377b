package awsapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy/buckets"
)

// maxS3Config bounds a configuration document (S3's policy limit is 20 KB;
// the XML documents are larger in practice only with many rules).
const maxS3Config = 1 << 20

// s3GetConfig serves GET ?policy, ?cors, ?website, ?notification, ?tagging.
func (h *Handler) s3GetConfig(name string) func(http.ResponseWriter, *s3Req) error {
	return func(w http.ResponseWriter, s *s3Req) error {
		doc, err := h.Buckets.GetConfig(s.r.Context(), s.bucket, buckets.Config(name))
		if err != nil {
			return err
		}
		if name == "notification" && len(bytes.TrimSpace(doc)) == 0 {
			doc = []byte(`<NotificationConfiguration xmlns="` + s3Namespace + `"/>`)
		}
		ct := "application/xml"
		if name == "policy" {
			ct = "application/json"
		} else if !bytes.HasPrefix(doc, []byte("<?xml")) {
			doc = append([]byte(xmlHeader), doc...)
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc)
		return nil
	}
}

// s3PutConfig serves PUT of a configuration: the document is checked (the
// notification document by the buckets service's hook) and stored.
func (h *Handler) s3PutConfig(name string) func(http.ResponseWriter, *s3Req) error {
	return func(w http.ResponseWriter, s *s3Req) error {
		data, err := readS3Document(s.r, maxS3Config, false)
		if err != nil {
			return err
		}
		doc, err := checkConfig(name, data)
		if err != nil {
			return err
		}
		if err := h.Buckets.PutConfig(s.r.Context(), s.bucket, buckets.Config(name), doc); err != nil {
			return err
		}
		status := http.StatusOK
		if name == "policy" || name == "tagging" {
			status = http.StatusNoContent
		}
		w.WriteHeader(status)
		return nil
	}
}

// s3DeleteConfig serves DELETE ?policy, ?cors, ?website, ?tagging.
func (h *Handler) s3DeleteConfig(name string) func(http.ResponseWriter, *s3Req) error {
	return func(w http.ResponseWriter, s *s3Req) error {
		if err := h.Buckets.PutConfig(s.r.Context(), s.bucket, buckets.Config(name), nil); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// checkConfig validates a configuration document and returns what to
// store: the XML documents normalised (S3's namespace, no unknown
// elements), a policy and a notification configuration as sent.
func checkConfig(name string, data []byte) ([]byte, error) {
	switch name {
	case "policy":
		trimmed := bytes.TrimSpace(data)
		var v map[string]any
		if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &v) != nil {
			return nil, s3Errorf("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
		}
		if _, ok := v["Statement"]; !ok {
			return nil, s3Errorf("MalformedPolicy", "Missing required field Statement")
		}
		return data, nil
	case "cors":
		c, err := parseCORS(data)
		if err != nil {
			return nil, err
		}
		return xml.Marshal(c)
	case "website":
		c, err := parseWebsite(data)
		if err != nil {
			return nil, err
		}
		return xml.Marshal(c)
	case "tagging":
		t, err := parseTagging(data, 50)
		if err != nil {
			return nil, err
		}
		return xml.Marshal(t)
	case "notification":
		if len(bytes.TrimSpace(data)) > 0 {
			var v struct {
				XMLName xml.Name `xml:"NotificationConfiguration"`
			}
			if err := decodeS3XML(data, &v); err != nil {
				return nil, err
			}
		}
		return data, nil
	}
	return nil, notImplemented(name)
}

// corsConfig is a CORSConfiguration document.
type corsConfig struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:",omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:",omitempty"`
}

// parseCORS parses and checks a CORSConfiguration as S3 does.
func parseCORS(data []byte) (*corsConfig, error) {
	var c corsConfig
	if err := decodeS3XML(data, &c); err != nil {
		return nil, err
	}
	if len(c.Rules) == 0 || len(c.Rules) > 100 {
		return nil, s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	for _, r := range c.Rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return nil, s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case "GET", "PUT", "HEAD", "POST", "DELETE":
			default:
				return nil, s3Errorf("InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return nil, s3Errorf("InvalidRequest", "AllowedOrigin \"%s\" can not have more than one wildcard.", o)
			}
		}
		for _, hd := range r.AllowedHeaders {
			if strings.Count(hd, "*") > 1 {
				return nil, s3Errorf("InvalidRequest", "AllowedHeader \"%s\" can not have more than one wildcard.", hd)
			}
		}
		if r.MaxAgeSeconds != nil && *r.MaxAgeSeconds < 0 {
			return nil, s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		if len(r.ID) > 255 {
			return nil, s3Errorf("InvalidArgument", "The ID of a CORS rule must be at most 255 characters")
		}
	}
	c.Xmlns = s3Namespace
	return &c, nil
}

// wildcardMatch matches s against a pattern with at most one '*'.
func wildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	before, after, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// match returns the first rule that allows origin, method and every one
// of headers, or nil.
func (c *corsConfig) match(origin, method string, headers []string) *corsRule {
	for i := range c.Rules {
		r := &c.Rules[i]
		if !anyMatch(r.AllowedOrigins, origin, false) {
			continue
		}
		okMethod := false
		for _, m := range r.AllowedMethods {
			if m == method {
				okMethod = true
			}
		}
		if !okMethod {
			continue
		}
		okHeaders := true
		for _, hd := range headers {
			if !anyMatch(r.AllowedHeaders, hd, true) {
				okHeaders = false
				break
			}
		}
		if okHeaders {
			return r
		}
	}
	return nil
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if wildcardMatch(strings.TrimSpace(p), s, fold) {
			return true
		}
	}
	return false
}

// requestedHeaders splits Access-Control-Request-Headers.
func requestedHeaders(v string) []string {
	var out []string
	for _, hd := range strings.Split(v, ",") {
		if hd = strings.ToLower(strings.TrimSpace(hd)); hd != "" {
			out = append(out, hd)
		}
	}
	return out
}

// bucketCORS returns a bucket's CORS configuration, nil for none.
func (h *Handler) bucketCORS(s *s3Req) *corsConfig {
	doc, err := h.Buckets.GetConfig(s.r.Context(), s.bucket, buckets.ConfigCORS)
	if err != nil || len(doc) == 0 {
		return nil
	}
	c, err := parseCORS(doc)
	if err != nil {
		return nil
	}
	return c
}

// setCORSHeaders writes the Access-Control-* headers of a matched rule.
func setCORSHeaders(w http.ResponseWriter, rule *corsRule, origin string) {
	hd := w.Header()
	if len(rule.AllowedOrigins) == 1 && rule.AllowedOrigins[0] == "*" {
		hd.Set("Access-Control-Allow-Origin", "*")
	} else {
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Set("Access-Control-Allow-Credentials", "true")
	}
	hd.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposeHeaders) > 0 {
		hd.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		hd.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	hd.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// applyCORS adds the CORS headers of a bucket's matching rule to an actual
// request carrying Origin.
func (h *Handler) applyCORS(w http.ResponseWriter, s *s3Req) {
	c := h.bucketCORS(s)
	if c == nil {
		return
	}
	origin := s.r.Header.Get("Origin")
	if rule := c.match(origin, s.r.Method, nil); rule != nil {
		setCORSHeaders(w, rule, origin)
	}
}

// serveS3Preflight answers an OPTIONS preflight request.
func (h *Handler) serveS3Preflight(w http.ResponseWriter, s *s3Req) {
	origin, method := s.r.Header.Get("Origin"), s.r.Header.Get("Access-Control-Request-Method")
	if origin == "" {
		h.writeS3Error(w, s, s3Errorf("BadRequest", "Insufficient information. Origin request header needed."))
		return
	}
	if method == "" {
		h.writeS3Error(w, s, s3Errorf("BadRequest", "Invalid Access-Control-Request-Method: null"))
		return
	}
	if _, err := h.Buckets.HeadBucket(s.r.Context(), s.bucket); err != nil {
		h.writeS3Error(w, s, err)
		return
	}
	headers := requestedHeaders(s.r.Header.Get("Access-Control-Request-Headers"))
	c := h.bucketCORS(s)
	var rule *corsRule
	if c != nil {
		rule = c.match(origin, method, headers)
	}
	if rule == nil {
		h.writeS3Error(w, s, s3Errorf("CORSResponse", "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."))
		return
	}
	setCORSHeaders(w, rule, origin)
	if len(headers) > 0 {
		w.Header().Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// websiteConfig is a WebsiteConfiguration document.
type websiteConfig struct {
	XMLName       xml.Name `xml:"WebsiteConfiguration"`
	Xmlns         string   `xml:"xmlns,attr,omitempty"`
	ErrorDocument *struct {
		Key string
	} `xml:",omitempty"`
	IndexDocument *struct {
		Suffix string
	} `xml:",omitempty"`
	RedirectAllRequestsTo *websiteRedirectAll `xml:",omitempty"`
	RoutingRules          []websiteRule       `xml:"RoutingRules>RoutingRule,omitempty"`
}

type websiteRedirectAll struct {
	HostName string
	Protocol string `xml:",omitempty"`
}

type websiteRule struct {
	Condition *struct {
		HTTPErrorCodeReturnedEquals string `xml:"HttpErrorCodeReturnedEquals,omitempty"`
		KeyPrefixEquals             string `xml:",omitempty"`
	} `xml:",omitempty"`
	Redirect struct {
		HostName         string `xml:",omitempty"`
		HTTPRedirectCode string `xml:"HttpRedirectCode,omitempty"`
		Protocol         string `xml:",omitempty"`
		// ReplaceKeyPrefixWith and ReplaceKeyWith are pointers: an empty
		// replacement (strip the prefix) differs from none.
		ReplaceKeyPrefixWith *string `xml:",omitempty"`
		ReplaceKeyWith       *string `xml:",omitempty"`
	}
}

// parseWebsite parses and checks a WebsiteConfiguration as S3 does.
func parseWebsite(data []byte) (*websiteConfig, error) {
	var c websiteConfig
	if err := decodeS3XML(data, &c); err != nil {
		return nil, err
	}
	if c.RedirectAllRequestsTo != nil {
		if c.IndexDocument != nil || c.ErrorDocument != nil || len(c.RoutingRules) > 0 {
			return nil, s3Errorf("InvalidArgument", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
		}
		if c.RedirectAllRequestsTo.HostName == "" {
			return nil, s3Errorf("InvalidArgument", "A host name must be provided in RedirectAllRequestsTo")
		}
		if p := c.RedirectAllRequestsTo.Protocol; p != "" && p != "http" && p != "https" {
			return nil, s3Errorf("InvalidArgument", "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.")
		}
	} else {
		if c.IndexDocument == nil {
			return nil, s3Errorf("InvalidArgument", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
		}
		if c.IndexDocument.Suffix == "" || strings.Contains(c.IndexDocument.Suffix, "/") {
			return nil, s3Errorf("InvalidArgument", "The IndexDocument Suffix is not well formed")
		}
		if c.ErrorDocument != nil && c.ErrorDocument.Key == "" {
			return nil, s3Errorf("InvalidArgument", "The ErrorDocument Key is not well formed")
		}
	}
	if len(c.RoutingRules) > 50 {
		return nil, s3Errorf("InvalidArgument", "The number of routing rules must not exceed 50")
	}
	for _, r := range c.RoutingRules {
		rd := r.Redirect
		if rd.ReplaceKeyPrefixWith != nil && rd.ReplaceKeyWith != nil {
			return nil, s3Errorf("InvalidArgument", "You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
		}
		if p := rd.Protocol; p != "" && p != "http" && p != "https" {
			return nil, s3Errorf("InvalidArgument", "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.")
		}
		if code := rd.HTTPRedirectCode; code != "" {
			if n, err := strconv.Atoi(code); err != nil || n < 300 || n > 399 {
				return nil, s3Errorf("InvalidArgument", "The provided HTTP redirect code (%s) is not valid. Valid codes are 3XX except 300.", code)
			}
		}
		if r.Condition != nil && r.Condition.HTTPErrorCodeReturnedEquals != "" {
			if n, err := strconv.Atoi(r.Condition.HTTPErrorCodeReturnedEquals); err != nil || n < 400 || n > 599 {
				return nil, s3Errorf("InvalidArgument", "The provided HTTP error code (%s) is not valid. Valid codes are 4XX or 5XX.", r.Condition.HTTPErrorCodeReturnedEquals)
			}
		}
	}
	c.Xmlns = s3Namespace
	return &c, nil
}
