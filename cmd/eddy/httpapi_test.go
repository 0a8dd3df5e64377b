package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// MustHTTPFunctionZip builds testdata/httpfn for Linux and returns it zipped as
// "bootstrap".
func MustHTTPFunctionZip(tb testing.TB) []byte {
	tb.Helper()
	return MustTestdataZip(tb, "httpfn")
}

// MustHTTPFunction creates a function from testdata/httpfn and returns its ARN.
func MustHTTPFunction(tb testing.TB, c *lambda.Client, name string) string {
	tb.Helper()
	out := MustCreate(tb, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: MustHTTPFunctionZip(tb)},
		Timeout:      aws.Int32(10),
	})
	return aws.ToString(out.FunctionArn)
}

// MustAPIGatewayV2 returns an API Gateway v2 client of the server.
func MustAPIGatewayV2(tb testing.TB, m *Main) *apigatewayv2.Client {
	tb.Helper()
	return apigatewayv2.NewFromConfig(awsConfig(m.URL()), func(o *apigatewayv2.Options) { o.RetryMaxAttempts = 1 })
}

func port(tb testing.TB, m *Main) string {
	tb.Helper()
	_, p, err := net.SplitHostPort(strings.TrimPrefix(m.URL(), "http://"))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// gatewayResponse is an HTTP response, read.
type gatewayResponse struct {
	status int
	header http.Header
	body   []byte
}

// event returns the event a response of httpfn carries in its body.
func (g gatewayResponse) event(tb testing.TB, into any) {
	tb.Helper()
	var v struct {
		Event json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(g.body, &v); err != nil || v.Event == nil {
		tb.Fatalf("body %q (status %d): no event (%v)", g.body, g.status, err)
	}
	if err := json.Unmarshal(v.Event, into); err != nil {
		tb.Fatalf("event %s: %v", v.Event, err)
	}
}

// request sends an HTTP request to an invoke address: host is the Host
// header ("" for the server's own) and path is the request's path.
func request(tb testing.TB, m *Main, method, host, path string, body []byte, hdr map[string]string) gatewayResponse {
	tb.Helper()
	req, err := http.NewRequest(method, m.URL()+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return gatewayResponse{res.StatusCode, res.Header, b}
}

func apiHost(tb testing.TB, m *Main, apiID string) string {
	return apiID + ".execute-api.localhost:" + port(tb, m)
}

func wantStatus(tb testing.TB, g gatewayResponse, status int, body string) {
	tb.Helper()
	if g.status != status {
		tb.Fatalf("got status %d (%s), want %d", g.status, g.body, status)
	}
	if body != "" && string(g.body) != body {
		tb.Fatalf("got body %s, want %s", g.body, body)
	}
}

func TestHTTPAPIControlPlane(t *testing.T) {
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	gw := MustAPIGatewayV2(t, m)
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:whatever"

	api, err := gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("one"), ProtocolType: agtypes.ProtocolTypeHttp,
		CorsConfiguration: &agtypes.Cors{AllowOrigins: []string{"https://a.example"}, MaxAge: aws.Int32(60)}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	if want := "http://" + id + ".execute-api.localhost:" + port(t, m); aws.ToString(api.ApiEndpoint) != want {
		t.Fatalf("got endpoint %s, want %s", aws.ToString(api.ApiEndpoint), want)
	}
	if api.CreatedDate == nil || api.ProtocolType != agtypes.ProtocolTypeHttp || aws.ToString(api.RouteSelectionExpression) == "" {
		t.Fatalf("got %+v, want createdDate, HTTP and a route selection expression", api)
	}
	got, err := gw.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: api.ApiId})
	if err != nil || aws.ToString(got.Name) != "one" || got.CorsConfiguration == nil || aws.ToInt32(got.CorsConfiguration.MaxAge) != 60 {
		t.Fatalf("GetApi: got %+v, %v", got, err)
	}
	upd, err := gw.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Name: aws.String("two"), Description: aws.String("d")})
	if err != nil || aws.ToString(upd.Name) != "two" || aws.ToString(upd.Description) != "d" || upd.CorsConfiguration == nil {
		t.Fatalf("UpdateApi: got %+v, %v", upd, err)
	}
	apis, err := gw.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(apis.Items) != 1 || aws.ToString(apis.Items[0].Name) != "two" {
		t.Fatalf("GetApis: got %+v, %v", apis, err)
	}

	// Integrations.
	_, err = gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fnARN)})
	mustFailWith(t, err, "BadRequestException", 400) // no payload format version
	_, err = gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fnARN), PayloadFormatVersion: aws.String("2.0"), TimeoutInMillis: aws.Int32(40000)})
	mustFailWith(t, err, "BadRequestException", 400)
	_, err = gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String("not-an-arn"), PayloadFormatVersion: aws.String("2.0")})
	mustFailWith(t, err, "BadRequestException", 400)
	_, err = gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String("nosuchapi0"), IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fnARN), PayloadFormatVersion: aws.String("2.0")})
	mustFailWith(t, err, "NotFoundException", 404)
	ig, err := gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri:       aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations"),
		PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(ig.TimeoutInMillis) != 30000 || aws.ToString(ig.IntegrationMethod) != "POST" {
		t.Fatalf("got %+v, want timeout 30000 and method POST", ig)
	}
	igu, err := gw.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: api.ApiId, IntegrationId: ig.IntegrationId, TimeoutInMillis: aws.Int32(5000)})
	if err != nil || aws.ToInt32(igu.TimeoutInMillis) != 5000 || aws.ToString(igu.PayloadFormatVersion) != "2.0" {
		t.Fatalf("UpdateIntegration: got %+v, %v", igu, err)
	}
	gi, err := gw.GetIntegration(ctx, &apigatewayv2.GetIntegrationInput{ApiId: api.ApiId, IntegrationId: ig.IntegrationId})
	if err != nil || aws.ToInt32(gi.TimeoutInMillis) != 5000 {
		t.Fatalf("GetIntegration: got %+v, %v", gi, err)
	}
	igs, err := gw.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: api.ApiId})
	if err != nil || len(igs.Items) != 1 {
		t.Fatalf("GetIntegrations: got %+v, %v", igs, err)
	}
	_, err = gw.GetIntegration(ctx, &apigatewayv2.GetIntegrationInput{ApiId: api.ApiId, IntegrationId: aws.String("nope123")})
	mustFailWith(t, err, "NotFoundException", 404)

	// Routes.
	target := aws.String("integrations/" + aws.ToString(ig.IntegrationId))
	for _, bad := range []string{"GET", "FETCH /x", "GET x", "GET /a//b", "GET /{proxy+}/x", "GET /{a}/{a}"} {
		_, err = gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(bad), Target: target})
		mustFailWith(t, err, "BadRequestException", 400)
	}
	_, err = gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /x"), Target: aws.String("integrations/nope123")})
	mustFailWith(t, err, "BadRequestException", 400)
	rt, err := gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items/{id}"), Target: target})
	if err != nil || aws.ToString(rt.RouteKey) != "GET /items/{id}" || aws.ToString(rt.Target) != aws.ToString(target) {
		t.Fatalf("CreateRoute: got %+v, %v", rt, err)
	}
	_, err = gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items/{id}"), Target: target})
	mustFailWith(t, err, "ConflictException", 409)
	rtu, err := gw.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: api.ApiId, RouteId: rt.RouteId, RouteKey: aws.String("ANY /items/{id}")})
	if err != nil || aws.ToString(rtu.RouteKey) != "ANY /items/{id}" || aws.ToString(rtu.Target) != aws.ToString(target) {
		t.Fatalf("UpdateRoute: got %+v, %v", rtu, err)
	}
	gr, err := gw.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: api.ApiId, RouteId: rt.RouteId})
	if err != nil || aws.ToString(gr.RouteKey) != "ANY /items/{id}" {
		t.Fatalf("GetRoute: got %+v, %v", gr, err)
	}
	rts, err := gw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId})
	if err != nil || len(rts.Items) != 1 {
		t.Fatalf("GetRoutes: got %+v, %v", rts, err)
	}
	_, err = gw.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: ig.IntegrationId})
	mustFailWith(t, err, "ConflictException", 409)

	// Stages and deployments.
	st, err := gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"),
		StageVariables: map[string]string{"a": "1", "b": "2"}})
	if err != nil || aws.ToString(st.StageName) != "prod" || st.StageVariables["a"] != "1" {
		t.Fatalf("CreateStage: got %+v, %v", st, err)
	}
	_, err = gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod")})
	mustFailWith(t, err, "ConflictException", 409)
	_, err = gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("bad name")})
	mustFailWith(t, err, "BadRequestException", 400)
	stu, err := gw.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"),
		StageVariables: map[string]string{"b": "", "c": "3"}, Description: aws.String("production")})
	if err != nil || len(stu.StageVariables) != 2 || stu.StageVariables["a"] != "1" || stu.StageVariables["c"] != "3" || aws.ToString(stu.Description) != "production" {
		t.Fatalf("UpdateStage: got %+v, %v", stu, err)
	}
	dep, err := gw.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod"), Description: aws.String("first")})
	if err != nil || dep.DeploymentStatus != agtypes.DeploymentStatusDeployed {
		t.Fatalf("CreateDeployment: got %+v, %v", dep, err)
	}
	_, err = gw.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("nostage")})
	mustFailWith(t, err, "BadRequestException", 400)
	gs, err := gw.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("prod")})
	if err != nil || aws.ToString(gs.DeploymentId) != aws.ToString(dep.DeploymentId) {
		t.Fatalf("GetStage: got %+v, %v; want deployment %s", gs, err, aws.ToString(dep.DeploymentId))
	}
	deps, err := gw.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: api.ApiId})
	if err != nil || len(deps.Items) != 1 || aws.ToString(deps.Items[0].Description) != "first" {
		t.Fatalf("GetDeployments: got %+v, %v", deps, err)
	}
	sts, err := gw.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: api.ApiId})
	if err != nil || len(sts.Items) != 1 {
		t.Fatalf("GetStages: got %+v, %v", sts, err)
	}
	_, err = gw.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("dev")})
	mustFailWith(t, err, "NotFoundException", 404)

	// Deletes.
	if _, err := gw.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: api.ApiId, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: api.ApiId, RouteId: rt.RouteId}); err != nil {
		t.Fatal(err)
	}
	_, err = gw.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: api.ApiId, RouteId: rt.RouteId})
	mustFailWith(t, err, "NotFoundException", 404)
	if _, err := gw.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: ig.IntegrationId}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId}); err != nil {
		t.Fatal(err)
	}
	_, err = gw.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: api.ApiId})
	mustFailWith(t, err, "NotFoundException", 404)
	_, err = gw.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId})
	mustFailWith(t, err, "NotFoundException", 404)

	// Quick create with a route key.
	qa, err := gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: agtypes.ProtocolTypeHttp,
		Target: aws.String(fnARN + ":live"), RouteKey: aws.String("GET /hello")})
	if err != nil {
		t.Fatal(err)
	}
	qr, err := gw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: qa.ApiId})
	if err != nil || len(qr.Items) != 1 || aws.ToString(qr.Items[0].RouteKey) != "GET /hello" {
		t.Fatalf("GetRoutes of a quick-created API: got %+v, %v", qr, err)
	}
	qi, err := gw.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: qa.ApiId})
	if err != nil || len(qi.Items) != 1 || aws.ToString(qi.Items[0].IntegrationUri) != fnARN+":live" || aws.ToString(qi.Items[0].PayloadFormatVersion) != "2.0" {
		t.Fatalf("GetIntegrations of a quick-created API: got %+v, %v", qi, err)
	}

	// Bad CreateApi input.
	_, err = gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("w"), ProtocolType: agtypes.ProtocolTypeWebsocket})
	mustFailWith(t, err, "BadRequestException", 400)
	_, err = gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("c"), ProtocolType: agtypes.ProtocolTypeHttp,
		CorsConfiguration: &agtypes.Cors{AllowOrigins: []string{"*"}, AllowCredentials: aws.Bool(true)}})
	mustFailWith(t, err, "BadRequestException", 400)
	_, err = gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: agtypes.ProtocolTypeHttp, Target: aws.String("nope")})
	mustFailWith(t, err, "BadRequestException", 400)
}

