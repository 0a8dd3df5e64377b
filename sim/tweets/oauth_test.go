package tweets_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

// The request of Twitter's "Creating a signature" guide.
var (
	docURL    = "https://api.twitter.com/1.1/statuses/update.json"
	docParams = map[string]string{
		"include_entities":       "true",
		"status":                 "Hello Ladies + Gentlemen, a signed OAuth request!",
		"oauth_consumer_key":     "xvz1evFS4wEEPTGEFPHBog",
		"oauth_nonce":            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        "1318622958",
		"oauth_token":            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
		"oauth_version":          "1.0",
	}
	docConsumerSecret = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
	docTokenSecret    = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
	docSignature      = "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
)

func TestOAuthSignatureExample(t *testing.T) {
	if got := oauthSign("POST", docURL, docParams, docConsumerSecret, docTokenSecret); got != docSignature {
		t.Fatalf("test signer: got %s, want %s", got, docSignature)
	}
	params := url.Values{}
	for k, v := range docParams {
		params.Set(k, v)
	}
	if got := tweets.Signature("POST", docURL, params, docConsumerSecret, docTokenSecret); got != docSignature {
		t.Fatalf("simulator's signer: got %s, want %s", got, docSignature)
	}
}

func TestOAuthVerification(t *testing.T) {
	// The simulator holds the credentials of Twitter's example.
	e := MustSim(t, tweets.Config{
		Seed:              9,
		ConsumerKey:       docParams["oauth_consumer_key"],
		ConsumerSecret:    docConsumerSecret,
		AccessToken:       docParams["oauth_token"],
		AccessTokenSecret: docTokenSecret,
	}, time.Minute)
	c := e.sim.Credentials()
	if c.ConsumerKey != "xvz1evFS4wEEPTGEFPHBog" || c.BearerToken == "" {
		t.Fatalf("credentials: got %+v", c)
	}
	const path = "/1.1/search/tweets.json"
	query := url.Values{"q": {"#eddy -filter:retweets"}, "count": {"5"}, "tweet_mode": {"extended"}}
	wrong := c
	wrong.ConsumerSecret += "x"
	wrongToken := c
	wrongToken.AccessToken = "1-x"
	for _, tc := range []struct {
		name   string
		auth   string
		query  string
		status int
	}{
		{"signed for the loopback URL", oauthHeader(c, e.srv.URL+path, query, "n1"), query.Encode(), 200},
		{"signed for api.twitter.com", oauthHeader(c, "https://api.twitter.com"+path, query, "n2"), query.Encode(), 200},
		{"query percent-encoded differently", oauthHeader(c, e.srv.URL+path, query, "n3"),
			"q=%23eddy%20-filter%3Aretweets&count=5&tweet_mode=extended", 200},
		{"wrong consumer secret", oauthHeader(wrong, e.srv.URL+path, query, "n4"), query.Encode(), 401},
		{"wrong token", oauthHeader(wrongToken, e.srv.URL+path, query, "n5"), query.Encode(), 401},
		{"query changed after signing", oauthHeader(c, e.srv.URL+path, query, "n6"), strings.Replace(query.Encode(), "count=5", "count=6", 1), 401},
		{"signed for another path", oauthHeader(c, e.srv.URL+"/1.1/statuses/update.json", query, "n7"), query.Encode(), 401},
		{"other method", strings.Replace(oauthHeader(c, e.srv.URL+path, query, "n8"), "HMAC-SHA1", "PLAINTEXT", 1), query.Encode(), 401},
	} {
		status, _, body := e.get(t, path+"?"+tc.query, tc.auth)
		if status != tc.status {
			t.Fatalf("%s: got %d %s, want %d", tc.name, status, body, tc.status)
		}
		if status == http.StatusUnauthorized {
			if code, msg := errorBody(t, body); code != 32 || msg != "Could not authenticate you." {
				t.Fatalf("%s: got %d %q, want 32", tc.name, code, msg)
			}
		}
	}
}
