package tweets

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// parseOAuthHeader parses an "OAuth k1="v1", k2="v2"" Authorization header
// into its decoded parameters. It reports false when h is not such a header.
func parseOAuthHeader(h string) (map[string]string, bool) {
	if len(h) < 6 || !strings.EqualFold(h[:6], "OAuth ") {
		return nil, false
	}
	params := map[string]string{}
	for _, part := range strings.Split(h[6:], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, false
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, false
		}
		dk, err1 := url.PathUnescape(k)
		dv, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err1 != nil || err2 != nil {
			return nil, false
		}
		params[dk] = dv
	}
	return params, true
}

// percentEncode encodes s as RFC 5849 §3.6 says: every byte but the
// unreserved characters as %XX in upper case.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// signatureBase is the signature base string of RFC 5849 §3.4.1: the
// method, the base string URI and the normalized parameters (oauth_signature
// and realm excluded), each percent-encoded and joined with '&'.
func signatureBase(method, baseURI string, params url.Values) string {
	var pairs []string
	for k, vs := range params {
		if k == "oauth_signature" || k == "realm" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, percentEncode(k)+"="+percentEncode(v))
		}
	}
	// By encoded name, then encoded value, in byte order.
	sort.Slice(pairs, func(i, j int) bool {
		ki, vi, _ := strings.Cut(pairs[i], "=")
		kj, vj, _ := strings.Cut(pairs[j], "=")
		if ki != kj {
			return ki < kj
		}
		return vi < vj
	})
	return strings.ToUpper(method) + "&" + percentEncode(baseURI) + "&" + percentEncode(strings.Join(pairs, "&"))
}

// signature is the HMAC-SHA1 signature of RFC 5849 §3.4.2, in base64.
func signature(method, baseURI string, params url.Values, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(signatureBase(method, baseURI, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// baseURI is the base string URI of RFC 5849 §3.4.1.2: scheme and host in
// lower case, the default port left out, the path, no query.
func baseURI(scheme, host, path string) string {
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// verifyOAuth reports whether r carries a valid OAuth 1.0a HMAC-SHA1
// signature by the simulator's consumer and access token. The signature may
// be over the URL the request was sent to or over the same path at
// https://api.twitter.com, for clients that sign the real API's URL and
// send it here.
func (s *Sim) verifyOAuth(r *http.Request, oauth map[string]string) bool {
	if oauth["oauth_signature_method"] != "HMAC-SHA1" ||
		oauth["oauth_timestamp"] == "" || oauth["oauth_nonce"] == "" ||
		subtle.ConstantTimeCompare([]byte(oauth["oauth_consumer_key"]), []byte(s.creds.ConsumerKey)) != 1 ||
		subtle.ConstantTimeCompare([]byte(oauth["oauth_token"]), []byte(s.creds.AccessToken)) != 1 {
		return false
	}
	if v, ok := oauth["oauth_version"]; ok && v != "1.0" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(oauth["oauth_signature"])
	if err != nil {
		return false
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return false
	}
	for k, v := range oauth {
		params.Add(k, v)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := r.URL.EscapedPath()
	for _, uri := range []string{baseURI(scheme, r.Host, path), baseURI("https", "api.twitter.com", path)} {
		want, _ := base64.StdEncoding.DecodeString(signature(r.Method, uri, params, s.creds.ConsumerSecret, s.creds.AccessTokenSecret))
		if hmac.Equal(got, want) {
			return true
		}
	}
	return false
}