// MustQuickAPI quick-creates an HTTP API whose $default route invokes fn.
func MustQuickAPI(tb testing.TB, gw *apigatewayv2.Client, fnARN string, cors *agtypes.Cors) string {
	tb.Helper()
	api, err := gw.CreateApi(context.Background(), &apigatewayv2.CreateApiInput{Name: aws.String("quick"),
		ProtocolType: agtypes.ProtocolTypeHttp, Target: aws.String(fnARN), CorsConfiguration: cors})
	if err != nil {
		tb.Fatalf("create api: %v", err)
	}
	return aws.ToString(api.ApiId)
}

func TestHTTPAPIInvokeEvent(t *testing.T) {
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	gw, lc := MustAPIGatewayV2(t, m), MustLambda(t, m)
	fnARN := MustHTTPFunction(t, lc, "httpfn")
	id := MustQuickAPI(t, gw, fnARN, nil)

	// Quick create made an integration, a $default route and an
	// auto-deploying $default stage.
	rts, err := gw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(id)})
	if err != nil || len(rts.Items) != 1 || aws.ToString(rts.Items[0].RouteKey) != "$default" {
		t.Fatalf("GetRoutes: got %+v, %v", rts, err)
	}
	st, err := gw.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: aws.String(id), StageName: aws.String("$default")})
	if err != nil || !aws.ToBool(st.AutoDeploy) {
		t.Fatalf("GetStage $default: got %+v, %v", st, err)
	}

	host := apiHost(t, m, id)
	for _, form := range []struct{ name, host, prefix string }{{"host", host, ""}, {"path", "", "/_api/" + id}} {
		t.Run(form.name, func(t *testing.T) {
			g := request(t, m, "POST", form.host, form.prefix+"/some/path?a=1&a=2&b=x%20y", []byte(`{"k":"v"}`), map[string]string{
				"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2", "X-Custom": "yes", "User-Agent": "eddy-test/1",
			})
			wantStatus(t, g, 200, "")
			if g.header.Get("X-Echo") != "yes" || g.header.Get("Apigw-Requestid") == "" {
				t.Fatalf("got headers %v, want x-echo and apigw-requestid", g.header)
			}
			var ev events.APIGatewayV2HTTPRequest
			g.event(t, &ev)
			if ev.Version != "2.0" || ev.RouteKey != "$default" || ev.RawPath != "/some/path" || ev.RawQueryString != "a=1&a=2&b=x%20y" {
				t.Fatalf("got version %q routeKey %q rawPath %q rawQueryString %q", ev.Version, ev.RouteKey, ev.RawPath, ev.RawQueryString)
			}
			if ev.QueryStringParameters["a"] != "1,2" || ev.QueryStringParameters["b"] != "x y" {
				t.Fatalf("got query %v, want a=1,2 b=x y", ev.QueryStringParameters)
			}
			if strings.Join(ev.Cookies, "|") != "c1=v1|c2=v2" || ev.Headers["cookie"] != "" {
				t.Fatalf("got cookies %v (header %q), want c1=v1, c2=v2 and no cookie header", ev.Cookies, ev.Headers["cookie"])
			}
			if ev.Headers["x-custom"] != "yes" || ev.Headers["content-type"] != "application/json" {
				t.Fatalf("got headers %v, want lower-case x-custom and content-type", ev.Headers)
			}
			if ev.Body != `{"k":"v"}` || ev.IsBase64Encoded {
				t.Fatalf("got body %q (base64 %v), want the JSON text", ev.Body, ev.IsBase64Encoded)
			}
			rc := ev.RequestContext
			if rc.AccountID != "000000000000" || rc.APIID != id || rc.Stage != "$default" || rc.RouteKey != "$default" ||
				rc.HTTP.Method != "POST" || rc.HTTP.Path != "/some/path" || rc.HTTP.Protocol != "HTTP/1.1" ||
				rc.HTTP.SourceIP != "127.0.0.1" || rc.HTTP.UserAgent != "eddy-test/1" || rc.RequestID != g.header.Get("Apigw-Requestid") ||
				rc.TimeEpoch == 0 || rc.Time == "" {
				t.Fatalf("got requestContext %+v", rc)
			}
			if form.host != "" && (rc.DomainName != id+".execute-api.localhost" || rc.DomainPrefix != id) {
				t.Fatalf("got domain %q prefix %q", rc.DomainName, rc.DomainPrefix)
			}
		})
	}

	// A binary body arrives base64-encoded.
	g := request(t, m, "PUT", host, "/bin", []byte{0, 1, 2, 0xff}, map[string]string{"Content-Type": "application/octet-stream"})
	var ev events.APIGatewayV2HTTPRequest
	g.event(t, &ev)
	if !ev.IsBase64Encoded || ev.Body != "AAEC/w==" {
		t.Fatalf("got body %q base64 %v, want AAEC/w== base64", ev.Body, ev.IsBase64Encoded)
	}

	// Response mapping.
	g = request(t, m, "GET", host, "/?mode=status&code=418", nil, nil)
	wantStatus(t, g, 418, "")
	g = request(t, m, "GET", host, "/?mode=cookies", nil, nil)
	if c := g.header.Values("Set-Cookie"); len(c) != 2 || c[0] != "a=1; Path=/" || c[1] != "b=2" {
		t.Fatalf("got Set-Cookie %v, want a=1; Path=/ and b=2", c)
	}
	g = request(t, m, "GET", host, "/?mode=multi", nil, nil)
	if v := g.header.Values("X-Multi"); len(v) != 2 || v[0] != "one" || v[1] != "two" {
		t.Fatalf("got x-multi %v, want one, two", v)
	}
	g = request(t, m, "GET", host, "/?mode=base64", nil, nil)
	if !bytes.Equal(g.body, []byte{0, 1, 2, 0xff}) || g.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("got %x (%s), want 000102ff", g.body, g.header.Get("Content-Type"))
	}
	g = request(t, m, "GET", host, "/?mode=string", nil, nil)
	wantStatus(t, g, 200, "hello")
	if g.header.Get("Content-Type") != "application/json" {
		t.Fatalf("got content-type %q, want application/json", g.header.Get("Content-Type"))
	}
	g = request(t, m, "GET", host, "/?mode=number", nil, nil)
	wantStatus(t, g, 200, "42")
	g = request(t, m, "GET", host, "/?mode=object", nil, nil)
	wantStatus(t, g, 200, "")
	g.event(t, &ev)
	if ev.RawQueryString != "mode=object" {
		t.Fatalf("got rawQueryString %q, want mode=object", ev.RawQueryString)
	}
}

