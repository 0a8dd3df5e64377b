package poller

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// OAuth1 holds the OAuth 1.0a user-context credentials a request is signed
// with.
type OAuth1 struct {
	ConsumerKey       string
	ConsumerSecret    string
	AccessToken       string
	AccessTokenSecret string
}

// Authorization returns the Authorization header of a request signed with
// HMAC-SHA1 as RFC 5849 section 3.4 describes: method and rawURL name the
// request (its query is part of what is signed), form holds the parameters
// of a form-encoded body (nil for none), and nonce and timestamp are the
// request's oauth_nonce and oauth_timestamp.
func (c OAuth1) Authorization(method, rawURL string, form url.Values, nonce, timestamp string) (string, error) {
	oauth := c.oauthParams(nonce, timestamp)
	sig, err := c.Signature(method, rawURL, form, oauth)
	if err != nil {
		return "", err
	}
	oauth["oauth_signature"] = sig
	keys := make([]string, 0, len(oauth))
	for k := range oauth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("OAuth ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(percentEncode(k) + `="` + percentEncode(oauth[k]) + `"`)
	}
	return b.String(), nil
}

// oauthParams returns the oauth_* parameters of a request, the signature
// left out.
func (c OAuth1) oauthParams(nonce, timestamp string) map[string]string {
	return map[string]string{
		"oauth_consumer_key":     c.ConsumerKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        timestamp,
		"oauth_token":            c.AccessToken,
		"oauth_version":          "1.0",
	}
}

// Signature returns the base64 HMAC-SHA1 signature of a request whose
// oauth_* parameters are oauth.
func (c OAuth1) Signature(method, rawURL string, form url.Values, oauth map[string]string) (string, error) {
	base, err := signatureBase(method, rawURL, form, oauth)
	if err != nil {
		return "", err
	}
	key := percentEncode(c.ConsumerSecret) + "&" + percentEncode(c.AccessTokenSecret)
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// signatureBase is the signature base string of RFC 5849 section 3.4.1:
// the method, the base string URI and the normalized parameters, each
// percent-encoded and joined by "&".
func signatureBase(method, rawURL string, form url.Values, oauth map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", err
	}
	type pair struct{ k, v string }
	var pairs []pair
	add := func(k, v string) { pairs = append(pairs, pair{percentEncode(k), percentEncode(v)}) }
	for k, vs := range query {
		for _, v := range vs {
			add(k, v)
		}
	}
	for k, vs := range form {
		for _, v := range vs {
			add(k, v)
		}
	}
	for k, v := range oauth {
		add(k, v)
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var params strings.Builder
	for i, p := range pairs {
		if i > 0 {
			params.WriteByte('&')
		}
		params.WriteString(p.k + "=" + p.v)
	}
	return strings.ToUpper(method) + "&" + percentEncode(baseURI(u)) + "&" + percentEncode(params.String()), nil
}

// baseURI is the base string URI of RFC 5849 section 3.4.1.2: scheme and
// host in lower case, the port only when it is not the scheme's default,
// the path, and no query or fragment.
func baseURI(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal
	}
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// percentEncode encodes s as RFC 3986 section 2.1 does, which is what
// RFC 5849 section 3.6 asks for: every byte but the unreserved characters
// becomes %XX with upper-case hex digits.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
