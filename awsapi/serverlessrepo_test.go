package awsapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/awsapi"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/serverlessrepo"
)

func TestServerlessRepoEdge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: t.TempDir()})
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	svc := serverlessrepo.NewService(serverlessrepo.Config{Engine: e, Account: "123456789012", Region: "us-east-1"})
	if err := svc.Open(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&awsapi.Handler{Repo: svc, Region: "us-east-1"})
	t.Cleanup(srv.Close)
	do := func(method, path, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/serverlessrepo/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		return resp.StatusCode, resp.Header, m
	}
	tmpl := `{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}`
	body, _ := json.Marshal(map[string]string{"name": "edge", "author": "me", "description": "d", "semanticVersion": "1.0.0", "templateBody": tmpl})
	status, _, out := do("POST", "/applications", string(body))
	if status != 201 || out["applicationId"] != "arn:aws:serverlessrepo:us-east-1:123456789012:applications/edge" {
		t.Fatalf("create: %d %v", status, out)
	}
	id := url.PathEscape(out["applicationId"].(string))
	id = strings.ReplaceAll(id, ":", "%3A")
	if status, _, out = do("GET", "/applications/"+id+"?semanticVersion=1.0.0", ""); status != 200 || out["version"].(map[string]any)["semanticVersion"] != "1.0.0" {
		t.Fatalf("get: %d %v", status, out)
	}
	status, hdr, out := do("POST", "/applications", "{not json")
	if status != 400 || hdr.Get("X-Amzn-ErrorType") != "BadRequestException" || out["errorCode"] != "BadRequestException" {
		t.Errorf("bad json: %d %v %v", status, hdr, out)
	}
	status, hdr, out = do("PUT", "/applications/"+id+"/versions/1.0.0", `{"templateBody":`+mustJSON(t, tmpl)+`}`)
	if status != 409 || hdr.Get("X-Amzn-ErrorType") != "ConflictException" {
		t.Errorf("duplicate version: %d %v", status, out)
	}
	status, hdr, _ = do("GET", "/applications/nothing", "")
	if status != 404 || hdr.Get("X-Amzn-ErrorType") != "NotFoundException" {
		t.Errorf("unknown application: %d %v", status, hdr)
	}
	if status, _, out = do("GET", "/applications", ""); status != 200 || len(out["applications"].([]any)) != 1 {
		t.Errorf("list: %d %v", status, out)
	}
	if status, _, _ = do("GET", "/_eddy/serverlessrepo/versions/edge/1.0.0", ""); status != 200 {
		t.Errorf("version template: %d", status)
	}
	if status, _, _ = do("DELETE", "/applications/"+id, ""); status != 204 {
		t.Errorf("delete: %d", status)
	}
}
