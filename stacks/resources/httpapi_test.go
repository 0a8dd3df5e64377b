package resources_test

import (
	"context"
	"slices"
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

// TestHTTPAPIBody imports an OpenAPI Body as SAM writes it for HttpApi
// events: a route and integration per operation, the title as the name;
// an update of the Body replaces the routes.
func TestHTTPAPIBody(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:" + account + ":function:" + fn + "/invocations"
	op := func() map[string]any {
		return map[string]any{"x-amazon-apigateway-integration": map[string]any{
			"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "2.0", "uri": uri}, "responses": map[string]any{}}
	}
	body := func(paths map[string]any) map[string]any {
		return map[string]any{"Body": map[string]any{"openapi": "3.0.1", "info": map[string]any{"version": "1.0", "title": "app"},
			"paths": paths, "tags": []any{map[string]any{"name": "httpapi:createdBy", "x-amazon-apigateway-tag-value": "SAM"}}}}
	}
	routeKeys := func(id string) []string {
		t.Helper()
		list, err := v.httpapis.List(ctx, id, httpapis.KindRoutes)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range list {
			keys = append(keys, r.(*httpapis.Route).RouteKey)
		}
		slices.Sort(keys)
		return keys
	}
	api := req("AWS::ApiGatewayV2::Api", "Api", body(map[string]any{
		"/items": map[string]any{"get": op(), "x-amazon-apigateway-any-method": op()},
	}))
	res := v.create(t, api)
	if a, err := v.httpapis.GetAPI(ctx, res.PhysicalID); err != nil || a.Name != "app" || a.ProtocolType != "HTTP" || a.Tags["httpapi:createdBy"] != "SAM" {
		t.Fatalf("api %+v, %v", a, err)
	}
	if got := routeKeys(res.PhysicalID); !slices.Equal(got, []string{"ANY /items", "GET /items"}) {
		t.Fatalf("routes %v", got)
	}
	props := body(map[string]any{"$default": map[string]any{"x-amazon-apigateway-any-method": op()}})
	if _, err := v.update(t, api, res, props); err != nil {
		t.Fatal(err)
	}
	if got := routeKeys(res.PhysicalID); !slices.Equal(got, []string{"$default"}) {
		t.Fatalf("routes after update %v", got)
	}
	if ig, err := v.httpapis.List(ctx, res.PhysicalID, httpapis.KindIntegrations); err != nil || len(ig) != 1 {
		t.Fatalf("integrations after update %v, %v", ig, err)
	}
	api.Properties = props
	v.deleteTwice(t, api, res)
}

// TestHTTPAPIBodyCors reads the CORS of a Body's extension, as SAM writes
// a CorsConfiguration.
func TestHTTPAPIBodyCors(t *testing.T) {
	v := newEnv(t)
	api := req("AWS::ApiGatewayV2::Api", "Api", map[string]any{"Body": map[string]any{"openapi": "3.0.1",
		"info": map[string]any{"title": "app"}, "paths": map[string]any{},
		"x-amazon-apigateway-cors": map[string]any{"allowOrigins": []any{"https://a.example"}, "maxAge": 60}}})
	res := v.create(t, api)
	a, err := v.httpapis.GetAPI(context.Background(), res.PhysicalID)
	if err != nil || a.CorsConfiguration == nil || !slices.Equal(a.CorsConfiguration.AllowOrigins, []string{"https://a.example"}) {
		t.Fatalf("api %+v, %v", a, err)
	}
	v.deleteTwice(t, api, res)
}

// TestHTTPAPIBodyUpdate imports an OpenAPI Body with several methods and
// an any-method path, then a changed one that replaces its routes.
func TestHTTPAPIBodyUpdate(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:" + account + ":function:" + fn + "/invocations"
	op := map[string]any{"x-amazon-apigateway-integration": map[string]any{"httpMethod": "POST", "type": "aws_proxy", "uri": uri, "payloadFormatVersion": "2.0"}, "responses": map[string]any{}}
	body := func(paths map[string]any) map[string]any {
		return map[string]any{"Body": map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": "app", "version": "1.0"}, "paths": paths}}
	}
	routeKeys := func(id string) []string {
		parts, err := v.httpapis.List(ctx, id, httpapis.KindRoutes)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, p := range parts {
			keys = append(keys, p.(*httpapis.Route).RouteKey)
		}
		slices.Sort(keys)
		return keys
	}
	api := req("AWS::ApiGatewayV2::Api", "ServerlessHttpApi", body(map[string]any{
		"/items": map[string]any{"get": op, "post": op}, "/{proxy+}": map[string]any{"x-amazon-apigateway-any-method": op},
	}))
	res := v.create(t, api)
	if got := routeKeys(res.PhysicalID); !slices.Equal(got, []string{"ANY /{proxy+}", "GET /items", "POST /items"}) {
		t.Fatalf("routes: %v", got)
	}
	if a, err := v.httpapis.GetAPI(ctx, res.PhysicalID); err != nil || a.Name != "app" {
		t.Fatalf("api: %+v %v", a, err)
	}
	if _, err := v.update(t, api, res, body(map[string]any{"/other": map[string]any{"get": op}})); err != nil {
		t.Fatal(err)
	}
	if got := routeKeys(res.PhysicalID); !slices.Equal(got, []string{"GET /other"}) {
		t.Fatalf("routes after the update: %v", got)
	}
	integrations, err := v.httpapis.List(ctx, res.PhysicalID, httpapis.KindIntegrations)
	if err != nil || len(integrations) != 1 {
		t.Fatalf("integrations after the update: %d %v", len(integrations), err)
	}
}
