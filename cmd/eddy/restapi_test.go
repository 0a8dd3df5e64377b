package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// MustAPIGateway returns an API Gateway client of the server.
func MustAPIGateway(tb testing.TB, m *Main) *apigateway.Client {
	tb.Helper()
	return apigateway.NewFromConfig(awsConfig(m.URL()), func(o *apigateway.Options) {
		o.RetryMaxAttempts = 1
	})
}

// MustRestFunctionZip builds testdata/restfn for Linux and returns it zipped as
// "bootstrap".
func MustRestFunctionZip(tb testing.TB) []byte {
	tb.Helper()
	return MustTestdataZip(tb, "restfn")
}

// MustRestFunction creates a function from testdata/restfn and returns its ARN.
func MustRestFunction(tb testing.TB, c *lambda.Client, name string) string {
	tb.Helper()
	out := MustCreate(tb, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: MustRestFunctionZip(tb)}, Timeout: aws.Int32(10),
	})
	return aws.ToString(out.FunctionArn)
}

func lambdaIntegrationURI(fnARN string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations"
}

// samAPI is a REST API built as SAM builds one for a function's Api events.
type samAPI struct {
	ID, RootID, ProxyID string
}

// MustProxyMethod puts an ANY (or method) method with a Lambda proxy
// integration on a resource.
func MustProxyMethod(tb testing.TB, ag *apigateway.Client, apiID, resID, method, fnARN string, timeoutMillis int32) {
	tb.Helper()
	ctx := context.Background()
	if _, err := ag.PutMethod(ctx, &apigateway.PutMethodInput{
		RestApiId: aws.String(apiID), ResourceId: aws.String(resID), HttpMethod: aws.String(method), AuthorizationType: aws.String("NONE"),
	}); err != nil {
		tb.Fatalf("put method %s: %v", method, err)
	}
	in := &apigateway.PutIntegrationInput{
		RestApiId: aws.String(apiID), ResourceId: aws.String(resID), HttpMethod: aws.String(method),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaIntegrationURI(fnARN)),
	}
	if timeoutMillis > 0 {
		in.TimeoutInMillis = aws.Int32(timeoutMillis)
	}
	if _, err := ag.PutIntegration(ctx, in); err != nil {
		tb.Fatalf("put integration %s: %v", method, err)
	}
}

// MustSAMRestAPI creates an API with ANY on "/" and on "/{proxy+}", both
// invoking fnARN, deployed to stage "Prod" with variables.
func MustSAMRestAPI(tb testing.TB, ag *apigateway.Client, fnARN string, binary []string, variables map[string]string) samAPI {
	tb.Helper()
	ctx := context.Background()
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{
		Name: aws.String("sam-app"), BinaryMediaTypes: binary,
		EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}},
	})
	if err != nil {
		tb.Fatalf("create rest api: %v", err)
	}
	a := samAPI{ID: aws.ToString(api.Id), RootID: aws.ToString(api.RootResourceId)}
	proxy, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})
	if err != nil {
		tb.Fatalf("create resource: %v", err)
	}
	a.ProxyID = aws.ToString(proxy.Id)
	MustProxyMethod(tb, ag, a.ID, a.RootID, "ANY", fnARN, 0)
	MustProxyMethod(tb, ag, a.ID, a.ProxyID, "ANY", fnARN, 0)
	if _, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("Prod"), Variables: variables}); err != nil {
		tb.Fatalf("create deployment: %v", err)
	}
	return a
}

func wantTypedError[E error](t *testing.T, what string, err error) {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Errorf("%s: got %v, want %T", what, err, e)
	}
}

