package restapis_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/restapis"
)

// MustService opens a service on an embedded engine in a temporary directory.
func MustService(tb testing.TB) *restapis.Service {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	s := restapis.NewService(restapis.Config{Engine: e})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// MustDo performs an operation and fails the test on error.
func MustDo(tb testing.TB, s *restapis.Service, op string, params map[string]string, body string) map[string]any {
	tb.Helper()
	out, err := s.Do(context.Background(), &restapis.Request{Op: op, Params: params, Body: []byte(body)})
	if err != nil {
		tb.Fatalf("%s: %v", op, err)
	}
	b, _ := json.Marshal(out)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// FuzzDo sends arbitrary bodies, parameters and queries to every
// operation of an API that exists: each answers or fails with a client
// error, never an internal one or a panic.
func FuzzDo(f *testing.F) {
	s := MustService(f)
	api := MustDo(f, s, "CreateRestApi", nil, `{"name":"fuzz"}`)
	id, root := api["id"].(string), api["rootResourceId"].(string)
	res := MustDo(f, s, "CreateResource", map[string]string{"restapi_id": id, "parent_id": root}, `{"pathPart":"{proxy+}"}`)
	rid := res["id"].(string)
	f.Add(uint8(0), "", `{"name":"x"}`, "", "")
	f.Add(uint8(3), "", `{"patchOperations":[{"op":"add","path":"/binaryMediaTypes/a~1b"}]}`, "", "")
	f.Add(uint8(9), "ANY", `{"authorizationType":"NONE"}`, "", "")
	f.Add(uint8(12), "ANY", `{"type":"AWS_PROXY","httpMethod":"POST","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations","timeoutInMillis":1000}`, "", "")
	f.Add(uint8(21), "", `{"stageName":"Prod","variables":{"a":"b"}}`, "", "")
	f.Add(uint8(28), "", `{"patchOperations":[{"op":"replace","path":"/variables/a","value":"c"}]}`, "Prod", "limit=2&position=x")
	f.Add(uint8(30), "", `{"tags":{"a":"b"}}`, "arn:aws:apigateway:us-east-1::/restapis/"+id, "tagKeys=a")
	f.Fuzz(func(t *testing.T, opIndex uint8, method, body, name, query string) {
		op := restapis.Ops[int(opIndex)%len(restapis.Ops)]
		if op == "DeleteRestApi" || op == "CreateRestApi" {
			return // keep the one API, and the catalog small
		}
		q, _ := url.ParseQuery(query)
		params := map[string]string{
			"restapi_id": id, "resource_id": rid, "parent_id": rid, "http_method": method,
			"status_code": name, "stage_name": name, "deployment_id": name, "resource_arn": name,
		}
		_, err := s.Do(context.Background(), &restapis.Request{Op: op, Params: params, Query: q, Body: []byte(body)})
		if code := eddy.ErrorCode(err); code == eddy.EINTERNAL || code == eddy.EUNAVAIL {
			t.Fatalf("%s %q %q: %v", op, method, body, err)
		}
	})
}
