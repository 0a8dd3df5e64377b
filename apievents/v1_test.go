package apievents_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/eddyserverless/eddy/apievents"
)

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// lambdaEventsTestdata finds aws-lambda-go's events/testdata in the module cache.
func lambdaEventsTestdata(t *testing.T, name string) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Skipf("go list aws-lambda-go: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "events/testdata", name))
	if len(matches) == 0 {
		t.Skipf("aws-lambda-go testdata %s not in the module cache", name)
	}
	b, err := os.ReadFile(matches[len(matches)-1])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestV1EventShape(t *testing.T) {
	r := httptest.NewRequest("POST", "http://gy415nuibc.execute-api.localhost:4566/testStage/hello/world?name=me&x=1&x=2&sp=a%20b", strings.NewReader(""))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "PostmanRuntime/2.4.5")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.RemoteAddr = "192.168.196.186:5555"
	at := time.Date(2020, 5, 15, 6, 1, 9, 693e6, time.UTC)
	e := apievents.NewV1Event(r, []byte("{\r\n\t\"a\": 1\r\n}"), apievents.V1Route{
		Resource:       "/{proxy+}",
		Path:           "/hello/world",
		ResourceID:     "roq9wj",
		PathParameters: map[string]string{"proxy": "hello/world"},
		StageVariables: map[string]string{"stageVariableName": "stageVariableValue"},
		AccountID:      "000000000000",
		APIID:          "gy415nuibc",
		Stage:          "testStage",
		RequestID:      "deef4878-7910-11e6-8f14-25afc3e9ae33",
		Time:           at,
	})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}

	// Every key of aws-lambda-go's sample is in the event, top level and requestContext.
	var sample, got map[string]any
	if err := json.Unmarshal(lambdaEventsTestdata(t, "apigw-request.json"), &sample); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys(sample) {
		if _, ok := got[k]; !ok && k != "isBase64Encoded" {
			t.Errorf("event lacks %q; got keys %v", k, keys(got))
		}
	}
	if _, ok := got["isBase64Encoded"]; !ok {
		t.Errorf("event lacks isBase64Encoded")
	}
	if _, ok := got["version"]; ok {
		t.Errorf("REST event has version")
	}
	sctx, gctx := sample["requestContext"].(map[string]any), got["requestContext"].(map[string]any)
	for _, k := range keys(sctx) {
		if k == "authorizer" || k == "operationName" {
			continue
		}
		if _, ok := gctx[k]; !ok {
			t.Errorf("requestContext lacks %q", k)
		}
	}
	for _, k := range keys(sctx["identity"].(map[string]any)) {
		if k == "clientCert" || k == "apiKey" || k == "apiKeyId" {
			continue
		}
		if _, ok := gctx["identity"].(map[string]any)[k]; !ok {
			t.Errorf("identity lacks %q", k)
		}
	}

	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"resource", ev.Resource, "/{proxy+}"},
		{"path", ev.Path, "/hello/world"},
		{"httpMethod", ev.HTTPMethod, "POST"},
		{"headers.Content-Type", ev.Headers["Content-Type"], "application/json"},
		{"headers.X-Multi", ev.Headers["X-Multi"], "b"},
		{"headers.Host", ev.Headers["Host"], "gy415nuibc.execute-api.localhost:4566"},
		{"multiValueHeaders.X-Multi", ev.MultiValueHeaders["X-Multi"], []string{"a", "b"}},
		{"queryStringParameters", ev.QueryStringParameters, map[string]string{"name": "me", "x": "2", "sp": "a b"}},
		{"multiValueQueryStringParameters.x", ev.MultiValueQueryStringParameters["x"], []string{"1", "2"}},
		{"pathParameters", ev.PathParameters, map[string]string{"proxy": "hello/world"}},
		{"stageVariables", ev.StageVariables, map[string]string{"stageVariableName": "stageVariableValue"}},
		{"body", ev.Body, "{\r\n\t\"a\": 1\r\n}"},
		{"isBase64Encoded", ev.IsBase64Encoded, false},
		{"requestContext.path", ev.RequestContext.Path, "/testStage/hello/world"},
		{"requestContext.resourcePath", ev.RequestContext.ResourcePath, "/{proxy+}"},
		{"requestContext.resourceId", ev.RequestContext.ResourceID, "roq9wj"},
		{"requestContext.stage", ev.RequestContext.Stage, "testStage"},
		{"requestContext.apiId", ev.RequestContext.APIID, "gy415nuibc"},
		{"requestContext.accountId", ev.RequestContext.AccountID, "000000000000"},
		{"requestContext.httpMethod", ev.RequestContext.HTTPMethod, "POST"},
		{"requestContext.requestId", ev.RequestContext.RequestID, "deef4878-7910-11e6-8f14-25afc3e9ae33"},
		{"requestContext.protocol", ev.RequestContext.Protocol, "HTTP/1.1"},
		{"requestContext.requestTime", ev.RequestContext.RequestTime, "15/May/2020:06:01:09 +0000"},
		{"requestContext.requestTimeEpoch", ev.RequestContext.RequestTimeEpoch, int64(1589522469693)},
		{"requestContext.domainName", ev.RequestContext.DomainName, "gy415nuibc.execute-api.localhost:4566"},
		{"requestContext.domainPrefix", ev.RequestContext.DomainPrefix, "gy415nuibc"},
		{"identity.sourceIp", ev.RequestContext.Identity.SourceIP, "192.168.196.186"},
		{"identity.userAgent", ev.RequestContext.Identity.UserAgent, "PostmanRuntime/2.4.5"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if ev.RequestContext.ExtendedRequestID == "" {
		t.Errorf("extendedRequestId is empty")
	}
}