func TestHTTPAPIRoutingPriority(t *testing.T) {
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	gw, lc := MustAPIGatewayV2(t, m), MustLambda(t, m)
	fnARN := MustHTTPFunction(t, lc, "httpfn")
	id := MustQuickAPI(t, gw, fnARN, nil)
	igs, err := gw.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(id)})
	if err != nil || len(igs.Items) != 1 {
		t.Fatalf("GetIntegrations: %+v, %v", igs, err)
	}
	target := aws.String("integrations/" + aws.ToString(igs.Items[0].IntegrationId))
	for _, k := range []string{"GET /pets/dog", "GET /pets/{name}", "ANY /pets/{name}", "ANY /{proxy+}", "GET /pets/{name}/toys/{rest+}", "GET /"} {
		if _, err := gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(id), RouteKey: aws.String(k), Target: target}); err != nil {
			t.Fatalf("create route %s: %v", k, err)
		}
	}
	host := apiHost(t, m, id)
	for _, c := range []struct {
		method, path, route string
		params              map[string]string
	}{
		{"GET", "/pets/dog", "GET /pets/dog", nil},
		{"GET", "/pets/cat", "GET /pets/{name}", map[string]string{"name": "cat"}},
		{"POST", "/pets/cat", "ANY /pets/{name}", map[string]string{"name": "cat"}},
		{"POST", "/pets/dog", "ANY /pets/{name}", map[string]string{"name": "dog"}},
		{"GET", "/pets/cat/toys/a/b", "GET /pets/{name}/toys/{rest+}", map[string]string{"name": "cat", "rest": "a/b"}},
		{"GET", "/other/x/y", "ANY /{proxy+}", map[string]string{"proxy": "other/x/y"}},
		{"GET", "/", "GET /", nil},
		{"POST", "/", "$default", nil},
	} {
		g := request(t, m, c.method, host, c.path, nil, nil)
		wantStatus(t, g, 200, "")
		var ev events.APIGatewayV2HTTPRequest
		g.event(t, &ev)
		if ev.RouteKey != c.route || ev.RequestContext.RouteKey != c.route {
			t.Errorf("%s %s: got route %q, want %q", c.method, c.path, ev.RouteKey, c.route)
		}
		if len(ev.PathParameters) != len(c.params) {
			t.Errorf("%s %s: got path parameters %v, want %v", c.method, c.path, ev.PathParameters, c.params)
		}
		for k, v := range c.params {
			if ev.PathParameters[k] != v {
				t.Errorf("%s %s: got path parameters %v, want %v", c.method, c.path, ev.PathParameters, c.params)
			}
		}
	}
}

