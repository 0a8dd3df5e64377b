package awsapi_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/awsapi"
)

func TestAPIGatewayRoutes(t *testing.T) {
	cases := []struct {
		method, path, op string
		params           map[string]string
	}{
		{"POST", "/restapis", "CreateRestApi", map[string]string{}},
		{"GET", "/restapis/abc", "GetRestApi", map[string]string{"restapi_id": "abc"}},
		{"POST", "/restapis/abc/resources/r1", "CreateResource", map[string]string{"restapi_id": "abc", "parent_id": "r1"}},
		{"GET", "/restapis/abc/resources/r1", "GetResource", map[string]string{"restapi_id": "abc", "resource_id": "r1"}},
		{"PUT", "/restapis/abc/resources/r1/methods/ANY/integration", "PutIntegration", map[string]string{"restapi_id": "abc", "resource_id": "r1", "http_method": "ANY"}},
		{"PUT", "/restapis/abc/resources/r1/methods/GET/integration/responses/200", "PutIntegrationResponse",
			map[string]string{"restapi_id": "abc", "resource_id": "r1", "http_method": "GET", "status_code": "200"}},
		{"PATCH", "/restapis/abc/stages/Prod", "UpdateStage", map[string]string{"restapi_id": "abc", "stage_name": "Prod"}},
		{"GET", "/tags/" + url.PathEscape("arn:aws:apigateway:us-east-1::/restapis/abc"), "GetTags", map[string]string{"resource_arn": "arn:aws:apigateway:us-east-1::/restapis/abc"}},
	}
	for _, c := range cases {
		op, params, _ := awsapi.MatchAPIGatewayRoute(c.method, c.path)
		if op != c.op || !reflect.DeepEqual(params, c.params) {
			t.Errorf("%s %s: got %s %v, want %s %v", c.method, c.path, op, params, c.op, c.params)
		}
	}
	if op, _, known := awsapi.MatchAPIGatewayRoute("POST", "/restapis/abc"); op != "" || !known {
		t.Errorf("POST /restapis/abc: got %q known %v, want no operation of a known path", op, known)
	}
	if op, _, known := awsapi.MatchAPIGatewayRoute("GET", "/restapis/abc/nothing"); op != "" || known {
		t.Errorf("GET /restapis/abc/nothing: got %q known %v, want an unknown path", op, known)
	}
}

func FuzzAPIGatewayRoutes(f *testing.F) {
	f.Add("GET", "/restapis/abc/resources/r1/methods/GET")
	f.Add("PUT", "/tags/arn%3Aaws%3Aapigateway%3A%3A%2Frestapis%2Fx")
	f.Add("DELETE", "/restapis//stages/%zz")
	f.Fuzz(func(t *testing.T, method, path string) {
		op, params, known := awsapi.MatchAPIGatewayRoute(method, path)
		if op == "" {
			return
		}
		if !known {
			t.Fatalf("%s %s: operation %s on an unknown path", method, path, op)
		}
		for k, v := range params {
			if v == "" {
				t.Fatalf("%s %s: empty %s", method, path, k)
			}
		}
		if strings.Count(strings.TrimPrefix(path, "/"), "/") < len(params) {
			t.Fatalf("%s %s: %d members from too few segments", method, path, len(params))
		}
	})
}
