package resources_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

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
	"github.com/eddyserverless/eddy/stacks/resources"
	"github.com/eddyserverless/eddy/tables"
	"github.com/eddyserverless/eddy/triggers"
)

const account = "123456789012"

// env is every service on one embedded engine, and the handlers on them.
type env struct {
	queues    *queues.Service
	tables    *tables.Service
	functions *functions.Service
	buckets   *buckets.Service
	logs      *logs.Store
	triggers  *triggers.Service
	params    *params.Service
	events    *eventbus.Service
	httpapis  *httpapis.Service
	restapis  *restapis.Service
	h         map[string]stacks.Handler
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	v := &env{
		queues:    queues.NewService(queues.Config{Engine: e, Account: account, LeaseTTL: 3 * time.Second}),
		tables:    tables.NewService(tables.Config{Engine: e, Account: account}),
		functions: functions.NewService(e, account, nil),
		buckets:   buckets.NewService(buckets.ServiceConfig{Engine: e, Account: account, LeaseTTL: 3 * time.Second, TombstoneGrace: time.Second}),
		logs:      logs.NewStore(logs.Config{Engine: e}),
		events:    eventbus.NewService(eventbus.Config{Engine: e, Account: account}),
		httpapis:  httpapis.NewService(e, nil, httpapis.Config{AccountID: account, Port: 4566}, nil),
		restapis:  restapis.NewService(restapis.Config{Engine: e, Account: account}),
		params:    params.NewService(params.Config{Engine: e, DataDir: tb.TempDir(), Account: account}),
	}
	// The triggers keep mappings; they are not started, so nothing polls.
	v.triggers = triggers.NewService(triggers.Config{Engine: e, Functions: v.functions, Versions: v.functions,
		Tables: v.tables, Queues: v.queues, Account: account})
	v.buckets.SetNotifications(v.triggers.BucketNotifications(v.buckets))
	for _, open := range []func(context.Context) error{v.queues.Open, v.tables.Open, v.functions.Open, v.buckets.Open, v.logs.Open, v.triggers.Open, v.params.Open, v.events.Open, v.httpapis.Open, v.restapis.Open} {
		if err := open(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(func() {
		_ = v.restapis.Close()
		_ = v.httpapis.Close()
		_ = v.events.Close()
		_ = v.params.Close()
		_ = v.triggers.Close(context.Background())
		_ = v.queues.Close()
		_ = v.tables.Close()
		_ = v.functions.Close()
		_ = v.buckets.Close()
		_ = v.logs.Close()
		_ = e.Close()
	})
	v.h = resources.New(resources.Services{Engine: e, Queues: v.queues, Tables: v.tables,
		Functions: v.functions, Buckets: v.buckets, Logs: v.logs, Mappings: v.triggers, Params: v.params, Events: v.events, HTTPAPIs: v.httpapis, RestAPIs: v.restapis})
	return v
}

var stack = stacks.Stack{Name: "app", ID: "arn:aws:cloudformation:us-east-1:" + account + ":stack/app/8f0e3c1a-0000-4000-8000-000000000000",
	Region: "us-east-1", Account: account}

func req(typ, logical string, props map[string]any) *stacks.Request {
	return &stacks.Request{Stack: stack, LogicalID: logical, Type: typ, Properties: props}
}

// create creates the resource and checks the result has a physical id.
func (v *env) create(t *testing.T, r *stacks.Request) *stacks.Result {
	t.Helper()
	res, err := v.h[r.Type].Create(context.Background(), r)
	if err != nil {
		t.Fatalf("create %s: %v", r.Type, err)
	}
	if res.PhysicalID == "" {
		t.Fatalf("create %s: no physical id", r.Type)
	}
	return res
}

// update updates the resource created as res to props.
func (v *env) update(t *testing.T, r *stacks.Request, res *stacks.Result, props map[string]any) (*stacks.Result, error) {
	t.Helper()
	u := *r
	u.OldProperties, u.Properties = r.Properties, props
	u.PhysicalID, u.Attributes = res.PhysicalID, res.Attributes
	return v.h[r.Type].Update(context.Background(), &u)
}

// deleteTwice deletes the resource, then deletes it again, which succeeds.
func (v *env) deleteTwice(t *testing.T, r *stacks.Request, res *stacks.Result) {
	t.Helper()
	d := *r
	d.OldProperties, d.PhysicalID, d.Attributes = r.Properties, res.PhysicalID, res.Attributes
	for i := 0; i < 2; i++ {
		if err := v.h[r.Type].Delete(context.Background(), &d); err != nil {
			t.Fatalf("delete %s (%d): %v", r.Type, i+1, err)
		}
	}
}

func wantReplace(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, stacks.ErrReplace) {
		t.Fatalf("update: got %v, want ErrReplace", err)
	}
}

func match(t *testing.T, what, pattern string, v any) {
	t.Helper()
	s, _ := v.(string)
	if !regexp.MustCompile("^" + pattern + "$").MatchString(s) {
		t.Errorf("%s = %q, want %s", what, s, pattern)
	}
}

// wantInvalid checks err is a validation error naming the property.
func wantInvalid(t *testing.T, err error, property string) {
	t.Helper()
	e := eddy.AsError(err)
	if e == nil || e.Code != eddy.EVALIDATE {
		t.Fatalf("got %v, want a validation error", err)
	}
	if !strings.Contains(e.Message, property) {
		t.Fatalf("message %q does not name %s", e.Message, property)
	}
}