func TestHTTPAPIStagesAndErrors(t *testing.T) {
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	gw, lc := MustAPIGatewayV2(t, m), MustLambda(t, m)
	fnARN := MustHTTPFunction(t, lc, "httpfn")
	api, err := gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("staged"), ProtocolType: agtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	id := api.ApiId
	host := apiHost(t, m, *id)
	const notFound = `{"message":"Not Found"}`

	// Unknown API, no stage yet.
	wantStatus(t, request(t, m, "GET", apiHost(t, m, "nosuchapi0"), "/x", nil, nil), 404, notFound)
	wantStatus(t, request(t, m, "GET", "", "/_api/nosuchapi0/x", nil, nil), 404, notFound)
	wantStatus(t, request(t, m, "GET", host, "/prod/items/1", nil, nil), 404, notFound)

	ig, err := gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fnARN), PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		t.Fatal(err)
	}
	target := aws.String("integrations/" + aws.ToString(ig.IntegrationId))
	if _, err := gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("ANY /items/{id}"), Target: target}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("prod"),
		StageVariables: map[string]string{"env": "production"}}); err != nil {
		t.Fatal(err)
	}
	// A stage without auto-deploy serves nothing before a deployment.
	wantStatus(t, request(t, m, "GET", host, "/prod/items/1", nil, nil), 404, notFound)
	if _, err := gw.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	g := request(t, m, "GET", host, "/prod/items/1", nil, nil)
	wantStatus(t, g, 200, "")
	var ev events.APIGatewayV2HTTPRequest
	g.event(t, &ev)
	if ev.RequestContext.Stage != "prod" || ev.RawPath != "/prod/items/1" || ev.StageVariables["env"] != "production" || ev.PathParameters["id"] != "1" {
		t.Fatalf("got stage %q rawPath %q stageVariables %v pathParameters %v", ev.RequestContext.Stage, ev.RawPath, ev.StageVariables, ev.PathParameters)
	}
	// A route added after the deployment is not on the stage until the next.
	if _, err := gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /later"), Target: target}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/prod/later", nil, nil), 404, notFound)
	if _, err := gw.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/prod/later", nil, nil), 200, "")
	// No such route; no $default stage for paths outside prod.
	wantStatus(t, request(t, m, "GET", host, "/prod/nothing/here", nil, nil), 404, notFound)
	wantStatus(t, request(t, m, "GET", host, "/items/1", nil, nil), 404, notFound)

	// An auto-deploying $default stage serves the live routes at the root.
	if _, err := gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", "", "/_api/"+*id+"/items/2", nil, nil), 200, "")
	// Turned off, auto-deploy leaves the stage on its last automatic
	// deployment: later routes wait for the next deployment.
	setAutoDeploy := func(on bool) {
		t.Helper()
		if _, err := gw.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(on)}); err != nil {
			t.Fatal(err)
		}
	}
	setAutoDeploy(false)
	if _, err := gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /only-live"), Target: target}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/items/2", nil, nil), 200, "")
	wantStatus(t, request(t, m, "GET", host, "/only-live", nil, nil), 404, notFound)
	setAutoDeploy(true)
	wantStatus(t, request(t, m, "GET", host, "/only-live", nil, nil), 200, "")
	deps, err := gw.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	auto := 0
	for _, d := range deps.Items {
		if aws.ToBool(d.AutoDeployed) {
			auto++
		}
	}
	if auto != 1 || len(deps.Items) != 3 {
		t.Fatalf("got %d deployments, %d automatic; want the two of prod and the current automatic one", len(deps.Items), auto)
	}

	// Function error, a malformed response, an integration timeout, a body too large.
	const internal = `{"message":"Internal server error"}`
	wantStatus(t, request(t, m, "GET", host, "/items/1?mode=error", nil, nil), 502, internal)
	wantStatus(t, request(t, m, "GET", host, "/items/1?mode=bad", nil, nil), 502, internal)
	setTimeout := func(ms int32) {
		t.Helper()
		if _, err := gw.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: id, IntegrationId: ig.IntegrationId, TimeoutInMillis: aws.Int32(ms)}); err != nil {
			t.Fatal(err)
		}
	}
	setTimeout(300)
	wantStatus(t, request(t, m, "GET", host, "/items/1?mode=sleep&ms=3000", nil, nil), 504, `{"message":"Endpoint request timed out"}`)
	setTimeout(30000)
	big := bytes.Repeat([]byte("x"), 10*1024*1024+1)
	wantStatus(t, request(t, m, "POST", host, "/items/1", big, map[string]string{"Content-Type": "text/plain"}), 413, `{"message":"Request Entity Too Large"}`)
	// The function still answers.
	wantStatus(t, request(t, m, "GET", host, "/items/1", nil, nil), 200, "")

	// A function without concurrency is throttled.
	if _, err := lc.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("httpfn"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/items/1", nil, nil), 429, `{"message":"Too Many Requests"}`)

	// With the execute-api endpoint disabled, the API answers nothing.
	if _, err := gw.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: id, DisableExecuteApiEndpoint: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/items/1", nil, nil), 403, `{"message":"Forbidden"}`)
}

