package awsapi

import (
	"net/http"
	"net/url"
	"strings"
)

// Credential is what a request says about its signer: the access key and the
// scope (date, region, service) of its SigV4 signature.
type Credential struct {
	AccessKey string
	Date      string
	Region    string
	Service   string
}

// ParseCredential extracts the credential of a SigV4-signed request, from
// its Authorization header or, for a presigned URL, its query string. ok is
// false if the request carries no well-formed SigV4 credential.
func ParseCredential(r *http.Request) (Credential, bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return ParseAuthorization(auth)
	}
	if r.URL != nil {
		q := r.URL.Query()
		if c := q.Get("X-Amz-Credential"); c != "" {
			return parseScope(c, q.Get("X-Amz-Algorithm") == sigV4a)
		}
	}
	return Credential{}, false
}

// ParseAuthorization parses an Authorization header such as
// "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=…".
func ParseAuthorization(h string) (Credential, bool) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || (alg != "AWS4-HMAC-SHA256" && alg != sigV4a) {
		return Credential{}, false
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k == "Credential" {
			return parseScope(v, alg == sigV4a)
		}
	}
	return Credential{}, false
}

// sigV4a is the algorithm of SigV4a, whose scope has no region: the
// request names its regions in X-Amz-Region-Set instead.
const sigV4a = "AWS4-ECDSA-P256-SHA256"

// parseScope parses "AKID/DATE/REGION/SERVICE/aws4_request", or
// "AKID/DATE/SERVICE/aws4_request" for SigV4a; the value may be URL-escaped,
// as in a presigned query string.
func parseScope(s string, sigv4a bool) (Credential, bool) {
	if u, err := url.QueryUnescape(s); err == nil {
		s = u
	}
	parts := strings.Split(s, "/")
	if sigv4a && len(parts) == 4 {
		parts = []string{parts[0], parts[1], "", parts[2], parts[3]}
	}
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || parts[3] == "" {
		return Credential{}, false
	}
	return Credential{AccessKey: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, true
}
