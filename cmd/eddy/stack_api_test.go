package main

import "testing"

func TestEddyURL(t *testing.T) {
	const e = "http://127.0.0.1:4566"
	for value, want := range map[string]string{
		"https://abc123.execute-api.us-east-1.amazonaws.com/Prod/": e + "/_api/abc123/Prod/",
		"https://abc123.execute-api.eu-west-1.amazonaws.com":       e + "/_api/abc123/",
		"https://xyz.lambda-url.us-east-1.on.aws/":                 e + "/_url/xyz/",
		"https://abc123.execute-api.us-east-1.amazonaws.com/a?b=c": e + "/_api/abc123/a?b=c",
		"arn:aws:lambda:us-east-1:000000000000:function:f":         "",
		"https://example.com/":                                     "",
	} {
		if got := eddyURL(e, value); got != want {
			t.Errorf("eddyURL(%q) = %q, want %q", value, got, want)
		}
	}
}