func TestHTTPAPICors(t *testing.T) {
	m := MustStartMain(t, Config{})
	gw, lc := MustAPIGatewayV2(t, m), MustLambda(t, m)
	fnARN := MustHTTPFunction(t, lc, "httpfn")
	id := MustQuickAPI(t, gw, fnARN, &agtypes.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"content-type", "x-token"}, ExposeHeaders: []string{"x-echo"}, MaxAge: aws.Int32(300), AllowCredentials: aws.Bool(true)})
	host := apiHost(t, m, id)

	g := request(t, m, "OPTIONS", host, "/anything", nil, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
	wantStatus(t, g, 204, "")
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,POST",
		"Access-Control-Allow-Headers": "content-type,x-token", "Access-Control-Max-Age": "300", "Access-Control-Allow-Credentials": "true",
	} {
		if got := g.header.Get(k); got != want {
			t.Errorf("preflight %s: got %q, want %q", k, got, want)
		}
	}
	if g.header.Get("X-Echo") != "" || len(g.body) != 0 {
		t.Fatalf("preflight reached the function: %v %s", g.header, g.body)
	}
	// An origin not allowed gets no CORS headers.
	g = request(t, m, "OPTIONS", host, "/anything", nil, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
	if g.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("got allow-origin %q for a foreign origin", g.header.Get("Access-Control-Allow-Origin"))
	}
	// Actual requests carry the CORS headers beside the function's.
	g = request(t, m, "GET", host, "/x", nil, map[string]string{"Origin": "https://app.example"})
	wantStatus(t, g, 200, "")
	if g.header.Get("Access-Control-Allow-Origin") != "https://app.example" || g.header.Get("Access-Control-Expose-Headers") != "x-echo" ||
		g.header.Get("Access-Control-Allow-Credentials") != "true" || g.header.Get("X-Echo") != "yes" {
		t.Fatalf("got headers %v", g.header)
	}
	// An OPTIONS request that is no preflight goes to the function.
	g = request(t, m, "OPTIONS", host, "/x", nil, nil)
	wantStatus(t, g, 200, "")
	if g.header.Get("X-Echo") != "yes" {
		t.Fatalf("got headers %v, want the function's", g.header)
	}
}