func TestRestAPIControlPlane(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ag := MustAPIGateway(t, m)
	ctx := context.Background()
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:nothing"

	// CreateRestApi, GetRestApi
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{
		Name: aws.String("one"), Description: aws.String("first"), BinaryMediaTypes: []string{"image/png"},
		EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}},
		Tags:                  map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.Id)
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(id) {
		t.Errorf("id: got %q, want 10 lowercase alphanumerics", id)
	}
	if api.RootResourceId == nil || aws.ToString(api.Name) != "one" || aws.ToString(api.Description) != "first" || api.CreatedDate == nil {
		t.Errorf("created: got %+v", api)
	}
	got, err := ag.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.BinaryMediaTypes, []string{"image/png"}) || got.EndpointConfiguration == nil ||
		!reflect.DeepEqual(got.EndpointConfiguration.Types, []agtypes.EndpointType{agtypes.EndpointTypeRegional}) || got.Tags["k"] != "v" {
		t.Errorf("get rest api: got %+v", got)
	}
	_, err = ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("")})
	wantTypedError[*agtypes.BadRequestException](t, "create without a name", err)
	_, err = ag.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String("abcdefghij")})
	wantTypedError[*agtypes.NotFoundException](t, "get unknown api", err)

	// GetRestApis pages
	for _, n := range []string{"two", "three"} {
		if _, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	p1, err := ag.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Items) != 2 || p1.Position == nil {
		t.Fatalf("page 1: got %d items, position %v; want 2 and a position", len(p1.Items), p1.Position)
	}
	p2, err := ag.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(2), Position: p1.Position})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Items) != 1 || p2.Position != nil {
		t.Errorf("page 2: got %d items, position %v; want 1 and none", len(p2.Items), p2.Position)
	}
	names := map[string]bool{}
	for _, a := range append(p1.Items, p2.Items...) {
		names[aws.ToString(a.Name)] = true
	}
	if len(names) != 3 {
		t.Errorf("names over pages: got %v, want one, two, three", names)
	}

	// UpdateRestApi
	up, err := ag.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/name"), Value: aws.String("renamed")},
		{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("changed")},
		{Op: agtypes.OpAdd, Path: aws.String("/binaryMediaTypes/application~1octet-stream")},
		{Op: agtypes.OpRemove, Path: aws.String("/binaryMediaTypes/image~1png")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.Name) != "renamed" || aws.ToString(up.Description) != "changed" || !reflect.DeepEqual(up.BinaryMediaTypes, []string{"application/octet-stream"}) {
		t.Errorf("update: got name %q description %q types %v", aws.ToString(up.Name), aws.ToString(up.Description), up.BinaryMediaTypes)
	}
	_, err = ag.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/nonsense"), Value: aws.String("x")}}})
	wantTypedError[*agtypes.BadRequestException](t, "update unknown path", err)

	// Resources
	root := api.RootResourceId
	items, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("items")})
	if err != nil {
		t.Fatal(err)
	}
	item, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: items.Id, PathPart: aws.String("{id}")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(item.Path) != "/items/{id}" || aws.ToString(item.ParentId) != aws.ToString(items.Id) {
		t.Errorf("item resource: got path %q parent %q", aws.ToString(item.Path), aws.ToString(item.ParentId))
	}
	proxy, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("{proxy+}")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("items")})
	wantTypedError[*agtypes.ConflictException](t, "duplicate resource", err)
	_, err = ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("bad path")})
	wantTypedError[*agtypes.BadRequestException](t, "bad path part", err)
	_, err = ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("{other}")})
	wantTypedError[*agtypes.BadRequestException](t, "second variable sibling", err)
	_, err = ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: proxy.Id, PathPart: aws.String("below")})
	wantTypedError[*agtypes.BadRequestException](t, "child of a greedy resource", err)
	_, err = ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: aws.String("nosuch"), PathPart: aws.String("x")})
	wantTypedError[*agtypes.NotFoundException](t, "unknown parent", err)

	// Methods and integrations
	_, err = ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("Prod")})
	wantTypedError[*agtypes.BadRequestException](t, "deployment without methods", err)
	if _, err := ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("AWS_IAM")}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	wantTypedError[*agtypes.ConflictException](t, "duplicate method", err)
	_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("FETCH"), AuthorizationType: aws.String("NONE")})
	wantTypedError[*agtypes.BadRequestException](t, "unknown http method", err)
	_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: aws.String("nosuch"), HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	wantTypedError[*agtypes.NotFoundException](t, "method of unknown resource", err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaIntegrationURI(fnARN)), TimeoutInMillis: aws.Int32(10)})
	wantTypedError[*agtypes.BadRequestException](t, "timeout below 50 ms", err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("https://example.com")})
	wantTypedError[*agtypes.BadRequestException](t, "proxy integration to no function", err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("POST"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaIntegrationURI(fnARN))})
	wantTypedError[*agtypes.NotFoundException](t, "integration of unknown method", err)
	_, err = ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("Prod")})
	wantTypedError[*agtypes.BadRequestException](t, "deployment of a method without integration", err)
	MustProxyMethod(t, ag, id, aws.ToString(proxy.Id), "ANY", fnARN, 0)
	integ, err := ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaIntegrationURI(fnARN)), TimeoutInMillis: aws.Int32(5000)})
	if err != nil {
		t.Fatal(err)
	}
	if integ.Type != agtypes.IntegrationTypeAwsProxy || integ.TimeoutInMillis != 5000 || aws.ToString(integ.HttpMethod) != "POST" {
		t.Errorf("integration: got %+v", integ)
	}
	gi, err := ag.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY")})
	if err != nil {
		t.Fatal(err)
	}
	if gi.TimeoutInMillis != 29000 || aws.ToString(gi.Uri) != lambdaIntegrationURI(fnARN) {
		t.Errorf("default integration: got timeout %d uri %q", gi.TimeoutInMillis, aws.ToString(gi.Uri))
	}
	if _, err := ag.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ag.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	gm, err := ag.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gm.AuthorizationType) != "AWS_IAM" || gm.MethodResponses["200"].StatusCode == nil || gm.MethodIntegration == nil ||
		gm.MethodIntegration.IntegrationResponses["200"].StatusCode == nil {
		t.Errorf("get method: got %+v", gm)
	}
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]agtypes.Resource{}
	for _, r := range res.Items {
		paths[aws.ToString(r.Path)] = r
	}
	if len(paths) != 4 || paths["/items/{id}"].ResourceMethods["GET"].MethodIntegration == nil || paths["/"].Id == nil {
		t.Errorf("get resources: got %v", paths)
	}
	gr, err := ag.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: api.Id, ResourceId: proxy.Id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gr.PathPart) != "{proxy+}" || len(gr.ResourceMethods) != 1 {
		t.Errorf("get resource: got %+v", gr)
	}

	// Deployments and stages
	dep, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("Prod"), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	gd, err := ag.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: api.Id, DeploymentId: dep.Id})
	if err != nil || aws.ToString(gd.Description) != "first" {
		t.Errorf("get deployment: got %+v, %v", gd, err)
	}
	_, err = ag.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: api.Id, DeploymentId: aws.String("nosuch")})
	wantTypedError[*agtypes.NotFoundException](t, "unknown deployment", err)
	st, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("Prod")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(st.DeploymentId) != aws.ToString(dep.Id) {
		t.Errorf("stage Prod: got deployment %q, want %q", aws.ToString(st.DeploymentId), aws.ToString(dep.Id))
	}
	if _, err := ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("beta"), DeploymentId: dep.Id,
		Variables: map[string]string{"a": "1"}}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("beta"), DeploymentId: dep.Id})
	wantTypedError[*agtypes.ConflictException](t, "duplicate stage", err)
	_, err = ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("gamma"), DeploymentId: aws.String("nosuch")})
	wantTypedError[*agtypes.NotFoundException](t, "stage of unknown deployment", err)
	us, err := ag.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("beta"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/variables/b"), Value: aws.String("2")},
		{Op: agtypes.OpRemove, Path: aws.String("/variables/a")},
		{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("beta stage")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(us.Variables, map[string]string{"b": "2"}) || aws.ToString(us.Description) != "beta stage" {
		t.Errorf("update stage: got variables %v description %q", us.Variables, aws.ToString(us.Description))
	}
	sts, err := ag.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: api.Id})
	if err != nil || len(sts.Item) != 2 {
		t.Errorf("get stages: got %+v, %v; want 2", sts, err)
	}
	deps, err := ag.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: api.Id})
	if err != nil || len(deps.Items) != 1 {
		t.Errorf("get deployments: got %+v, %v; want 1", deps, err)
	}
	_, err = ag.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: api.Id, DeploymentId: dep.Id})
	wantTypedError[*agtypes.BadRequestException](t, "delete a deployment in use", err)
	if _, err := ag.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: api.Id, StageName: aws.String("beta")}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("beta")})
	wantTypedError[*agtypes.NotFoundException](t, "deleted stage", err)

	// Tags
	arn := "arn:aws:apigateway:us-east-1::/restapis/" + id
	if _, err := ag.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "x"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := ag.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"k": "v", "team": "x"}) {
		t.Errorf("get tags: got %v, %v", tags, err)
	}

	// Updates of resources, methods and integrations
	ui, err := ag.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/timeoutInMillis"), Value: aws.String("1000")}}})
	if err != nil || ui.TimeoutInMillis != 1000 {
		t.Errorf("update integration: got %+v, %v", ui, err)
	}
	_, err = ag.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/timeoutInMillis"), Value: aws.String("30000")}}})
	wantTypedError[*agtypes.BadRequestException](t, "update integration timeout over 29 s", err)
	um, err := ag.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/authorizationType"), Value: aws.String("NONE")}}})
	if err != nil || aws.ToString(um.AuthorizationType) != "NONE" {
		t.Errorf("update method: got %+v, %v", um, err)
	}
	if _, err := ag.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: items.Id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/pathPart"), Value: aws.String("things")}}}); err != nil {
		t.Fatal(err)
	}
	if r, err := ag.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: api.Id, ResourceId: item.Id}); err != nil || aws.ToString(r.Path) != "/things/{id}" {
		t.Errorf("child of a renamed resource: got %+v, %v; want /things/{id}", r, err)
	}

	// Deletions
	if _, err := ag.DeleteIntegration(ctx, &apigateway.DeleteIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET")}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET")})
	wantTypedError[*agtypes.NotFoundException](t, "deleted integration", err)
	if _, err := ag.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET")}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET")})
	wantTypedError[*agtypes.NotFoundException](t, "deleted method", err)
	if _, err := ag.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: api.Id, ResourceId: items.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: api.Id, ResourceId: item.Id})
	wantTypedError[*agtypes.NotFoundException](t, "child of a deleted resource", err)
	if _, err := ag.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: api.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = ag.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id})
	wantTypedError[*agtypes.NotFoundException](t, "deleted api", err)
	_, err = ag.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: api.Id})
	wantTypedError[*agtypes.NotFoundException](t, "delete a deleted api", err)
}

