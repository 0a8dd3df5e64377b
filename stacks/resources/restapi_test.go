package resources_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/eddyserverless/eddy/restapis"
)

// restDo calls the REST API control plane and returns the answer as JSON
// members.
func (v *env) restDo(t *testing.T, op string, params map[string]string) (map[string]any, error) {
	t.Helper()
	out, err := v.restapis.Do(context.Background(), &restapis.Request{Op: op, Params: params, Query: url.Values{}})
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(out)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m, nil
}

func TestRestAPI(t *testing.T) {
	v := newEnv(t)
	fn := v.newFunction(t, "Fn")
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:" + account + ":function:" + fn + "/invocations"

	api := req("AWS::ApiGateway::RestApi", "Api", map[string]any{"Name": "shop", "Description": "d"})
	ares := v.create(t, api)
	id := ares.PhysicalID
	match(t, "Ref", `[a-z0-9]{10}`, id)
	match(t, "RootResourceId", `[a-z0-9]+`, ares.Attributes["RootResourceId"])

	res := req("AWS::ApiGateway::Resource", "Items", map[string]any{"RestApiId": id, "ParentId": ares.Attributes["RootResourceId"], "PathPart": "items"})
	rres := v.create(t, res)
	if rres.Attributes["ResourceId"] != rres.PhysicalID {
		t.Errorf("ResourceId %v", rres.Attributes)
	}
	method := req("AWS::ApiGateway::Method", "Get", map[string]any{"RestApiId": id, "ResourceId": rres.PhysicalID, "HttpMethod": "GET",
		"AuthorizationType": "NONE", "Integration": map[string]any{"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri}})
	mres := v.create(t, method)
	params := map[string]string{"restapi_id": id, "resource_id": rres.PhysicalID, "http_method": "GET"}
	if in, err := v.restDo(t, "GetIntegration", params); err != nil || in["uri"] != uri {
		t.Fatalf("integration %v, %v", in, err)
	}
	mprops := map[string]any{"RestApiId": id, "ResourceId": rres.PhysicalID, "HttpMethod": "GET", "AuthorizationType": "AWS_IAM",
		"Integration": map[string]any{"Type": "MOCK"}}
	if _, err := v.update(t, method, mres, mprops); err != nil {
		t.Fatal(err)
	}
	if m, err := v.restDo(t, "GetMethod", params); err != nil || m["authorizationType"] != "AWS_IAM" {
		t.Errorf("method after update %v, %v", m, err)
	}
	method.Properties = mprops

	dep := req("AWS::ApiGateway::Deployment", "Dep", map[string]any{"RestApiId": id})
	dres := v.create(t, dep)
	if dres.Attributes["DeploymentId"] != dres.PhysicalID {
		t.Errorf("DeploymentId %v", dres.Attributes)
	}
	_, err := v.update(t, dep, dres, map[string]any{"RestApiId": id, "Description": "again"})
	wantReplace(t, err)
	stage := req("AWS::ApiGateway::Stage", "Prod", map[string]any{"RestApiId": id, "StageName": "prod", "DeploymentId": dres.PhysicalID, "Variables": map[string]any{"a": "1"}})
	sres := v.create(t, stage)
	if sres.PhysicalID != "prod" {
		t.Errorf("stage Ref %s", sres.PhysicalID)
	}
	if _, err := v.update(t, stage, sres, map[string]any{"RestApiId": id, "StageName": "prod", "DeploymentId": dres.PhysicalID, "Description": "live"}); err != nil {
		t.Fatal(err)
	}
	if st, err := v.restDo(t, "GetStage", map[string]string{"restapi_id": id, "stage_name": "prod"}); err != nil || st["description"] != "live" || st["variables"] != nil {
		t.Errorf("stage after update %v, %v", st, err)
	}

	_, err = v.update(t, res, rres, map[string]any{"RestApiId": id, "ParentId": ares.Attributes["RootResourceId"], "PathPart": "things"})
	wantReplace(t, err)
	if _, err := v.update(t, api, ares, map[string]any{"Name": "shop2"}); err != nil {
		t.Fatal(err)
	}
	if a, err := v.restDo(t, "GetRestApi", map[string]string{"restapi_id": id}); err != nil || a["name"] != "shop2" {
		t.Errorf("api after update %v, %v", a, err)
	}

	v.deleteTwice(t, stage, sres)
	v.deleteTwice(t, dep, dres)
	v.deleteTwice(t, method, mres)
	v.deleteTwice(t, res, rres)
	v.deleteTwice(t, api, ares)
	if _, err := v.restDo(t, "GetRestApi", map[string]string{"restapi_id": id}); err == nil {
		t.Error("api exists after delete")
	}
}

func TestRestAPIBody(t *testing.T) {
	v := newEnv(t)
	body := map[string]any{
		"openapi": "3.0.1", "info": map[string]any{"title": "sam-api", "version": "1.0"},
		"paths": map[string]any{"/hello": map[string]any{"get": map[string]any{
			"x-amazon-apigateway-integration": map[string]any{"type": "mock"},
		}}},
	}
	api := req("AWS::ApiGateway::RestApi", "Api", map[string]any{"Body": body})
	ares := v.create(t, api)
	out, err := v.restapis.Do(context.Background(), &restapis.Request{Op: "GetResources", Params: map[string]string{"restapi_id": ares.PhysicalID}, Query: url.Values{}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	var got struct{ Item []struct{ Path string } }
	_ = json.Unmarshal(b, &got)
	paths := map[string]bool{}
	for _, it := range got.Item {
		paths[it.Path] = true
	}
	if !paths["/"] || !paths["/hello"] {
		t.Errorf("imported resources %v", paths)
	}
	if a, _ := v.restDo(t, "GetRestApi", map[string]string{"restapi_id": ares.PhysicalID}); a["name"] != "sam-api" {
		t.Errorf("api %v", a)
	}
	v.deleteTwice(t, api, ares)
}
