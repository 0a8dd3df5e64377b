package awsapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/eddyserverless/eddy/awsapi"
)

func TestParseAuthorization(t *testing.T) {
	lambda := awsapi.Credential{AccessKey: "AKID", Date: "20261122", Region: "us-east-1", Service: "lambda"}
	tests := []struct {
		what   string
		header string
		want   awsapi.Credential
		ok     bool
	}{
		{"aws-sdk-go-v2",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;host;x-amz-date, Signature=4f1c4f0c5bb7d1b0e3c8d0b9b0a1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9",
			lambda, true},
		{"boto3",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc",
			lambda, true},
		{"aws cli, logs",
			"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/eu-west-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc",
			awsapi.Credential{AccessKey: "AKIAIOSFODNN7EXAMPLE", Date: "20261122", Region: "eu-west-1", Service: "logs"}, true},
		{"no spaces after commas",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request,SignedHeaders=host;x-amz-date,Signature=abc",
			lambda, true},
		{"credential not first",
			"AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc, Credential=AKID/20261122/us-east-1/lambda/aws4_request",
			lambda, true},
		{"surrounding space",
			"  AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=abc  ",
			lambda, true},
		{"extra space after algorithm",
			"AWS4-HMAC-SHA256   Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=abc",
			lambda, true},
		{"session credentials (ASIA key)",
			"AWS4-HMAC-SHA256 Credential=ASIAXXXXXXXXXXXXXXXX/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=abc",
			awsapi.Credential{AccessKey: "ASIAXXXXXXXXXXXXXXXX", Date: "20261122", Region: "us-east-1", Service: "lambda"}, true},
		// SigV4a scopes have no region: the request names its regions in
		// X-Amz-Region-Set.
		{"SigV4a",
			"AWS4-ECDSA-P256-SHA256 Credential=AKID/20261122/lambda/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=abc",
			awsapi.Credential{AccessKey: "AKID", Date: "20261122", Service: "lambda"}, true},
		{"SigV4a with a SigV4 scope",
			"AWS4-ECDSA-P256-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, Signature=abc",
			lambda, true},
		{"SigV4 with a SigV4a scope",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/lambda/aws4_request, Signature=abc",
			awsapi.Credential{}, false},

		{"SigV2", "AWS AKID:c2lnbmF0dXJl", awsapi.Credential{}, false},
		{"bearer", "Bearer abc.def.ghi", awsapi.Credential{}, false},
		{"empty", "", awsapi.Credential{}, false},
		{"algorithm only", "AWS4-HMAC-SHA256", awsapi.Credential{}, false},
		{"algorithm and space", "AWS4-HMAC-SHA256 ", awsapi.Credential{}, false},
		{"lower-case algorithm", "aws4-hmac-sha256 Credential=AKID/20261122/us-east-1/lambda/aws4_request", awsapi.Credential{}, false},
		{"no credential", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc", awsapi.Credential{}, false},
		{"empty credential", "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=abc", awsapi.Credential{}, false},
		{"lower-case credential key", "AWS4-HMAC-SHA256 credential=AKID/20261122/us-east-1/lambda/aws4_request", awsapi.Credential{}, false},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/aws4_request, SignedHeaders=host, Signature=abc", awsapi.Credential{}, false},
		{"long scope", "AWS4-HMAC-SHA256 Credential=AKID/x/20261122/us-east-1/lambda/aws4_request, Signature=abc", awsapi.Credential{}, false},
		{"wrong terminator", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws5_request, Signature=abc", awsapi.Credential{}, false},
		{"no access key", "AWS4-HMAC-SHA256 Credential=/20261122/us-east-1/lambda/aws4_request, Signature=abc", awsapi.Credential{}, false},
		{"no service", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1//aws4_request, Signature=abc", awsapi.Credential{}, false},
		{"escaped slash", "AWS4-HMAC-SHA256 Credential=AKID%2Fx/20261122/us-east-1/lambda/aws4_request, Signature=abc", awsapi.Credential{}, false},
		{"garbage", "\x00\xff garbage ,,,=,= ", awsapi.Credential{}, false},
	}
	for _, tt := range tests {
		got, ok := awsapi.ParseAuthorization(tt.header)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: ParseAuthorization(%q): got %+v, %v, want %+v, %v", tt.what, tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseCredential(t *testing.T) {
	tests := []struct {
		what   string
		target string
		header string
		want   awsapi.Credential
		ok     bool
	}{
		{"header",
			"/2015-03-31/functions",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
			awsapi.Credential{AccessKey: "AKID", Date: "20261122", Region: "us-east-1", Service: "lambda"}, true},
		{"presigned",
			"/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc",
			"",
			awsapi.Credential{AccessKey: "AKID", Date: "20261122", Region: "eu-west-1", Service: "s3"}, true},
		{"presigned, slashes unescaped",
			"/bucket/key?X-Amz-Credential=AKID/20261122/eu-west-1/s3/aws4_request&X-Amz-Signature=abc",
			"",
			awsapi.Credential{AccessKey: "AKID", Date: "20261122", Region: "eu-west-1", Service: "s3"}, true},
		{"header wins over query",
			"/x?X-Amz-Credential=OTHER%2F20261122%2Feu-west-1%2Fs3%2Faws4_request",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=abc",
			awsapi.Credential{AccessKey: "AKID", Date: "20261122", Region: "us-east-1", Service: "lambda"}, true},
		{"SigV2 header", "/2015-03-31/functions", "AWS AKID:c2ln", awsapi.Credential{}, false},
		{"unsigned", "/2015-03-31/functions", "", awsapi.Credential{}, false},
		{"presigned SigV4a",
			"/b/k?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKID%2F20261122%2Fs3%2Faws4_request&X-Amz-Region-Set=%2A",
			"",
			awsapi.Credential{AccessKey: "AKID", Date: "20261122", Service: "s3"}, true},
		{"presigned, bad scope", "/b/k?X-Amz-Credential=AKID%2F20261122%2Feu-west-1", "", awsapi.Credential{}, false},
		{"presigned, empty", "/b/k?X-Amz-Credential=", "", awsapi.Credential{}, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, tt.target, nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		got, ok := awsapi.ParseCredential(r)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: ParseCredential: got %+v, %v, want %+v, %v", tt.what, got, ok, tt.want, tt.ok)
		}
	}

	// A request with no URL at all must not panic.
	if got, ok := awsapi.ParseCredential(&http.Request{Header: http.Header{}}); ok {
		t.Errorf("ParseCredential(no URL): got %+v, true, want false", got)
	}
}

// TestParseCredentialSigner checks requests signed and presigned by
// aws-sdk-go-v2's own SigV4 signer.
func TestParseCredentialSigner(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}
	when := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const payloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // of ""
	tests := []struct {
		service, region string
	}{
		{"lambda", "us-east-1"},
		{"logs", "eu-west-1"},
		{"s3", "us-gov-west-1"},
	}
	signer := v4.NewSigner()
	for _, tt := range tests {
		want := awsapi.Credential{AccessKey: creds.AccessKeyID, Date: "20261122", Region: tt.region, Service: tt.service}

		r := httptest.NewRequest(http.MethodPost, "http://localhost:9000/2015-03-31/functions/f/invocations", nil)
		if err := signer.SignHTTP(context.Background(), creds, r, payloadHash, tt.service, tt.region, when); err != nil {
			t.Fatalf("SignHTTP: %v", err)
		}
		if got, ok := awsapi.ParseCredential(r); !ok || got != want {
			t.Errorf("ParseCredential(signed %s): got %+v, %v, want %+v, true (Authorization: %s)", tt.service, got, ok, want, r.Header.Get("Authorization"))
		}

		r = httptest.NewRequest(http.MethodGet, "http://localhost:9000/bucket/key", nil)
		u, _, err := signer.PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", tt.service, tt.region, when)
		if err != nil {
			t.Fatalf("PresignHTTP: %v", err)
		}
		r = httptest.NewRequest(http.MethodGet, u, nil)
		if got, ok := awsapi.ParseCredential(r); !ok || got != want {
			t.Errorf("ParseCredential(presigned %s): got %+v, %v, want %+v, true (URL: %s)", tt.service, got, ok, want, u)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request,SignedHeaders=host;x-amz-date,Signature=abc",
		"AWS4-HMAC-SHA256 Credential=AKID%2F20261122%2Feu-west-1%2Fs3%2Faws4_request",
		"AWS4-ECDSA-P256-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request",
		"AWS4-HMAC-SHA256 Credential=a%2Fb/20261122/us-east-1/lambda/aws4_request",
		"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/%2F/aws4_request",
		"AWS AKID:sig",
		"AWS4-HMAC-SHA256",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		c, ok := awsapi.ParseAuthorization(h)
		if !ok {
			if c != (awsapi.Credential{}) {
				t.Fatalf("ParseAuthorization(%q): got %+v with ok=false, want the zero Credential", h, c)
			}
			return
		}
		if c.AccessKey == "" || strings.Contains(c.AccessKey, "/") {
			t.Fatalf("ParseAuthorization(%q): got AccessKey %q, want non-empty without /", h, c.AccessKey)
		}
		if c.Service == "" || strings.Contains(c.Service, "/") {
			t.Fatalf("ParseAuthorization(%q): got Service %q, want non-empty without /", h, c.Service)
		}
		if strings.Contains(c.Region, "/") || strings.Contains(c.Date, "/") {
			t.Fatalf("ParseAuthorization(%q): got Region %q Date %q, want neither to contain /", h, c.Region, c.Date)
		}
	})
}