// apiCall is one HTTP request to a REST API.
type apiCall struct {
	method, path, host string
	header             http.Header
	body               []byte
}

type apiAnswer struct {
	status int
	header http.Header
	body   []byte
}

func doAPI(t *testing.T, m *Main, c apiCall) apiAnswer {
	t.Helper()
	req, err := http.NewRequest(c.method, m.URL()+c.path, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.host != "" {
		req.Host = c.host
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apiAnswer{resp.StatusCode, resp.Header, b}
}

// eventOf decodes the event restfn echoed.
func eventOf(t *testing.T, a apiAnswer) events.APIGatewayProxyRequest {
	t.Helper()
	if a.status != 200 {
		t.Fatalf("got %d %s, want 200", a.status, a.body)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(a.body, &ev); err != nil {
		t.Fatalf("event: %v\n%s", err, a.body)
	}
	return ev
}

func wantAnswer(t *testing.T, what string, a apiAnswer, status int, body string) {
	t.Helper()
	if a.status != status || string(a.body) != body {
		t.Errorf("%s: got %d %s, want %d %s", what, a.status, a.body, status, body)
	}
}

func TestRestAPIInvoke(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ag := MustAPIGateway(t, m)
	lc := MustLambda(t, m)
	ctx := context.Background()
	fnARN := MustRestFunction(t, lc, "restfn")
	api := MustSAMRestAPI(t, ag, fnARN, []string{"image/png"}, map[string]string{"env": "test"})
	port := m.URL()[strings.LastIndex(m.URL(), ":")+1:]
	host := api.ID + ".execute-api.localhost:" + port

	// The path form, to the {proxy+} resource.
	a := doAPI(t, m, apiCall{method: "GET", path: "/_api/" + api.ID + "/Prod/hello/world?name=me&multi=1&multi=2",
		header: http.Header{"X-Req": {"a", "b"}}})
	ev := eventOf(t, a)
	checks := []struct {
		name      string
		got, want any
	}{
		{"resource", ev.Resource, "/{proxy+}"},
		{"path", ev.Path, "/hello/world"},
		{"httpMethod", ev.HTTPMethod, "GET"},
		{"pathParameters", ev.PathParameters, map[string]string{"proxy": "hello/world"}},
		{"stageVariables", ev.StageVariables, map[string]string{"env": "test"}},
		{"queryStringParameters", ev.QueryStringParameters, map[string]string{"name": "me", "multi": "2"}},
		{"multiValueQueryStringParameters", ev.MultiValueQueryStringParameters, map[string][]string{"name": {"me"}, "multi": {"1", "2"}}},
		{"headers.X-Req", ev.Headers["X-Req"], "b"},
		{"multiValueHeaders.X-Req", ev.MultiValueHeaders["X-Req"], []string{"a", "b"}},
		{"body", ev.Body, ""},
		{"requestContext.path", ev.RequestContext.Path, "/Prod/hello/world"},
		{"requestContext.resourcePath", ev.RequestContext.ResourcePath, "/{proxy+}"},
		{"requestContext.resourceId", ev.RequestContext.ResourceID, api.ProxyID},
		{"requestContext.stage", ev.RequestContext.Stage, "Prod"},
		{"requestContext.apiId", ev.RequestContext.APIID, api.ID},
		{"requestContext.accountId", ev.RequestContext.AccountID, "000000000000"},
		{"requestContext.httpMethod", ev.RequestContext.HTTPMethod, "GET"},
		{"requestContext.protocol", ev.RequestContext.Protocol, "HTTP/1.1"},
		{"requestContext.requestId", ev.RequestContext.RequestID, a.header.Get("X-Amzn-Requestid")},
		{"requestContext.extendedRequestId", ev.RequestContext.ExtendedRequestID, a.header.Get("X-Amz-Apigw-Id")},
		{"identity.sourceIp", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
		{"identity.userAgent", ev.RequestContext.Identity.UserAgent, "Go-http-client/1.1"},
		{"headers.X-Forwarded-Proto", ev.Headers["X-Forwarded-Proto"], "http"},
		{"headers.X-Forwarded-For", ev.Headers["X-Forwarded-For"], "127.0.0.1"},
		{"headers.X-Forwarded-Port", ev.Headers["X-Forwarded-Port"], port},
		{"response X-Fn", a.header.Get("X-Fn"), "restfn"},
		{"response X-Multi", a.header.Values("X-Multi"), []string{"one", "two"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if ev.RequestContext.RequestID == "" || ev.RequestContext.RequestTimeEpoch == 0 || ev.RequestContext.RequestTime == "" {
		t.Errorf("request id and time: got %+v", ev.RequestContext)
	}

	// The host form, to the root resource, with a text body.
	ev = eventOf(t, doAPI(t, m, apiCall{method: "POST", path: "/Prod/", host: host, body: []byte("hello"),
		header: http.Header{"Content-Type": {"text/plain"}}}))
	if ev.Resource != "/" || ev.Path != "/" || ev.PathParameters != nil || ev.Body != "hello" || ev.IsBase64Encoded ||
		ev.RequestContext.Path != "/Prod/" || ev.RequestContext.DomainName != host || ev.RequestContext.DomainPrefix != api.ID || ev.HTTPMethod != "POST" {
		t.Errorf("root event: got resource %q path %q params %v body %q base64 %v context path %q domain %q/%q",
			ev.Resource, ev.Path, ev.PathParameters, ev.Body, ev.IsBase64Encoded, ev.RequestContext.Path, ev.RequestContext.DomainName, ev.RequestContext.DomainPrefix)
	}
	ev = eventOf(t, doAPI(t, m, apiCall{method: "GET", path: "/Prod", host: host}))
	if ev.Resource != "/" || ev.Path != "/" {
		t.Errorf("stage without slash: got resource %q path %q", ev.Resource, ev.Path)
	}

	// A binary media type arrives base64-encoded.
	ev = eventOf(t, doAPI(t, m, apiCall{method: "PUT", path: "/Prod/img", host: host, body: []byte{0, 1, 2, 255},
		header: http.Header{"Content-Type": {"image/png"}}}))
	if ev.Body != "AAEC/w==" || !ev.IsBase64Encoded {
		t.Errorf("binary body: got %q base64 %v, want AAEC/w== true", ev.Body, ev.IsBase64Encoded)
	}

	// Binary media types take effect with a deployment, as the rest of the API does.
	if _, err := ag.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: aws.String(api.ID), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpAdd, Path: aws.String("/binaryMediaTypes/application~1octet-stream")}}}); err != nil {
		t.Fatal(err)
	}
	octets := apiCall{method: "PUT", path: "/Prod/bin", host: host, body: []byte{0, 1, 2, 255}, header: http.Header{"Content-Type": {"application/octet-stream"}}}
	if ev := eventOf(t, doAPI(t, m, octets)); ev.IsBase64Encoded {
		t.Errorf("binary media type before its deployment: got base64 body %q", ev.Body)
	}
	if _, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(api.ID), StageName: aws.String("Prod")}); err != nil {
		t.Fatal(err)
	}
	if ev := eventOf(t, doAPI(t, m, octets)); !ev.IsBase64Encoded || ev.Body != "AAEC/w==" {
		t.Errorf("binary media type after its deployment: got %q base64 %v", ev.Body, ev.IsBase64Encoded)
	}

	// Responses the function chooses.
	raw := func(resp string) apiAnswer {
		return doAPI(t, m, apiCall{method: "GET", path: "/Prod/x?mode=raw", host: host, header: http.Header{"X-Respond": {resp}}})
	}
	a = raw(`{"statusCode":201,"headers":{"X-A":"1","X-B":"h"},"multiValueHeaders":{"X-B":["x","y"]},"body":"AAEC","isBase64Encoded":true}`)
	if a.status != 201 || !bytes.Equal(a.body, []byte{0, 1, 2}) || a.header.Get("X-A") != "1" ||
		!reflect.DeepEqual(a.header.Values("X-B"), []string{"x", "y"}) || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("chosen response: got %d %q %v", a.status, a.body, a.header)
	}
	a = raw(`{"statusCode":404,"headers":{"Content-Type":"text/plain"},"body":"nope"}`)
	if a.status != 404 || string(a.body) != "nope" || a.header.Get("Content-Type") != "text/plain" {
		t.Errorf("404 response: got %d %q %v", a.status, a.body, a.header)
	}
	a = raw(`{"statusCode":204,"headers":{"X-A":"1"},"body":"dropped"}`)
	if a.status != 204 || len(a.body) != 0 || a.header.Get("X-A") != "1" {
		t.Errorf("204 response: got %d %q %v", a.status, a.body, a.header)
	}
	const internal = `{"message": "Internal server error"}`
	wantAnswer(t, "not a response object", raw(`"just a string"`), 502, internal)
	wantAnswer(t, "a response without statusCode", raw(`{"body":"x"}`), 502, internal)
	wantAnswer(t, "a function error", doAPI(t, m, apiCall{method: "GET", path: "/Prod/x?mode=error", host: host}), 502, internal)

	// Nothing to match: 403, as REST APIs answer.
	const missing = `{"message":"Missing Authentication Token"}`
	wantAnswer(t, "unknown stage", doAPI(t, m, apiCall{method: "GET", path: "/_api/" + api.ID + "/Nope/x"}), 403, missing)
	wantAnswer(t, "no stage", doAPI(t, m, apiCall{method: "GET", path: "/", host: host}), 403, missing)
	if a := doAPI(t, m, apiCall{method: "GET", path: "/_api/abcdefghij/Prod/x"}); a.status == 403 || a.status == 200 {
		t.Errorf("unknown api: got %d %s, want the edge's answer for no API", a.status, a.body)
	}

	// Too large a body.
	wantAnswer(t, "body over 10 MB", doAPI(t, m, apiCall{method: "POST", path: "/Prod/big", host: host, body: make([]byte, 10<<20+1)}), 413, `{"message":"Request Too Long"}`)

	// A stage serves its deployment: a resource added later is served only
	// once deployed.
	slow, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(api.ID), ParentId: aws.String(api.RootID), PathPart: aws.String("slow")})
	if err != nil {
		t.Fatal(err)
	}
	MustProxyMethod(t, ag, api.ID, aws.ToString(slow.Id), "GET", fnARN, 1000)
	items, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(api.ID), ParentId: aws.String(api.RootID), PathPart: aws.String("items")})
	if err != nil {
		t.Fatal(err)
	}
	item, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(api.ID), ParentId: items.Id, PathPart: aws.String("{id}")})
	if err != nil {
		t.Fatal(err)
	}
	MustProxyMethod(t, ag, api.ID, aws.ToString(item.Id), "GET", fnARN, 0)
	// On /pick, GET invokes restfn and ANY a function that does not exist.
	pick, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(api.ID), ParentId: aws.String(api.RootID), PathPart: aws.String("pick")})
	if err != nil {
		t.Fatal(err)
	}
	MustProxyMethod(t, ag, api.ID, aws.ToString(pick.Id), "GET", fnARN, 0)
	MustProxyMethod(t, ag, api.ID, aws.ToString(pick.Id), "ANY", "arn:aws:lambda:us-east-1:000000000000:function:nosuch", 0)
	if ev := eventOf(t, doAPI(t, m, apiCall{method: "GET", path: "/Prod/slow", host: host})); ev.Resource != "/{proxy+}" {
		t.Errorf("before deployment: got resource %q, want /{proxy+}", ev.Resource)
	}
	if _, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(api.ID), StageName: aws.String("Prod")}); err != nil {
		t.Fatal(err)
	}
	if ev := eventOf(t, doAPI(t, m, apiCall{method: "GET", path: "/Prod/slow", host: host})); ev.Resource != "/slow" || ev.PathParameters != nil {
		t.Errorf("after deployment: got resource %q params %v, want /slow and none", ev.Resource, ev.PathParameters)
	}
	ev = eventOf(t, doAPI(t, m, apiCall{method: "GET", path: "/Prod/items/42", host: host}))
	if ev.Resource != "/items/{id}" || !reflect.DeepEqual(ev.PathParameters, map[string]string{"id": "42"}) {
		t.Errorf("variable resource: got %q %v", ev.Resource, ev.PathParameters)
	}
	// A method before ANY.
	if ev := eventOf(t, doAPI(t, m, apiCall{method: "GET", path: "/Prod/pick", host: host})); ev.Resource != "/pick" {
		t.Errorf("GET /pick: got resource %q", ev.Resource)
	}
	wantAnswer(t, "ANY /pick to no function", doAPI(t, m, apiCall{method: "POST", path: "/Prod/pick", host: host}), 500, internal)
	// A matched resource without the method is 403, not a fall-back to {proxy+}.
	wantAnswer(t, "method not on the resource", doAPI(t, m, apiCall{method: "POST", path: "/Prod/items/42", host: host}), 403, missing)
	// The integration's timeout.
	wantAnswer(t, "integration timeout", doAPI(t, m, apiCall{method: "GET", path: "/Prod/slow?mode=sleep", host: host}), 504, `{"message": "Endpoint request timed out"}`)

	// Removing a method does not change the deployed stage.
	if _, err := ag.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: aws.String(api.ID), ResourceId: item.Id, HttpMethod: aws.String("GET")}); err != nil {
		t.Fatal(err)
	}
	eventOf(t, doAPI(t, m, apiCall{method: "GET", path: "/Prod/items/7", host: host}))
	if _, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(api.ID), StageName: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, "method removed in a new stage", doAPI(t, m, apiCall{method: "GET", path: "/_api/" + api.ID + "/v2/items/7"}), 403, missing)

	// Throttled: a function with no concurrency.
	if _, err := lc.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("restfn"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, "throttled", doAPI(t, m, apiCall{method: "GET", path: "/Prod/x", host: host}), 429, `{"message":"Too Many Requests"}`)

	// An API whose execute-api endpoint is disabled.
	if _, err := ag.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: aws.String(api.ID), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/disableExecuteApiEndpoint"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, "endpoint disabled", doAPI(t, m, apiCall{method: "GET", path: "/Prod/x", host: host}), 403, `{"message":"Forbidden"}`)
}

