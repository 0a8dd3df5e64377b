package apievents_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/eddyserverless/eddy/apievents"
)

func TestV2Response(t *testing.T) {
	for _, c := range []struct {
		payload, body, ctype string
		status               int
		bad                  bool
	}{
		{`{"statusCode":201,"headers":{"content-type":"text/plain"},"body":"hi"}`, "hi", "text/plain", 201, false},
		{`{"statusCode":"204"}`, "", "", 204, false},
		{`{"statusCode":200,"body":"AAEC","isBase64Encoded":true}`, "\x00\x01\x02", "", 200, false},
		{`"hello"`, "hello", "application/json", 200, false},
		{`42`, "42", "application/json", 200, false},
		{`{"message":"x"}`, `{"message":"x"}`, "application/json", 200, false},
		{`null`, "null", "application/json", 200, false},
		{`{"headers":5}`, `{"headers":5}`, "application/json", 200, false},
		{`{"statusCode":200,"headers":5}`, "", "", 0, true},
		{`{"statusCode":"abc"}`, "", "", 0, true},
		{`{"statusCode":99}`, "", "", 0, true},
		{`{"statusCode":200,"body":"!!","isBase64Encoded":true}`, "", "", 0, true},
		{`not json`, "", "", 0, true},
		{``, "", "", 0, true},
	} {
		res, err := apievents.V2Response([]byte(c.payload))
		if c.bad {
			if err == nil {
				t.Errorf("%s: got %+v, want an error", c.payload, res)
			}
			continue
		}
		if err != nil || res.Status != c.status || string(res.Body) != c.body || res.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: got %+v, %v; want %d %q %q", c.payload, res, err, c.status, c.body, c.ctype)
		}
	}
	res, err := apievents.V2Response([]byte(`{"statusCode":200,"cookies":["a=1","b=2"],"multiValueHeaders":{"x-m":["1","2"]},"headers":{"x-n":3}}`))
	if err != nil || len(res.Header.Values("Set-Cookie")) != 2 || len(res.Header.Values("X-M")) != 2 || res.Header.Get("X-N") != "3" {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestNewV2Request(t *testing.T) {
	r := httptest.NewRequest("POST", "http://abc.execute-api.localhost:4566/p/x?a=1&a=2", strings.NewReader("body"))
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Add("X-Two", "1")
	r.Header.Add("X-Two", "2")
	r.Header.Set("Cookie", "a=1; b=2")
	ev := apievents.NewV2Request(r, []byte("body"), apievents.Source{AccountID: "1", APIID: "abc", RouteKey: "POST /p/{x}",
		Stage: "$default", Path: "/p/x", PathParameters: map[string]string{"x": "x"}, RequestID: "rid", Time: time.Unix(0, 0)})
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var got events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Headers["x-two"] != "1,2" || len(got.Cookies) != 2 || got.QueryStringParameters["a"] != "1,2" || !got.IsBase64Encoded ||
		got.Body != "Ym9keQ==" || got.RequestContext.DomainPrefix != "abc" || got.RequestContext.Time != "01/Jan/1970:00:00:00 +0000" ||
		got.PathParameters["x"] != "x" {
		t.Fatalf("got %s", data)
	}
}

func FuzzV2Response(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x"}`, `"s"`, `1`, `{"statusCode":"abc"}`, `{"statusCode":200,"isBase64Encoded":true,"body":"AA=="}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		res, err := apievents.V2Response(payload)
		if err == nil && (res.Status < 100 || res.Status > 599) {
			t.Fatalf("status %d", res.Status)
		}
	})
}
