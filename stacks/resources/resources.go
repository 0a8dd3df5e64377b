// Package resources implements stacks.Handler for the AWS resource types
// eddy provides: each creates, updates and deletes its resources through
// eddy's own services, and reports the physical ids and Fn::GetAtt
// attributes CloudFormation reports.
package resources

import (
	"crypto/rand"
	"math/big"
	"sort"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/eventbus"
	"github.com/eddyserverless/eddy/functions"
	"github.com/eddyserverless/eddy/httpapis"
	"github.com/eddyserverless/eddy/logs"
	"github.com/eddyserverless/eddy/params"
	"github.com/eddyserverless/eddy/queues"
	"github.com/eddyserverless/eddy/restapis"
	"github.com/eddyserverless/eddy/stacks"
	"github.com/eddyserverless/eddy/tables"
)

// Services are the services the handlers act through. A nil service
// leaves its resource types out of New's map.
type Services struct {
	// Engine holds the records of the types eddy keeps but does not
	// enforce: IAM roles and policies, SQS queue and S3 bucket policies.
	Engine    *engine.Engine
	Queues    queues.API
	Tables    *tables.Service
	Functions *functions.Service
	// Buckets holds S3 buckets, and the Lambda code that S3Bucket and
	// S3Key name.
	Buckets buckets.API
	// Endpoint is eddy's address, whose scheme and port website
	// addresses use (default http://localhost:4566).
	Endpoint string
	Logs     *logs.Store
	Params   *params.Service
	Events   *eventbus.Service
	RestAPIs *restapis.Service
	// HTTPAPIs serves function URLs and HTTP APIs.
	HTTPAPIs *httpapis.Service
	// Mappings are the event source mappings (the triggers service).
	Mappings eddy.EventSourceMappingService
}

// New returns the handlers by resource type.
func New(s Services) map[string]stacks.Handler {
	m := map[string]stacks.Handler{}
	if s.Queues != nil {
		m["AWS::SQS::Queue"] = &queueHandler{s: s.Queues}
	}
	if s.Tables != nil {
		m["AWS::DynamoDB::Table"] = &tableHandler{s: s.Tables}
	}
	if s.Functions != nil {
		m["AWS::Lambda::Function"] = &functionHandler{s: s.Functions, buckets: s.Buckets}
		m["AWS::Lambda::Permission"] = &permissionHandler{s: s.Functions}
		m["AWS::Lambda::Version"] = &versionHandler{s: s.Functions}
		m["AWS::Lambda::Alias"] = &aliasHandler{s: s.Functions}
		m["AWS::Lambda::EventInvokeConfig"] = &eventInvokeConfigHandler{s: s.Functions}
	}
	if s.Buckets != nil {
		if s.Endpoint == "" {
			s.Endpoint = "http://localhost:4566"
		}
		m["AWS::S3::Bucket"] = &bucketHandler{s: s.Buckets, endpoint: s.Endpoint}
	}
	if s.Mappings != nil {
		m["AWS::Lambda::EventSourceMapping"] = &mappingHandler{s: s.Mappings}
	}
	if s.RestAPIs != nil {
		a := restAPI{s: s.RestAPIs}
		m["AWS::ApiGateway::RestApi"] = &restAPIHandler{a}
		m["AWS::ApiGateway::Resource"] = &resourceHandler{a}
		m["AWS::ApiGateway::Method"] = &methodHandler{a}
		m["AWS::ApiGateway::Deployment"] = &deploymentHandler{a}
		m["AWS::ApiGateway::Stage"] = &stageHandler{a}
	}
	if s.HTTPAPIs != nil {
		m["AWS::Lambda::Url"] = &urlHandler{s: s.HTTPAPIs}
		m["AWS::ApiGatewayV2::Api"] = &httpAPIHandler{s: s.HTTPAPIs}
		for t, h := range newHTTPAPIParts(s.HTTPAPIs) {
			m[t] = h
		}
	}
	if s.Events != nil {
		m["AWS::Events::Rule"] = &ruleHandler{s: s.Events}
		m["AWS::Scheduler::Schedule"] = &scheduleHandler{s: s.Events}
	}
	if s.Params != nil {
		m["AWS::SSM::Parameter"] = &paramHandler{s: s.Params}
	}
	if s.Logs != nil {
		m["AWS::Logs::LogGroup"] = &logGroupHandler{s: s.Logs}
	}
	if s.Engine != nil {
		r := &records{e: s.Engine}
		m["AWS::IAM::Role"] = &roleHandler{r: r}
		m["AWS::IAM::Policy"] = &policyHandler{r: r}
		m["AWS::IAM::ManagedPolicy"] = &managedPolicyHandler{r: r}
		m["AWS::SQS::QueuePolicy"] = &recordedHandler{r: r, kind: "sqspolicy",
			spec: stacks.Spec{Properties: []string{"PolicyDocument", "Queues"}, Required: []string{"PolicyDocument", "Queues"}}}
		m["AWS::S3::BucketPolicy"] = &recordedHandler{r: r, kind: "s3policy",
			spec: stacks.Spec{Properties: []string{"Bucket", "PolicyDocument"}, Required: []string{"Bucket", "PolicyDocument"}, Replace: []string{"Bucket"}}}
	}
	return m
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomSuffix returns n random uppercase alphanumerics.
func randomSuffix(n int) string {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		if err != nil {
			k = big.NewInt(0)
		}
		b[i] = alnum[k.Int64()]
	}
	return string(b)
}