func TestHTTPAPIPayloadFormat1(t *testing.T) {
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	gw, lc := MustAPIGatewayV2(t, m), MustLambda(t, m)
	fnARN := MustHTTPFunction(t, lc, "httpfn")
	api, err := gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("v1"), ProtocolType: agtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: agtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fnARN), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items/{id}"),
		Target: aws.String("integrations/" + aws.ToString(ig.IntegrationId))}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	g := request(t, m, "GET", apiHost(t, m, *api.ApiId), "/items/7?q=1&q=2", nil, map[string]string{"X-Custom": "yes"})
	wantStatus(t, g, 200, "")
	var ev events.APIGatewayProxyRequest
	g.event(t, &ev)
	var raw map[string]any
	g.event(t, &raw)
	if raw["version"] != "1.0" || ev.Resource != "/items/{id}" || ev.Path != "/items/7" || ev.HTTPMethod != "GET" ||
		ev.PathParameters["id"] != "7" || ev.QueryStringParameters["q"] != "2" || len(ev.MultiValueQueryStringParameters["q"]) != 2 ||
		ev.Headers["X-Custom"]+ev.Headers["x-custom"] != "yes" || ev.RequestContext.APIID != *api.ApiId || ev.RequestContext.Stage != "$default" {
		t.Fatalf("got event %+v", raw)
	}
	wantStatus(t, request(t, m, "GET", apiHost(t, m, *api.ApiId), "/items/7?mode=string", nil, nil), 502, "")
}