// TestRestAPITwoNodes builds an API on one node and serves it on another
// at once; a deployment made on the second reaches the first.
func TestRestAPITwoNodes(t *testing.T) {
	t.Parallel()
	url := MustNATS(t)
	a := MustStartMain(t, Config{NATSURL: url})
	b := MustStartMain(t, Config{NATSURL: url})
	agA, agB := MustAPIGateway(t, a), MustAPIGateway(t, b)
	ctx := context.Background()
	fnARN := MustRestFunction(t, MustLambda(t, a), "restfn")
	api := MustSAMRestAPI(t, agA, fnARN, nil, nil)

	if _, err := agB.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(api.ID)}); err != nil {
		t.Fatalf("read on the other node: %v", err)
	}
	if ev := eventOf(t, doAPI(t, b, apiCall{method: "GET", path: "/_api/" + api.ID + "/Prod/x"})); ev.Resource != "/{proxy+}" {
		t.Errorf("served on the other node: got resource %q", ev.Resource)
	}

	res, err := agB.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(api.ID), ParentId: aws.String(api.RootID), PathPart: aws.String("new")})
	if err != nil {
		t.Fatal(err)
	}
	MustProxyMethod(t, agB, api.ID, aws.ToString(res.Id), "GET", fnARN, 0)
	if _, err := agB.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(api.ID), StageName: aws.String("Prod")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ev := eventOf(t, doAPI(t, a, apiCall{method: "GET", path: "/_api/" + api.ID + "/Prod/new"}))
		if ev.Resource == "/new" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first node still serves the old deployment: resource %q", ev.Resource)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRestAPIPersists restarts the server on the same data directory.