// notFound reports whether err is eddy's ENOTFOUND.
func notFound(err error) bool { return eddy.ErrorCode(err) == eddy.ENOTFOUND }

// nameOr returns the given name, or one generated for the resource.
func nameOr(given string, r *stacks.Request, max int) string {
	if given != "" {
		return given
	}
	return r.GeneratedName(max)
}

// interrupted returns the name generated for a resource whose create a
// restart cut short (it has no physical id), for its Delete to find it
// by; "" when there is no such name. A name the template gave may be
// another's resource, so only a generated one, unique to the create, is
// looked for.
func interrupted(r *stacks.Request, given string, max int) string {
	if r.PhysicalID != "" || given != "" || r.NameSuffix == "" {
		return ""
	}
	return r.GeneratedName(max)
}

// interruptedOwn is interrupted for the types whose create refuses a
// name that exists: a resource by the name the template gave can then
// only be the create's own, and is looked for too. It returns "" when
// the name is the one the replaced resource has (replaces).
func interruptedOwn(r *stacks.Request, given string, max int, replaces string) string {
	name := given
	if r.PhysicalID != "" {
		return ""
	}
	if name == "" {
		name = interrupted(r, "", max)
	}
	if name == "" || name == replaces {
		return ""
	}
	return name
}

// stackTags returns the tags CloudFormation gives the resources it
// creates, naming the stack and the logical id. An API is found by them
// when its create was cut short before its id was recorded.
func stackTags(r *stacks.Request) map[string]string {
	return map[string]string{
		"aws:cloudformation:stack-id":   r.Stack.ID,
		"aws:cloudformation:stack-name": r.Stack.Name,
		"aws:cloudformation:logical-id": r.LogicalID,
	}
}

// hasTags reports whether tags (strings, as JSON decodes them) include
// every one of want.
func hasTags[V comparable](tags map[string]V, want map[string]string) bool {
	for k, v := range want {
		tv, ok := tags[k]
		if !ok || any(tv) != any(v) {
			return false
		}
	}
	return true
}

// diffTags returns the tags to set and the keys to remove to go from old
// to cur.
func diffTags(old, cur map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range cur {
		if ov, ok := old[k]; !ok || ov != v {
			set[k] = v
		}
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

// ignoreNotFound returns nil for ENOTFOUND: deleting what is gone succeeds.
func ignoreNotFound(err error) error {
	if notFound(err) {
		return nil
	}
	return err
}