func TestFunctionURLs(t *testing.T) {
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	lc := MustLambda(t, m)
	MustHTTPFunction(t, lc, "urlfn")

	_, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("nosuchfn"), AuthType: types.FunctionUrlAuthTypeNone})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("urlfn")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), AuthType: "SOMETHING"})
	mustFailWith(t, err, "ValidationException", 400)

	cu, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	u := aws.ToString(cu.FunctionUrl)
	urlID := strings.TrimPrefix(strings.SplitN(u, ".", 2)[0], "http://")
	if len(urlID) != 32 || !strings.HasSuffix(u, ".lambda-url.us-east-1.localhost:"+port(t, m)+"/") || cu.InvokeMode != types.InvokeModeBuffered ||
		!strings.HasSuffix(aws.ToString(cu.FunctionArn), ":function:urlfn") || aws.ToString(cu.CreationTime) == "" {
		t.Fatalf("CreateFunctionUrlConfig: got %+v", cu)
	}
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), AuthType: types.FunctionUrlAuthTypeNone})
	mustFailWith(t, err, "ResourceConflictException", 409)
	gu, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("urlfn")})
	if err != nil || aws.ToString(gu.FunctionUrl) != u || gu.AuthType != types.FunctionUrlAuthTypeNone || gu.Cors == nil || aws.ToString(gu.LastModifiedTime) == "" {
		t.Fatalf("GetFunctionUrlConfig: got %+v, %v", gu, err)
	}
	uu, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), InvokeMode: types.InvokeModeResponseStream})
	if err != nil || uu.InvokeMode != types.InvokeModeResponseStream || uu.AuthType != types.FunctionUrlAuthTypeNone || aws.ToString(uu.FunctionUrl) != u {
		t.Fatalf("UpdateFunctionUrlConfig: got %+v, %v", uu, err)
	}
	lu, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("urlfn")})
	if err != nil || len(lu.FunctionUrlConfigs) != 1 || aws.ToString(lu.FunctionUrlConfigs[0].FunctionUrl) != u {
		t.Fatalf("ListFunctionUrlConfigs: got %+v, %v", lu, err)
	}
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), Qualifier: aws.String("noalias"),
		AuthType: types.FunctionUrlAuthTypeNone})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// An alias's URL is its own.
	v, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("urlfn")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("urlfn"), Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), Qualifier: aws.String("1"),
		AuthType: types.FunctionUrlAuthTypeNone})
	mustFailWith(t, err, "ValidationException", 400)
	au, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), Qualifier: aws.String("live"),
		AuthType: types.FunctionUrlAuthTypeNone})
	if err != nil || aws.ToString(au.FunctionUrl) == u || !strings.HasSuffix(aws.ToString(au.FunctionArn), ":function:urlfn:live") {
		t.Fatalf("CreateFunctionUrlConfig for an alias: got %+v, %v", au, err)
	}
	aliasID := strings.TrimPrefix(strings.SplitN(aws.ToString(au.FunctionUrl), ".", 2)[0], "http://")
	wantStatus(t, request(t, m, "GET", "", "/_url/"+aliasID+"/?mode=string", nil, nil), 200, "hello")
	lu, err = lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("urlfn")})
	if err != nil || len(lu.FunctionUrlConfigs) != 2 {
		t.Fatalf("ListFunctionUrlConfigs: got %+v, %v; want 2", lu, err)
	}
	// Without its alias, the URL leads nowhere.
	if _, err := lc.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("urlfn"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", "", "/_url/"+aliasID+"/", nil, nil), 404, `{"message":"Not Found"}`)

	// Invoke through the host form and the path form.
	host := urlID + ".lambda-url.us-east-1.localhost:" + port(t, m)
	for _, form := range []struct{ host, prefix string }{{host, ""}, {"", "/_url/" + urlID}} {
		g := request(t, m, "POST", form.host, form.prefix+"/hello/world?x=1", []byte("hi"), map[string]string{"Content-Type": "text/plain", "Origin": "https://o.example"})
		wantStatus(t, g, 200, "")
		var ev events.LambdaFunctionURLRequest
		g.event(t, &ev)
		rc := ev.RequestContext
		if ev.Version != "2.0" || ev.RawPath != "/hello/world" || ev.RawQueryString != "x=1" || ev.Body != "hi" || ev.IsBase64Encoded ||
			rc.APIID != urlID || rc.AccountID != "000000000000" || rc.HTTP.Method != "POST" || rc.HTTP.Path != "/hello/world" || rc.RequestID == "" {
			t.Fatalf("got event %+v", ev)
		}
		var raw struct {
			RouteKey       string `json:"routeKey"`
			RequestContext struct {
				RouteKey string `json:"routeKey"`
				Stage    string `json:"stage"`
			} `json:"requestContext"`
		}
		g.event(t, &raw)
		if raw.RouteKey != "$default" || raw.RequestContext.RouteKey != "$default" || raw.RequestContext.Stage != "$default" {
			t.Fatalf("got routeKey %q, requestContext %+v; want $default", raw.RouteKey, raw.RequestContext)
		}
		if form.host != "" && rc.DomainName != urlID+".lambda-url.us-east-1.localhost" {
			t.Fatalf("got domainName %q", rc.DomainName)
		}
		if g.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("got headers %v, want allow-origin *", g.header)
		}
	}
	wantStatus(t, request(t, m, "GET", host, "/?mode=string", nil, nil), 200, "hello")
	wantStatus(t, request(t, m, "GET", host, "/?mode=error", nil, nil), 502, "")
	wantStatus(t, request(t, m, "GET", "", "/_url/"+strings.Repeat("a", 32)+"/", nil, nil), 404, `{"message":"Not Found"}`)

	// curl, as a user would call it.
	out, err := exec.Command("curl", "-sS", "-i", "-H", "Host: "+host, m.URL()+"/from/curl?mode=cookies").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	mustContain(t, string(out), "HTTP/1.1 200")
	mustContain(t, string(out), "Set-Cookie: a=1; Path=/")
	mustContain(t, string(out), `"rawPath":"/from/curl"`)

	// AWS_IAM: an unsigned request is refused.
	if _, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), AuthType: types.FunctionUrlAuthTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/", nil, nil), 403, "")

	// Deleting the URL, and deleting the function, remove it.
	if _, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("urlfn")}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, request(t, m, "GET", host, "/", nil, nil), 404, `{"message":"Not Found"}`)
	_, err = lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("urlfn")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	cu, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("urlfn"), AuthType: types.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("urlfn")}); err != nil {
		t.Fatal(err)
	}
	id2 := strings.TrimPrefix(strings.SplitN(aws.ToString(cu.FunctionUrl), ".", 2)[0], "http://")
	wantStatus(t, request(t, m, "GET", "", "/_url/"+id2+"/", nil, nil), 404, `{"message":"Not Found"}`)
	MustHTTPFunction(t, lc, "urlfn")
	_, err = lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("urlfn")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
}