func TestV1EventNulls(t *testing.T) {
	r := httptest.NewRequest("GET", "http://localhost/_api/abc/Prod/", nil)
	e := apievents.NewV1Event(r, nil, apievents.V1Route{Resource: "/", Path: "/", Stage: "Prod", RequestID: "r"})
	b, _ := json.Marshal(e)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s: got %v (present %v), want null", k, v, ok)
		}
	}
	if m["isBase64Encoded"] != false {
		t.Errorf("isBase64Encoded: got %v, want false", m["isBase64Encoded"])
	}
	if got := m["requestContext"].(map[string]any)["path"]; got != "/Prod/" {
		t.Errorf("requestContext.path: got %v, want /Prod/", got)
	}
}

func TestV1EventHTTPAPIAndBinary(t *testing.T) {
	r := httptest.NewRequest("PUT", "http://abc.execute-api.localhost/my/path", nil)
	e := apievents.NewV1Event(r, []byte{0, 1, 2, 255}, apievents.V1Route{HTTPAPI: true, Resource: "/my/path", Path: "/my/path", ResourceID: "PUT /my/path", Stage: "$default", Base64: true})
	b, _ := json.Marshal(e)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m["version"] != "1.0" {
		t.Errorf("version: got %v, want 1.0", m["version"])
	}
	if m["body"] != "AAEC/w==" || m["isBase64Encoded"] != true {
		t.Errorf("body: got %v %v, want AAEC/w== true", m["body"], m["isBase64Encoded"])
	}
	rc := m["requestContext"].(map[string]any)
	if rc["path"] != "/my/path" || rc["resourceId"] != "PUT /my/path" {
		t.Errorf("requestContext: got path %v resourceId %v", rc["path"], rc["resourceId"])
	}
}

func TestMatchesMediaType(t *testing.T) {
	cases := []struct {
		ct    string
		types []string
		want  bool
	}{
		{"image/png", []string{"image/png"}, true},
		{"image/png; q=1", []string{"image/*"}, true},
		{"application/octet-stream", []string{"*/*"}, true},
		{"application/json", []string{"image/*", "application/octet-stream"}, false},
		{"", []string{"*/*"}, false},
		{"Image/PNG", []string{"image/png"}, true},
	}
	for _, c := range cases {
		if got := apievents.MatchesMediaType(c.ct, c.types); got != c.want {
			t.Errorf("MatchesMediaType(%q, %v): got %v, want %v", c.ct, c.types, got, c.want)
		}
	}
}

