package poller_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/apps/tweet-search-event-source/poller"
)

// twitterExample is the request of Twitter's "Creating a signature" guide.
var twitterExample = poller.OAuth1{
	ConsumerKey:       "xvz1evFS4wEEPTGEFPHBog",
	ConsumerSecret:    "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
	AccessToken:       "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
	AccessTokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
}

const (
	exampleNonce     = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
	exampleTimestamp = "1318622958"
	exampleURL       = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
	exampleSignature = "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
)

var exampleForm = url.Values{"status": {"Hello Ladies + Gentlemen, a signed OAuth request!"}}

func TestOAuthSignatureTwitterExample(t *testing.T) {
	oauth := map[string]string{
		"oauth_consumer_key":     twitterExample.ConsumerKey,
		"oauth_nonce":            exampleNonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        exampleTimestamp,
		"oauth_token":            twitterExample.AccessToken,
		"oauth_version":          "1.0",
	}
	got, err := twitterExample.Signature("POST", exampleURL, exampleForm, oauth)
	if err != nil {
		t.Fatal(err)
	}
	if got != exampleSignature {
		t.Fatalf("got signature %s, want %s", got, exampleSignature)
	}
}

func TestOAuthAuthorizationHeader(t *testing.T) {
	got, err := twitterExample.Authorization("POST", exampleURL, exampleForm, exampleNonce, exampleTimestamp)
	if err != nil {
		t.Fatal(err)
	}
	// The guide's header, its parameters in sorted order.
	want := `OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", ` +
		`oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", ` +
		`oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

// TestOAuthBaseURI checks the parts of the base string URI RFC 5849
// section 3.4.1.2 normalizes: case, default ports, the query left out.
func TestOAuthBaseURI(t *testing.T) {
	sig := func(raw string) string {
		s, err := twitterExample.Signature("GET", raw, nil, map[string]string{"oauth_nonce": "n"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct{ a, b string }{
		{"HTTPS://API.Twitter.com:443/1.1/search/tweets.json?q=a%20b", "https://api.twitter.com/1.1/search/tweets.json?q=a+b"},
		{"http://example.com:80/r?b=2&a=1", "http://example.com/r?a=1&b=2"},
	} {
		if sig(tc.a) != sig(tc.b) {
			t.Errorf("%s and %s sign differently", tc.a, tc.b)
		}
	}
	if sig("http://example.com:8080/r") == sig("http://example.com/r") {
		t.Error("a non-default port is not part of the signature")
	}
	if _, err := twitterExample.Signature("GET", "http://example.com/%zz", nil, nil); err == nil {
		t.Error("got no error for a malformed URL")
	}
	if !strings.HasSuffix(sig("http://example.com/"), "=") {
		t.Error("signature is not base64 of 20 bytes")
	}
}