func TestHTTPAPITwoNodes(t *testing.T) {
	url := MustNATS(t)
	a, b := MustStartMain(t, Config{NATSURL: url}), MustStartMain(t, Config{NATSURL: url})
	ctx := context.Background()
	gwA, gwB := MustAPIGatewayV2(t, a), MustAPIGatewayV2(t, b)
	lcA := MustLambda(t, a)
	fnARN := MustHTTPFunction(t, lcA, "httpfn")

	// An API created on a is served by b at once.
	id := MustQuickAPI(t, gwA, fnARN, nil)
	wantStatus(t, request(t, b, "GET", apiHost(t, b, id), "/first", nil, nil), 200, "")
	// A route added on a is read by b at once.
	igs, err := gwA.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(id)})
	if err != nil || len(igs.Items) != 1 {
		t.Fatalf("GetIntegrations: %+v, %v", igs, err)
	}
	rt, err := gwA.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(id), RouteKey: aws.String("GET /new/{x}"),
		Target: aws.String("integrations/" + aws.ToString(igs.Items[0].IntegrationId))})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := gwB.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(id), RouteId: rt.RouteId}); err != nil || aws.ToString(got.RouteKey) != "GET /new/{x}" {
		t.Fatalf("GetRoute on b: got %+v, %v", got, err)
	}
	// Serving it follows once b's watch brings the change (a deployment
	// reaches API Gateway's edge a moment later, too).
	var ev events.APIGatewayV2HTTPRequest
	for deadline := time.Now().Add(10 * time.Second); ; {
		g := request(t, b, "GET", apiHost(t, b, id), "/new/1", nil, nil)
		g.event(t, &ev)
		if ev.RouteKey == "GET /new/{x}" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got route %q on b, want GET /new/{x}", ev.RouteKey)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A function URL created on a is served by b at once.
	cu, err := lcA.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("httpfn"), AuthType: types.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	urlID := strings.TrimPrefix(strings.SplitN(aws.ToString(cu.FunctionUrl), ".", 2)[0], "http://")
	wantStatus(t, request(t, b, "GET", "", "/_url/"+urlID+"/?mode=string", nil, nil), 200, "hello")
}

func TestHTTPAPIBadInput(t *testing.T) {
	m := MustStartMain(t, Config{})
	gw := MustAPIGatewayV2(t, m)
	api, err := gw.CreateApi(context.Background(), &apigatewayv2.CreateApiInput{Name: aws.String("bad"), ProtocolType: agtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	for _, c := range []struct {
		method, path, body string
		status             int
		typ                string
	}{
		{"POST", "/v2/apis", "{", 400, "BadRequestException"},
		{"POST", "/v2/apis", `{"name":5}`, 400, "BadRequestException"},
		{"POST", "/v2/apis", `{}`, 400, "BadRequestException"},
		{"PATCH", "/v2/apis/" + id, "[", 400, "BadRequestException"},
		{"POST", "/v2/apis/" + id + "/routes", `{"routeKey":5}`, 400, "BadRequestException"},
		{"POST", "/v2/apis/" + id + "/integrations", `{"timeoutInMillis":"x"}`, 400, "BadRequestException"},
		{"POST", "/v2/apis/" + id + "/stages", `{"stageName":""}`, 400, "BadRequestException"},
		{"POST", "/v2/apis/" + id + "/deployments", `{}`, 400, "BadRequestException"},
		{"PATCH", "/v2/apis/" + id + "/deployments/abc", `{}`, 404, "NotFoundException"},
		{"GET", "/v2/apis/" + id + "/widgets", "", 404, "NotFoundException"},
		{"GET", "/v2/apis/NOT-AN-ID", "", 404, "NotFoundException"},
		{"GET", "/v2/apis/" + id + "/routes/x/y", "", 404, "NotFoundException"},
	} {
		req, err := http.NewRequest(c.method, m.URL()+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Message string `json:"message"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != c.status || res.Header.Get("X-Amzn-Errortype") != c.typ || err != nil || body.Message == "" {
			t.Errorf("%s %s %s: got %d %s (%q, %v), want %d %s", c.method, c.path, c.body, res.StatusCode, res.Header.Get("X-Amzn-Errortype"), body.Message, err, c.status, c.typ)
		}
	}
}
