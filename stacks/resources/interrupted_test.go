package resources_test

import (
	"context"
	"testing"

	"github.com/eddyserverless/eddy/eventbus"
	"github.com/eddyserverless/eddy/httpapis"
	"github.com/eddyserverless/eddy/params"
	"github.com/eddyserverless/eddy/stacks"
)

const suffix = "ABCDEFGHIJ012"

// interrupted returns r as the stack records a create that a restart cut
// short: with the suffix recorded before the create.
func interrupted(r *stacks.Request) *stacks.Request {
	r.NameSuffix = suffix
	return r
}

// rollBack deletes r's resource as resuming rolls back its interrupted
// create: with no physical id.
func (v *env) rollBack(t *testing.T, r *stacks.Request) {
	t.Helper()
	d := *r
	d.OldProperties, d.PhysicalID, d.Attributes = r.Properties, "", nil
	if err := v.h[r.Type].Delete(context.Background(), &d); err != nil {
		t.Fatalf("delete %s %s without a physical id: %v", r.Type, r.LogicalID, err)
	}
}

// TestInterruptedIAM deletes the IAM records of interrupted creates by the
// names the creates chose, and a named role only if the stack made it.
func TestInterruptedIAM(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}}}
	for _, r := range []*stacks.Request{
		req("AWS::IAM::Role", "Role", map[string]any{"AssumeRolePolicyDocument": trust}),
		req("AWS::IAM::Role", "Named", map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "mine"}),
		req("AWS::IAM::Policy", "Pol", map[string]any{"PolicyName": "p", "PolicyDocument": doc, "Roles": []any{"r"}}),
		req("AWS::IAM::ManagedPolicy", "Managed", map[string]any{"PolicyDocument": doc}),
		req("AWS::IAM::ManagedPolicy", "NamedManaged", map[string]any{"PolicyDocument": doc, "ManagedPolicyName": "mp"}),
		req("AWS::SQS::QueuePolicy", "QP", map[string]any{"PolicyDocument": doc, "Queues": []any{"https://x/1/q"}}),
		req("AWS::S3::BucketPolicy", "BP", map[string]any{"PolicyDocument": doc, "Bucket": "b"}),
	} {
		interrupted(r)
		v.create(t, r)
		// A second create by the same name conflicts while the record is.
		if _, err := v.h[r.Type].Create(ctx, r); err == nil {
			t.Fatalf("%s: a second create by the suffix succeeded", r.LogicalID)
		}
		v.rollBack(t, r)
		if _, err := v.h[r.Type].Create(ctx, r); err != nil {
			t.Errorf("%s is left after the delete of its interrupted create: %v", r.LogicalID, err)
		}
	}

	// A role named as another stack's is that stack's.
	theirs := req("AWS::IAM::Role", "Theirs", map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "theirs"})
	theirs.Stack.ID = "arn:aws:cloudformation:us-east-1:" + account + ":stack/other/1"
	v.create(t, theirs)
	ours := interrupted(req("AWS::IAM::Role", "Theirs", map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "theirs"}))
	v.rollBack(t, ours)
	if _, err := v.h[theirs.Type].Create(ctx, theirs); err == nil {
		t.Error("another stack's role was deleted by the delete of an interrupted create")
	}
	// The role a replacement replaces stays.
	old := interrupted(req("AWS::IAM::Role", "Kept", map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "kept"}))
	v.create(t, old)
	rep := interrupted(req("AWS::IAM::Role", "Kept", map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "kept", "Path": "/x/"}))
	rep.Replaces = "kept"
	v.rollBack(t, rep)
	if _, err := v.h[old.Type].Create(ctx, old); err == nil {
		t.Error("the role a replacement replaces was deleted by the delete of its interrupted create")
	}
}