func TestRestAPIPersists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir})
	api, err := MustAPIGateway(t, m).CreateRestApi(context.Background(), &apigateway.CreateRestApiInput{Name: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	m2 := MustStartMain(t, Config{DataDir: dir})
	got, err := MustAPIGateway(t, m2).GetRestApi(context.Background(), &apigateway.GetRestApiInput{RestApiId: api.Id})
	if err != nil || aws.ToString(got.Name) != "durable" {
		t.Fatalf("after restart: got %+v, %v", got, err)
	}
}

// TestRestAPIBadInput sends what no client should: each is a 4xx with
// API Gateway's error type.
func TestRestAPIBadInput(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	api, err := MustAPIGateway(t, m).CreateRestApi(context.Background(), &apigateway.CreateRestApiInput{Name: aws.String("bad")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.Id)
	cases := []struct {
		method, path, body string
		status             int
		typ                string
	}{
		{"POST", "/restapis", `{"name":`, 400, "BadRequestException"},
		{"POST", "/restapis", `{"name":5}`, 400, "BadRequestException"},
		{"POST", "/restapis", `[]`, 400, "BadRequestException"},
		{"PATCH", "/restapis/" + id, `{"patchOperations":[{"op":"explode","path":"/name"}]}`, 400, "BadRequestException"},
		{"POST", "/restapis/" + id + "/resources/" + aws.ToString(api.RootResourceId), `{"pathPart":"{a}{b}"}`, 400, "BadRequestException"},
		{"GET", "/restapis/" + id + "/resources?limit=0", ``, 400, "BadRequestException"},
		{"GET", "/restapis/" + id + "/resources?position=nowhere", ``, 400, "BadRequestException"},
		{"GET", "/restapis/%25zz", ``, 404, "NotFoundException"},
		{"GET", "/restapis/" + id + "/nothing", ``, 404, "NotFoundException"},
		{"POST", "/restapis/" + id, ``, 400, "BadRequestException"},
		{"PUT", "/restapis/" + id, ``, 400, "BadRequestException"},
		{"PUT", "/restapis/" + id, `{"swagger":"2.0","paths":{"/a b":{}}}`, 400, "BadRequestException"},
		{"POST", "/restapis?mode=import", `openapi: 3.0.1`, 400, "BadRequestException"},
		{"POST", "/restapis/" + id + "/stages", `{"stageName":"bad name","deploymentId":"x"}`, 400, "BadRequestException"},
		{"GET", "/restapis/" + id + "/stages/nope", ``, 404, "NotFoundException"},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, m.URL()+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var msg struct{ Message *string }
		if resp.StatusCode != c.status || resp.Header.Get("X-Amzn-ErrorType") != c.typ || json.Unmarshal(b, &msg) != nil || msg.Message == nil {
			t.Errorf("%s %s %s: got %d %s %s, want %d %s", c.method, c.path, c.body, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b, c.status, c.typ)
		}
	}
}

// TestRestAPIImportOpenAPI imports an API from an OpenAPI definition with
// API Gateway's extensions, as SAM writes one into a RestApi's Body, then
// overwrites it.
func TestRestAPIImportOpenAPI(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ag := MustAPIGateway(t, m)
	ctx := context.Background()
	fnARN := MustRestFunction(t, MustLambda(t, m), "restfn")
	integ := map[string]any{"type": "aws_proxy", "httpMethod": "POST", "uri": lambdaIntegrationURI(fnARN)}
	doc, _ := json.Marshal(map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"title": "sam-app", "version": "1.0"},
		"paths": map[string]any{
			"/hello/{name}": map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": integ, "responses": map[string]any{}}},
			"/{proxy+}":     map[string]any{"x-amazon-apigateway-any-method": map[string]any{"x-amazon-apigateway-integration": integ}},
		},
		"x-amazon-apigateway-binary-media-types": []string{"image/png"},
	})
	api, err := ag.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: doc, Parameters: map[string]string{"endpointConfigurationTypes": "REGIONAL"}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(api.Name) != "sam-app" || !reflect.DeepEqual(api.BinaryMediaTypes, []string{"image/png"}) ||
		api.EndpointConfiguration == nil || !reflect.DeepEqual(api.EndpointConfiguration.Types, []agtypes.EndpointType{agtypes.EndpointTypeRegional}) {
		t.Errorf("imported: got %+v", api)
	}
	resourcePaths := func() map[string][]string {
		res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, r := range res.Items {
			ms := []string{}
			for k, m := range r.ResourceMethods {
				if m.MethodIntegration == nil {
					t.Errorf("%s %s has no integration", aws.ToString(r.Path), k)
				}
				ms = append(ms, k)
			}
			out[aws.ToString(r.Path)] = ms
		}
		return out
	}
	want := map[string][]string{"/": {}, "/hello": {}, "/hello/{name}": {"GET"}, "/{proxy+}": {"ANY"}}
	if got := resourcePaths(); !reflect.DeepEqual(got, want) {
		t.Errorf("imported resources: got %v, want %v", got, want)
	}
	if _, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("Prod")}); err != nil {
		t.Fatal(err)
	}
	path := "/_api/" + aws.ToString(api.Id) + "/Prod/hello/bob"
	ev := eventOf(t, doAPI(t, m, apiCall{method: "GET", path: path}))
	if ev.Resource != "/hello/{name}" || !reflect.DeepEqual(ev.PathParameters, map[string]string{"name": "bob"}) {
		t.Errorf("imported route: got %q %v", ev.Resource, ev.PathParameters)
	}

	doc2, _ := json.Marshal(map[string]any{
		"openapi": "3.0.1", "info": map[string]any{"title": "sam-app"},
		"paths": map[string]any{"/other": map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": integ}}},
	})
	if _, err := ag.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: api.Id, Body: doc2, Mode: agtypes.PutModeOverwrite}); err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{"/": {}, "/other": {"GET"}}
	if got := resourcePaths(); !reflect.DeepEqual(got, want) {
		t.Errorf("overwritten resources: got %v, want %v", got, want)
	}
	if ev := eventOf(t, doAPI(t, m, apiCall{method: "GET", path: path})); ev.Resource != "/hello/{name}" {
		t.Errorf("the stage after an overwrite: got resource %q, want the deployed /hello/{name}", ev.Resource)
	}
}

