package resources_test

import (
	"context"
	"testing"

	"github.com/eddyserverless/eddy/httpapis"
)

func TestHTTPAPI(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	fnArn := "arn:aws:lambda:us-east-1:" + account + ":function:" + fn

	api := req("AWS::ApiGatewayV2::Api", "Api", map[string]any{"Name": "web", "ProtocolType": "HTTP"})
	ares := v.create(t, api)
	id := ares.PhysicalID
	match(t, "ApiEndpoint", `http://`+id+`\.execute-api\.localhost:4566`, ares.Attributes["ApiEndpoint"])
	if _, err := v.update(t, api, ares, map[string]any{"Name": "web2", "ProtocolType": "HTTP"}); err != nil {
		t.Fatal(err)
	}
	if a, err := v.httpapis.GetAPI(ctx, id); err != nil || a.Name != "web2" {
		t.Errorf("api after update %+v, %v", a, err)
	}
	api.Properties = map[string]any{"Name": "web2", "ProtocolType": "HTTP"}

	integ := req("AWS::ApiGatewayV2::Integration", "Integ", map[string]any{"ApiId": id, "IntegrationType": "AWS_PROXY",
		"IntegrationUri": fnArn, "PayloadFormatVersion": "2.0"})
	ires := v.create(t, integ)
	match(t, "IntegrationId", `[a-z0-9]+`, ires.Attributes["IntegrationId"])
	route := req("AWS::ApiGatewayV2::Route", "Route", map[string]any{"ApiId": id, "RouteKey": "GET /items", "Target": "integrations/" + ires.PhysicalID})
	rres := v.create(t, route)
	rprops := map[string]any{"ApiId": id, "RouteKey": "POST /items", "Target": "integrations/" + ires.PhysicalID}
	if _, err := v.update(t, route, rres, rprops); err != nil {
		t.Fatal(err)
	}
	got, err := v.httpapis.Get(ctx, id, httpapis.KindRoutes, rres.PhysicalID)
	if err != nil || got.(*httpapis.Route).RouteKey != "POST /items" {
		t.Errorf("route after update %+v, %v", got, err)
	}
	route.Properties = rprops
	stage := req("AWS::ApiGatewayV2::Stage", "Stage", map[string]any{"ApiId": id, "StageName": "$default", "AutoDeploy": true})
	sres := v.create(t, stage)
	if sres.PhysicalID != "$default" {
		t.Errorf("stage Ref %s", sres.PhysicalID)
	}
	_, err = v.update(t, stage, sres, map[string]any{"ApiId": id, "StageName": "prod"})
	wantReplace(t, err)

	v.deleteTwice(t, stage, sres)
	v.deleteTwice(t, route, rres)
	v.deleteTwice(t, integ, ires)
	v.deleteTwice(t, api, ares)
	if _, err := v.httpapis.GetAPI(ctx, id); err == nil {
		t.Error("api exists after delete")
	}
}