// TestInterruptedLambda deletes the permission, alias, event invoke
// config, URL and event source mapping of interrupted creates.
func TestInterruptedLambda(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")

	perm := interrupted(req("AWS::Lambda::Permission", "Invoke", map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": fn, "Principal": "s3.amazonaws.com"}))
	pres := v.create(t, perm)
	match(t, "statement id", `app-Invoke-`+suffix, pres.PhysicalID)
	v.rollBack(t, perm)
	if pol, err := v.functions.GetPolicy(ctx, "us-east-1", fn, ""); err == nil && len(pol.Statements) != 0 {
		t.Errorf("statements after the delete of an interrupted create: %+v", pol.Statements)
	}

	alias := interrupted(req("AWS::Lambda::Alias", "Live", map[string]any{"FunctionName": fn, "FunctionVersion": "$LATEST", "Name": "live"}))
	ares := v.create(t, alias)
	// A replacement naming the function by its ARN leaves the alias it
	// replaces.
	rep := interrupted(req("AWS::Lambda::Alias", "Live", map[string]any{"FunctionName": "arn:aws:lambda:us-east-1:" + account + ":function:" + fn,
		"FunctionVersion": "$LATEST", "Name": "live"}))
	rep.Replaces = ares.PhysicalID
	v.rollBack(t, rep)
	if _, err := v.functions.GetAlias(ctx, "us-east-1", fn, "live"); err != nil {
		t.Errorf("the alias a replacement replaces is gone: %v", err)
	}
	v.rollBack(t, alias)
	if _, err := v.functions.GetAlias(ctx, "us-east-1", fn, "live"); err == nil {
		t.Error("alias left after the delete of its interrupted create")
	}

	eic := interrupted(req("AWS::Lambda::EventInvokeConfig", "Async", map[string]any{"FunctionName": fn, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0}))
	v.create(t, eic)
	if _, err := v.h[eic.Type].Create(ctx, eic); err == nil {
		t.Error("created an event invoke config over one that exists")
	}
	v.rollBack(t, eic)
	if _, err := v.functions.GetEventInvokeConfig(ctx, "us-east-1", fn, "$LATEST"); err == nil {
		t.Error("event invoke config left after the delete of its interrupted create")
	}

	u := interrupted(req("AWS::Lambda::Url", "Url", map[string]any{"TargetFunctionArn": fn, "AuthType": "NONE"}))
	v.create(t, u)
	v.rollBack(t, u)
	if _, err := v.httpapis.GetFunctionURL(ctx, "us-east-1", fn, ""); err == nil {
		t.Error("function URL left after the delete of its interrupted create")
	}

	q := v.create(t, interrupted(req("AWS::SQS::Queue", "Q", map[string]any{})))
	q2 := v.create(t, req("AWS::SQS::Queue", "Q2", map[string]any{}))
	other := v.create(t, req("AWS::Lambda::EventSourceMapping", "Other", map[string]any{"FunctionName": fn, "EventSourceArn": q2.Attributes["Arn"]}))
	m := interrupted(req("AWS::Lambda::EventSourceMapping", "Map", map[string]any{"FunctionName": fn, "EventSourceArn": q.Attributes["Arn"]}))
	mres := v.create(t, m)
	rm := *m
	rm.Replaces = mres.PhysicalID
	v.rollBack(t, &rm)
	if _, err := v.triggers.GetEventSourceMapping(ctx, "us-east-1", mres.PhysicalID); err != nil {
		t.Errorf("the mapping a replacement replaces is gone: %v", err)
	}
	v.rollBack(t, m)
	if _, err := v.triggers.GetEventSourceMapping(ctx, "us-east-1", mres.PhysicalID); err == nil {
		t.Error("mapping left after the delete of its interrupted create")
	}
	if _, err := v.triggers.GetEventSourceMapping(ctx, "us-east-1", other.PhysicalID); err != nil {
		t.Errorf("the mapping of another source is gone: %v", err)
	}
}

// TestInterruptedParamSchedule deletes parameters and schedules of
// interrupted creates by their generated or given names.
func TestInterruptedParamSchedule(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	gone := func(name string) bool {
		_, err := v.params.GetParameter(ctx, "us-east-1", &params.GetParameterInput{Name: &name})
		return err != nil
	}
	p := interrupted(req("AWS::SSM::Parameter", "Conf", map[string]any{"Type": "String", "Value": "v"}))
	pres := v.create(t, p)
	match(t, "Ref", `CFN-Conf-`+suffix[:12], pres.PhysicalID)
	v.rollBack(t, p)
	if !gone(pres.PhysicalID) {
		t.Error("parameter left after the delete of its interrupted create")
	}
	named := interrupted(req("AWS::SSM::Parameter", "Named", map[string]any{"Type": "String", "Value": "v", "Name": "/app/named"}))
	v.create(t, named)
	v.rollBack(t, named)
	if !gone("/app/named") {
		t.Error("named parameter left after the delete of its interrupted create")
	}

	q := v.create(t, req("AWS::SQS::Queue", "Q", map[string]any{}))
	target := map[string]any{"Arn": q.Attributes["Arn"], "RoleArn": roleArn}
	s := interrupted(req("AWS::Scheduler::Schedule", "Tick", map[string]any{
		"ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "Target": target}))
	sres := v.create(t, s)
	v.rollBack(t, s)
	if _, err := v.events.GetSchedule(ctx, &eventbus.ScheduleRef{Name: sres.PhysicalID}); err == nil {
		t.Error("schedule left after the delete of its interrupted create")
	}
}

// TestInterruptedRestAPI deletes a REST API of an interrupted create by
// its stack tags, and an API's resource, method and stage by their keys.
func TestInterruptedRestAPI(t *testing.T) {
	v := newEnv(t)
	keep := v.create(t, req("AWS::ApiGateway::RestApi", "Keep", map[string]any{"Name": "keep"}))
	for _, props := range []map[string]any{
		{"Name": "shop"},
		{"Name": "shop", "Body": map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": "t", "version": "1"}, "paths": map[string]any{}}},
	} {
		api := interrupted(req("AWS::ApiGateway::RestApi", "Api", props))
		ares := v.create(t, api)
		tags, err := v.restDo(t, "GetTags", map[string]string{"resource_arn": "arn:aws:apigateway:us-east-1::/restapis/" + ares.PhysicalID})
		if err != nil {
			t.Fatal(err)
		}
		if tm, _ := tags["tags"].(map[string]any); tm["aws:cloudformation:logical-id"] != "Api" || tm["aws:cloudformation:stack-id"] != stack.ID {
			t.Errorf("tags %v", tags)
		}
		if a, err := v.restDo(t, "GetRestApi", map[string]string{"restapi_id": ares.PhysicalID}); err != nil || a["name"] != "shop" {
			t.Errorf("api %v, %v", a, err)
		}
		v.rollBack(t, api)
		if _, err := v.restDo(t, "GetRestApi", map[string]string{"restapi_id": ares.PhysicalID}); err == nil {
			t.Error("REST API left after the delete of its interrupted create")
		}
	}
	if _, err := v.restDo(t, "GetRestApi", map[string]string{"restapi_id": keep.PhysicalID}); err != nil {
		t.Errorf("another REST API is gone: %v", err)
	}

	id, root := keep.PhysicalID, keep.Attributes["RootResourceId"]
	res := interrupted(req("AWS::ApiGateway::Resource", "Items", map[string]any{"RestApiId": id, "ParentId": root, "PathPart": "items"}))
	rres := v.create(t, res)
	method := interrupted(req("AWS::ApiGateway::Method", "Get", map[string]any{"RestApiId": id, "ResourceId": rres.PhysicalID,
		"HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": map[string]any{"Type": "MOCK"}}))
	v.create(t, method)
	dres := v.create(t, req("AWS::ApiGateway::Deployment", "Dep", map[string]any{"RestApiId": id}))
	stage := interrupted(req("AWS::ApiGateway::Stage", "Stage", map[string]any{"RestApiId": id, "DeploymentId": dres.PhysicalID}))
	sres := v.create(t, stage)
	match(t, "stage", `app-Stage-`+suffix, sres.PhysicalID)
	v.rollBack(t, stage)
	if _, err := v.restDo(t, "GetStage", map[string]string{"restapi_id": id, "stage_name": sres.PhysicalID}); err == nil {
		t.Error("stage left after the delete of its interrupted create")
	}
	v.rollBack(t, method)
	if _, err := v.restDo(t, "GetMethod", map[string]string{"restapi_id": id, "resource_id": rres.PhysicalID, "http_method": "GET"}); err == nil {
		t.Error("method left after the delete of its interrupted create")
	}
	v.rollBack(t, res)
	if _, err := v.restDo(t, "GetResource", map[string]string{"restapi_id": id, "resource_id": rres.PhysicalID}); err == nil {
		t.Error("resource left after the delete of its interrupted create")
	}
}

// TestInterruptedHTTPAPI deletes an HTTP API of an interrupted create by
// its stack tags, and an API's route and stage by their key and name.
func TestInterruptedHTTPAPI(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	fnArn := "arn:aws:lambda:us-east-1:" + account + ":function:" + fn
	keep := v.create(t, req("AWS::ApiGatewayV2::Api", "Keep", map[string]any{"Name": "keep", "ProtocolType": "HTTP"}))
	api := interrupted(req("AWS::ApiGatewayV2::Api", "Api", map[string]any{"Name": "web", "ProtocolType": "HTTP",
		"Tags": map[string]any{"team": "a"}}))
	ares := v.create(t, api)
	a, err := v.httpapis.GetAPI(ctx, ares.PhysicalID)
	if err != nil || a.Tags["team"] != "a" || a.Tags["aws:cloudformation:logical-id"] != "Api" {
		t.Fatalf("api %+v, %v", a, err)
	}
	// A replacement's delete leaves the API it replaces.
	rep := *api
	rep.Replaces = ares.PhysicalID
	v.rollBack(t, &rep)
	if _, err := v.httpapis.GetAPI(ctx, ares.PhysicalID); err != nil {
		t.Errorf("the API a replacement replaces is gone: %v", err)
	}
	v.rollBack(t, api)
	if _, err := v.httpapis.GetAPI(ctx, ares.PhysicalID); err == nil {
		t.Error("HTTP API left after the delete of its interrupted create")
	}
	if _, err := v.httpapis.GetAPI(ctx, keep.PhysicalID); err != nil {
		t.Errorf("another HTTP API is gone: %v", err)
	}

	id := keep.PhysicalID
	ires := v.create(t, req("AWS::ApiGatewayV2::Integration", "Integ", map[string]any{"ApiId": id, "IntegrationType": "AWS_PROXY",
		"IntegrationUri": fnArn, "PayloadFormatVersion": "2.0"}))
	other := v.create(t, req("AWS::ApiGatewayV2::Route", "Other", map[string]any{"ApiId": id, "RouteKey": "GET /other", "Target": "integrations/" + ires.PhysicalID}))
	route := interrupted(req("AWS::ApiGatewayV2::Route", "Route", map[string]any{"ApiId": id, "RouteKey": "GET /items", "Target": "integrations/" + ires.PhysicalID}))
	rres := v.create(t, route)
	stage := interrupted(req("AWS::ApiGatewayV2::Stage", "Stage", map[string]any{"ApiId": id, "StageName": "prod"}))
	v.create(t, stage)
	v.rollBack(t, stage)
	if _, err := v.httpapis.Get(ctx, id, httpapis.KindStages, "prod"); err == nil {
		t.Error("stage left after the delete of its interrupted create")
	}
	v.rollBack(t, route)
	if _, err := v.httpapis.Get(ctx, id, httpapis.KindRoutes, rres.PhysicalID); err == nil {
		t.Error("route left after the delete of its interrupted create")
	}
	if _, err := v.httpapis.Get(ctx, id, httpapis.KindRoutes, other.PhysicalID); err != nil {
		t.Errorf("another route is gone: %v", err)
	}
}