// TestRestAPIAWSCLI builds and deploys an API with the aws CLI.
func TestRestAPIAWSCLI(t *testing.T) {
	eachAWSCLI(t, func(t *testing.T, awsPath string) {
		m := MustStartMain(t, Config{})
		cli := newAWSCLI(t, awsPath, m.URL())
		var api struct{ ID, RootResourceID string }
		var raw map[string]any
		if err := json.Unmarshal([]byte(cli.Run("apigateway", "create-rest-api", "--name", "cli", "--binary-media-types", "image/png")), &raw); err != nil {
			t.Fatal(err)
		}
		api.ID, _ = raw["id"].(string)
		// the root resource from get-resources: older CLIs do not know rootResourceId
		var resources struct {
			Items []struct{ ID, Path string }
		}
		if err := json.Unmarshal([]byte(cli.Run("apigateway", "get-resources", "--rest-api-id", api.ID)), &resources); err != nil {
			t.Fatal(err)
		}
		if len(resources.Items) != 1 || resources.Items[0].Path != "/" {
			t.Fatalf("get-resources of a new API: got %+v, want /", resources)
		}
		api.RootResourceID = resources.Items[0].ID
		if err := json.Unmarshal([]byte(cli.Run("apigateway", "create-resource", "--rest-api-id", api.ID, "--parent-id", api.RootResourceID, "--path-part", "{proxy+}")), &raw); err != nil {
			t.Fatal(err)
		}
		proxyID, _ := raw["id"].(string)
		cli.Run("apigateway", "put-method", "--rest-api-id", api.ID, "--resource-id", proxyID, "--http-method", "ANY", "--authorization-type", "NONE")
		cli.Run("apigateway", "put-integration", "--rest-api-id", api.ID, "--resource-id", proxyID, "--http-method", "ANY",
			"--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", lambdaIntegrationURI("arn:aws:lambda:us-east-1:000000000000:function:f"))
		cli.Run("apigateway", "create-deployment", "--rest-api-id", api.ID, "--stage-name", "Prod")
		var stages struct {
			Item []struct{ StageName, DeploymentID string }
		}
		if err := json.Unmarshal([]byte(cli.Run("apigateway", "get-stages", "--rest-api-id", api.ID)), &stages); err != nil {
			t.Fatal(err)
		}
		if len(stages.Item) != 1 || stages.Item[0].StageName != "Prod" {
			t.Errorf("get-stages: got %+v", stages)
		}
		if code, stderr := cli.Fail("apigateway", "get-rest-api", "--rest-api-id", "abcdefghij"); code == 0 || !strings.Contains(stderr, "NotFoundException") {
			t.Errorf("get-rest-api of no API: got exit %d %s, want NotFoundException", code, stderr)
		}
		if code, stderr := cli.Fail("apigateway", "create-resource", "--rest-api-id", api.ID, "--parent-id", api.RootResourceID, "--path-part", "{proxy+}"); code == 0 || !strings.Contains(stderr, "ConflictException") {
			t.Errorf("duplicate create-resource: got exit %d %s, want ConflictException", code, stderr)
		}
	})
}