func TestParseV1Response(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		status  int
		header  http.Header
		body    string
		bad     bool
	}{
		{"plain", `{"statusCode":201,"body":"hi"}`, 201, http.Header{"Content-Type": {"application/json"}}, "hi", false},
		{"headers merged", `{"statusCode":200,"headers":{"X-A":"1","X-B":"h"},"multiValueHeaders":{"X-B":["m1","m2"]},"body":""}`, 200,
			http.Header{"X-A": {"1"}, "X-B": {"m1", "m2"}, "Content-Type": {"application/json"}}, "", false},
		{"content type kept", `{"statusCode":200,"headers":{"content-type":"text/plain"}}`, 200, http.Header{"Content-Type": {"text/plain"}}, "", false},
		{"base64", `{"statusCode":200,"body":"AAEC","isBase64Encoded":true}`, 200, nil, "\x00\x01\x02", false},
		{"string status", `{"statusCode":"404"}`, 404, nil, "", false},
		{"numeric header", `{"statusCode":200,"headers":{"X-N":5}}`, 200, http.Header{"X-N": {"5"}, "Content-Type": {"application/json"}}, "", false},
		{"no status", `{"body":"x"}`, 0, nil, "", true},
		{"not object", `"hello"`, 0, nil, "", true},
		{"null", `null`, 0, nil, "", true},
		{"array", `[1]`, 0, nil, "", true},
		{"extra field", `{"statusCode":200,"cookies":["a=b"]}`, 0, nil, "", true},
		{"body object", `{"statusCode":200,"body":{"a":1}}`, 0, nil, "", true},
		{"bad base64", `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, 0, nil, "", true},
		{"status range", `{"statusCode":99}`, 0, nil, "", true},
		{"informational status", `{"statusCode":101}`, 0, nil, "", true},
		{"status too high", `{"statusCode":600}`, 0, nil, "", true},
		{"fractional status", `{"statusCode":200.5}`, 0, nil, "", true},
		{"header newline", `{"statusCode":200,"headers":{"X-A":"a\nb"}}`, 0, nil, "", true},
		{"trailing", `{"statusCode":200} {}`, 0, nil, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := apievents.ParseV1Response([]byte(c.payload))
			if c.bad {
				if !errors.Is(err, apievents.ErrMalformedResponse) {
					t.Fatalf("got %v, %v; want ErrMalformedResponse", resp, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.status || string(resp.Body) != c.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Body, c.status, c.body)
			}
			if c.header != nil && !reflect.DeepEqual(resp.Header, c.header) {
				t.Errorf("header: got %v, want %v", resp.Header, c.header)
			}
		})
	}
}

func FuzzParseV1Response(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x"}`, `{"statusCode":"200","headers":{"a":"b"},"multiValueHeaders":{"a":["c"]},"isBase64Encoded":true,"body":"AAAA"}`, `null`, `{}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := apievents.ParseV1Response(b)
		if err != nil {
			if !errors.Is(err, apievents.ErrMalformedResponse) {
				t.Fatalf("error not ErrMalformedResponse: %v", err)
			}
			return
		}
		if resp.StatusCode < 200 || resp.StatusCode > 599 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		w := httptest.NewRecorder()
		apievents.WriteV1Response(w, resp)
		if w.Code != resp.StatusCode {
			t.Fatalf("wrote %d, want %d", w.Code, resp.StatusCode)
		}
	})
}

func FuzzV1Query(f *testing.F) {
	for _, s := range []string{"a=1&a=2", "x", "%zz=1&&b=%20", "=&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		single, multi := apievents.V1Query(raw)
		if len(single) != len(multi) {
			t.Fatalf("single %d keys, multi %d", len(single), len(multi))
		}
		for k, v := range single {
			vs := multi[k]
			if len(vs) == 0 || vs[len(vs)-1] != v {
				t.Fatalf("key %q: single %q, multi %q", k, v, vs)
			}
		}
	})
}
