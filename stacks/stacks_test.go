package stacks_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/stacks"
)

// thing is an in-memory resource type that records every call.
type thing struct {
	props    []string
	required []string

	mu         sync.Mutex        // guards the fields below
	calls      []string          // "Create A", "Update A", "Delete A"
	live       map[string]string // physical id → logical id
	fail       map[string]bool   // logical ids whose Create or Update fails
	meet       map[string]chan struct{}
	blocked    chan string // receives the logical id of a Create that blocks
	meetFor    time.Duration
	delBlocked bool
}

func newThing(props ...string) *thing {
	if props == nil {
		props = []string{"Name", "Value", "Key", "Meet", "Block", "List"}
	}
	return &thing{props: props, live: map[string]string{}, fail: map[string]bool{}, meet: map[string]chan struct{}{}, blocked: make(chan string, 10), meetFor: 5 * time.Second}
}

func (h *thing) Spec() stacks.Spec {
	return stacks.Spec{Properties: h.props, Required: h.required, Replace: []string{"Key"}, Attributes: []string{"Arn", "Value"}}
}

func (h *thing) failOn(id string, on bool) {
	h.mu.Lock()
	h.fail[id] = on
	h.mu.Unlock()
}

func (h *thing) record(call string, r *stacks.Request) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, call+" "+r.LogicalID)
	if call != "Delete" && (h.fail[r.LogicalID] || r.Properties["Value"] == "fail") {
		return fmt.Errorf("%s failed on purpose", r.LogicalID)
	}
	return nil
}

func (h *thing) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if m, ok := r.Properties["Meet"].(string); ok {
		// The first of two resources meeting here waits for the second:
		// they are only both created if they are created concurrently.
		h.mu.Lock()
		ch, waiting := h.meet[m]
		if !waiting {
			ch = make(chan struct{})
			h.meet[m] = ch
		}
		h.mu.Unlock()
		if waiting {
			close(ch)
		} else {
			select {
			case <-ch:
			case <-time.After(h.meetFor):
				return nil, errors.New("no concurrent create met " + r.LogicalID)
			}
		}
	}
	if r.Properties["Block"] == true {
		h.blocked <- r.LogicalID
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err := h.record("Create", r); err != nil {
		return nil, err
	}
	id, _ := r.Properties["Name"].(string)
	if id == "" {
		id = stacks.GeneratedName(r.Stack.Name, r.LogicalID, 64)
	}
	h.mu.Lock()
	h.live[id] = r.LogicalID
	h.mu.Unlock()
	return &stacks.Result{PhysicalID: id, Attributes: map[string]any{"Arn": "arn:thing:" + id, "Value": r.Properties["Value"]}}, nil
}

func (h *thing) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	if r.Properties["Block"] == true {
		h.blocked <- r.LogicalID
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err := h.record("Update", r); err != nil {
		return nil, err
	}
	if r.Properties["Value"] == "replace-me" {
		return nil, stacks.ErrReplace
	}
	return &stacks.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": "arn:thing:" + r.PhysicalID, "Value": r.Properties["Value"]}}, nil
}

func (h *thing) Delete(ctx context.Context, r *stacks.Request) error {
	if r.OldProperties["Value"] == "block-delete" {
		// Blocks once: the resumed delete goes through.
		h.mu.Lock()
		first := !h.delBlocked
		h.delBlocked = true
		h.mu.Unlock()
		if first {
			h.blocked <- r.LogicalID
			<-ctx.Done()
			return ctx.Err()
		}
	}
	_ = h.record("Delete", r)
	h.mu.Lock()
	delete(h.live, r.PhysicalID)
	h.mu.Unlock()
	return nil
}

func (h *thing) callList() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

func (h *thing) liveIDs() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := map[string]string{}
	for k, v := range h.live {
		m[k] = v
	}
	return m
}

func openEngine(tb testing.TB, dir string) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e
}

func openService(tb testing.TB, e *engine.Engine, handlers map[string]stacks.Handler) *stacks.Service {
	tb.Helper()
	s := stacks.NewService(stacks.Config{Engine: e, Handlers: handlers})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func newService(tb testing.TB) (*stacks.Service, *thing) {
	tb.Helper()
	h := newThing()
	strict := newThing()
	strict.required = []string{"Value"}
	e := openEngine(tb, tb.TempDir())
	s := openService(tb, e, map[string]stacks.Handler{"Test::Thing": h, "Test::Strict": strict, "AWS::IAM::Role": newThing("RoleName", "Value")})
	tb.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	return s, h
}

// MustWait polls the stack until no operation is in progress and returns it.
func MustWait(tb testing.TB, s *stacks.Service, id string) stacks.StackInfo {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, err := s.DescribeStacks(context.Background(), id)
		if err != nil {
			tb.Fatal(err)
		}
		if !strings.HasSuffix(st[0].Status, "_IN_PROGRESS") {
			return st[0]
		}
		if time.Now().After(deadline) {
			tb.Fatalf("stack %s still %s", id, st[0].Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func MustCreate(tb testing.TB, s *stacks.Service, in stacks.CreateStackInput, want string) stacks.StackInfo {
	tb.Helper()
	id, err := s.CreateStack(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	st := MustWait(tb, s, id)
	if st.Status != want {
		tb.Fatalf("status %s (%s), want %s", st.Status, st.StatusReason, want)
	}
	return st
}

func index(l []string, s string) int {
	for i, v := range l {
		if v == s {
			return i
		}
	}
	return -1
}

// statuses returns "Logical STATUS" of the events, oldest first.
func statuses(tb testing.TB, s *stacks.Service, id string) []string {
	tb.Helper()
	evs, err := s.DescribeStackEvents(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		out = append(out, evs[i].LogicalResourceID+" "+evs[i].ResourceStatus)
	}
	return out
}

func wantCode(tb testing.TB, err error, typ, msg string) {
	tb.Helper()
	var e *eddy.Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v, want %s", err, typ)
	}
	if e.Type != typ || !strings.Contains(e.Message, msg) {
		tb.Fatalf("got %s %q, want %s containing %q", e.Type, e.Message, typ, msg)
	}
}

const ordered = `
Resources:
  A: {Type: Test::Thing, Properties: {Meet: ab, Value: a}}
  B: {Type: Test::Thing, Properties: {Meet: ab, Value: b}}
  C:
    Type: Test::Thing
    Properties:
      Value: !Ref A
      List: [!GetAtt B.Arn]
  D:
    Type: Test::Thing
    Properties: {Value: !GetAtt C.Value, Name: !Sub "${AWS::StackName}-d"}
Outputs:
  CValue: {Value: !GetAtt C.Value, Export: {Name: shared-c}}
  DName: {Value: !Ref D, Description: the name}
`

func TestCreateInOrderWithRefsAndOutputs(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: ordered}, "CREATE_COMPLETE")
	if !strings.HasPrefix(st.StackID, "arn:aws:cloudformation:us-east-1:123456789012:stack/app/") {
		t.Fatalf("stack id %s", st.StackID)
	}
	calls := h.callList()
	if len(calls) != 4 || index(calls, "Create C") < index(calls, "Create A") || index(calls, "Create C") < index(calls, "Create B") || calls[3] != "Create D" {
		t.Fatalf("calls %v, want A and B, then C, then D", calls)
	}
	a, err := s.DescribeStackResource(ctx, "app", "A")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.PhysicalResourceID, "app-A-") || len(a.PhysicalResourceID) != len("app-A-")+13 {
		t.Fatalf("A's physical id %s", a.PhysicalResourceID)
	}
	c, _ := s.DescribeStackResource(ctx, "app", "C")
	b, _ := s.DescribeStackResource(ctx, "app", "B")
	if c.Properties["Value"] != a.PhysicalResourceID || fmt.Sprint(c.Properties["List"]) != "[arn:thing:"+b.PhysicalResourceID+"]" {
		t.Fatalf("C's properties %v", c.Properties)
	}
	if len(st.Outputs) != 2 || st.Outputs[0] != (stacks.Output{Key: "CValue", Value: a.PhysicalResourceID, ExportName: "shared-c"}) ||
		st.Outputs[1] != (stacks.Output{Key: "DName", Value: "app-d", Description: "the name"}) {
		t.Fatalf("outputs %+v", st.Outputs)
	}
	ev := statuses(t, s, "app")
	if ev[0] != "app CREATE_IN_PROGRESS" || ev[len(ev)-1] != "app CREATE_COMPLETE" || len(ev) != 10 {
		t.Fatalf("events %v", ev)
	}
	if index(ev, "D CREATE_IN_PROGRESS") < index(ev, "C CREATE_COMPLETE") {
		t.Fatalf("events %v: D began before C completed", ev)
	}
	evs, _ := s.DescribeStackEvents(ctx, "app")
	if evs[len(evs)-1].ResourceStatusReason != "User Initiated" || evs[0].StackID != st.StackID {
		t.Fatalf("events %+v", evs[len(evs)-1])
	}
	for _, e := range evs {
		if e.LogicalResourceID == "D" && e.ResourceStatus == "CREATE_IN_PROGRESS" && !strings.Contains(e.ResourceProperties, `"Name":"app-d"`) {
			t.Fatalf("D's event properties %s", e.ResourceProperties)
		}
	}

	// Exports, imports, and an export in use.
	xs, _ := s.ListExports(ctx)
	if len(xs) != 1 || xs[0].Name != "shared-c" || xs[0].ExportingStackID != st.StackID {
		t.Fatalf("exports %+v", xs)
	}
	MustCreate(t, s, stacks.CreateStackInput{StackName: "user", TemplateBody: `
Resources:
  U: {Type: Test::Thing, Properties: {Value: !ImportValue shared-c}}`}, "CREATE_COMPLETE")
	u, _ := s.DescribeStackResource(ctx, "user", "U")
	if u.Properties["Value"] != a.PhysicalResourceID {
		t.Fatalf("imported %v", u.Properties["Value"])
	}
	if im, err := s.ListImports(ctx, "shared-c"); err != nil || len(im) != 1 || im[0] != "user" {
		t.Fatalf("imports %v %v", im, err)
	}
	wantCode(t, s.DeleteStack(ctx, "app"), "ValidationError", "Export shared-c cannot be deleted as it is in use by user")
	noExport := strings.Replace(ordered, ", Export: {Name: shared-c}", "", 1)
	if _, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: noExport}); err != nil {
		t.Fatal(err)
	}
	if got := MustWait(t, s, st.StackID); got.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", got.Status)
	}
	if xs, _ := s.ListExports(ctx); len(xs) != 1 {
		t.Fatalf("exports after rollback %+v", xs)
	}
	st2 := MustCreate(t, s, stacks.CreateStackInput{StackName: "dup", TemplateBody: `
Resources:
  X: {Type: Test::Thing}
Outputs:
  O: {Value: x, Export: {Name: shared-c}}`}, "ROLLBACK_COMPLETE")
	evs, _ = s.DescribeStackEvents(ctx, st2.StackID)
	if evs[3].ResourceStatus != "ROLLBACK_IN_PROGRESS" || evs[3].ResourceStatusReason != "Export with name shared-c is already exported by stack app" {
		t.Fatalf("rollback event %+v", evs[3])
	}
	_, err = s.CreateStack(ctx, stacks.CreateStackInput{StackName: "app", TemplateBody: ordered})
	wantCode(t, err, "AlreadyExistsException", "Stack [app] already exists")
}

func TestValidationCreatesNothing(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	for _, c := range []struct{ body, msg string }{
		{"Resources:\n  A: {Type: Test::Nope}\n  B: {Type: Test::Thing}\n  C: {Type: AWS::Zzz}", "Template format error: Unrecognized resource types: [AWS::Zzz, Test::Nope]"},
		{"Resources:\n  A: {Type: Test::Thing, Properties: {Colour: red}}", "Encountered unsupported property Colour"},
		{"Resources:\n  A: {Type: Test::Strict}", "Property Value cannot be empty."},
		{"Resources:\n  A: {Type: Test::Thing, Properties: {Value: !Ref Nope}}", "Nope"},
		{"Parameters: {P: {Type: String}}\nResources:\n  A: {Type: Test::Thing}", "Parameters: [P] must have values"},
		{"{", ""},
	} {
		_, err := s.CreateStack(ctx, stacks.CreateStackInput{StackName: "bad", TemplateBody: c.body})
		wantCode(t, err, "ValidationError", c.msg)
	}
	if calls := h.callList(); len(calls) != 0 {
		t.Fatalf("calls %v", calls)
	}
	if l, _ := s.ListStacks(ctx, nil); len(l) != 0 {
		t.Fatalf("stacks %+v", l)
	}
	_, err := s.DescribeStacks(ctx, "bad")
	wantCode(t, err, "ValidationError", "Stack with id bad does not exist")
	_, err = s.DescribeStacks(ctx, "arn:aws:cloudformation:us-east-1:123456789012:stack/bad/%x")
	wantCode(t, err, "ValidationError", "does not exist")
}

func TestCapabilities(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	role := "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {Value: x}}"
	named := "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {RoleName: x}}"
	_, err := s.CreateStack(ctx, stacks.CreateStackInput{StackName: "r", TemplateBody: role})
	wantCode(t, err, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]")
	_, err = s.CreateStack(ctx, stacks.CreateStackInput{StackName: "r", TemplateBody: named, Capabilities: []string{"CAPABILITY_IAM"}})
	wantCode(t, err, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
	MustCreate(t, s, stacks.CreateStackInput{StackName: "r", TemplateBody: role, Capabilities: []string{"CAPABILITY_IAM"}}, "CREATE_COMPLETE")
	MustCreate(t, s, stacks.CreateStackInput{StackName: "n", TemplateBody: named, Capabilities: []string{"CAPABILITY_NAMED_IAM"}}, "CREATE_COMPLETE")
	v, err := s.ValidateTemplate(ctx, named)
	if err != nil || len(v.Capabilities) != 1 || v.Capabilities[0] != "CAPABILITY_NAMED_IAM" {
		t.Fatalf("validate %+v %v", v, err)
	}
}

func TestRollbackOnFailure(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	h.failOn("C", true)
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: ordered}, "ROLLBACK_COMPLETE")
	if st.StatusReason != "" {
		t.Fatalf("reason %q", st.StatusReason)
	}
	if live := h.liveIDs(); len(live) != 0 {
		t.Fatalf("left behind %v", live)
	}
	if index(h.callList(), "Create D") >= 0 {
		t.Fatal("D was created after C failed")
	}
	ev := statuses(t, s, "app")
	want := []string{"C CREATE_FAILED", "app ROLLBACK_IN_PROGRESS", "A DELETE_COMPLETE", "B DELETE_COMPLETE", "C DELETE_COMPLETE", "app ROLLBACK_COMPLETE"}
	last := -1
	for _, w := range want {
		i := index(ev, w)
		if w == "A DELETE_COMPLETE" || w == "B DELETE_COMPLETE" {
			if i < 0 {
				t.Fatalf("events %v lack %s", ev, w)
			}
			continue
		}
		if i <= last {
			t.Fatalf("events %v: %s out of order", ev, w)
		}
		last = i
	}
	evs, _ := s.DescribeStackEvents(ctx, "app")
	for _, e := range evs {
		if e.ResourceStatus == "ROLLBACK_IN_PROGRESS" && e.ResourceStatusReason != "The following resource(s) failed to create: [C]. " {
			t.Fatalf("rollback reason %q", e.ResourceStatusReason)
		}
		if e.ResourceStatus == "CREATE_FAILED" && e.ResourceStatusReason != "C failed on purpose" {
			t.Fatalf("failure reason %q", e.ResourceStatusReason)
		}
	}
	// A stack rolled back can only be deleted.
	_, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: ordered})
	wantCode(t, err, "ValidationError", "is in ROLLBACK_COMPLETE state and can not be updated.")
	if err := s.DeleteStack(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if st := MustWait(t, s, st.StackID); st.Status != "DELETE_COMPLETE" {
		t.Fatalf("status %s", st.Status)
	}
}

func TestDisableRollback(t *testing.T) {
	s, h := newService(t)
	h.failOn("C", true)
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: ordered, DisableRollback: true}, "CREATE_FAILED")
	if st.StatusReason != "The following resource(s) failed to create: [C]. " {
		t.Fatalf("reason %q", st.StatusReason)
	}
	if live := h.liveIDs(); len(live) != 2 {
		t.Fatalf("live %v, want A and B kept", live)
	}
	if err := s.DeleteStack(context.Background(), "app"); err != nil {
		t.Fatal(err)
	}
	MustWait(t, s, st.StackID)
	if live := h.liveIDs(); len(live) != 0 {
		t.Fatalf("live %v after delete", live)
	}
}

func TestDeleteKeepsRetainedAndStaysVisibleByID(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: `
Resources:
  Keep: {Type: Test::Thing, DeletionPolicy: Retain, Properties: {Name: kept}}
  Gone: {Type: Test::Thing, Properties: {Value: !Ref Keep}}`}, "CREATE_COMPLETE")
	if err := s.DeleteStack(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	st = MustWait(t, s, st.StackID)
	if st.Status != "DELETE_COMPLETE" || st.DeletionTime.IsZero() {
		t.Fatalf("stack %+v", st)
	}
	if live := h.liveIDs(); len(live) != 1 || live["kept"] != "Keep" {
		t.Fatalf("live %v", live)
	}
	calls := h.callList()
	if calls[len(calls)-1] != "Delete Gone" {
		t.Fatalf("calls %v", calls)
	}
	ev := statuses(t, s, st.StackID)
	if index(ev, "Keep DELETE_SKIPPED") < index(ev, "Gone DELETE_COMPLETE") {
		t.Fatalf("events %v", ev)
	}
	if _, err := s.DescribeStacks(ctx, "app"); err == nil {
		t.Fatal("deleted stack found by name")
	}
	if l, _ := s.ListStacks(ctx, []string{"DELETE_COMPLETE"}); len(l) != 1 || l[0].StackID != st.StackID {
		t.Fatalf("list %+v", l)
	}
	if all, _ := s.DescribeStacks(ctx, ""); len(all) != 0 {
		t.Fatalf("describe all %+v", all)
	}
	// The name is free again.
	MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: "Resources:\n  X: {Type: Test::Thing}"}, "CREATE_COMPLETE")
}

const v1 = `
Resources:
  Same: {Type: Test::Thing, Properties: {Value: same}}
  Mod: {Type: Test::Thing, Properties: {Value: one}}
  Rep: {Type: Test::Thing, Properties: {Key: k1}}
  Old: {Type: Test::Thing}
  User: {Type: Test::Thing, Properties: {Value: !Ref Rep}}
`

const v2 = `
Resources:
  Same: {Type: Test::Thing, Properties: {Value: same}}
  Mod: {Type: Test::Thing, Properties: {Value: two}}
  Rep: {Type: Test::Thing, Properties: {Key: k2}}
  New: {Type: Test::Thing}
  User: {Type: Test::Thing, Properties: {Value: !Ref Rep}}
`

func physical(tb testing.TB, s *stacks.Service, stack string) map[string]string {
	tb.Helper()
	rs, err := s.DescribeStackResources(context.Background(), stack)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rs {
		m[r.LogicalResourceID] = r.PhysicalResourceID + " " + r.ResourceStatus
	}
	return m
}

func TestUpdate(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: v1}, "CREATE_COMPLETE")
	before := physical(t, s, "app")
	_, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: v1})
	wantCode(t, err, "ValidationError", "No updates are to be performed.")

	n := len(h.callList())
	if _, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: v2}); err != nil {
		t.Fatal(err)
	}
	if st = MustWait(t, s, st.StackID); st.Status != "UPDATE_COMPLETE" {
		t.Fatalf("status %s %s", st.Status, st.StatusReason)
	}
	after := physical(t, s, "app")
	calls := h.callList()[n:]
	for _, c := range []string{"Update Mod", "Create Rep", "Create New", "Update User", "Delete Rep", "Delete Old"} {
		if index(calls, c) < 0 {
			t.Fatalf("calls %v lack %s", calls, c)
		}
	}
	if index(calls, "Delete Rep") < index(calls, "Update User") || index(calls, "Update Same") >= 0 {
		t.Fatalf("calls %v", calls)
	}
	if after["Same"] != before["Same"] || after["Mod"] == before["Mod"] && false || after["Rep"] == before["Rep"] || after["Old"] != "" || after["New"] == "" {
		t.Fatalf("before %v after %v", before, after)
	}
	u, _ := s.DescribeStackResource(ctx, "app", "User")
	if rep := strings.Fields(after["Rep"])[0]; u.Properties["Value"] != rep {
		t.Fatalf("User refers to %v, want the replacement %s", u.Properties["Value"], rep)
	}
	if live := h.liveIDs(); len(live) != 5 {
		t.Fatalf("live %v", live)
	}
	ev := statuses(t, s, "app")
	if index(ev, "app UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") < index(ev, "User UPDATE_COMPLETE") || ev[len(ev)-1] != "app UPDATE_COMPLETE" {
		t.Fatalf("events %v", ev)
	}
	tmpl, _ := s.GetTemplate(ctx, "app", "Original")
	if tmpl != v2 {
		t.Fatalf("template %q", tmpl)
	}

	// A failing update rolls back to v2.
	v3 := strings.Replace(strings.Replace(v2, "two", "fail", 1), "New: {Type: Test::Thing}", "New: {Type: Test::Thing}\n  Extra: {Type: Test::Thing}", 1)
	if _, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: v3}); err != nil {
		t.Fatal(err)
	}
	if st = MustWait(t, s, st.StackID); st.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("status %s %s", st.Status, st.StatusReason)
	}
	if got := physical(t, s, "app"); got["Extra"] != "" || strings.Fields(got["Mod"])[0] != strings.Fields(after["Mod"])[0] {
		t.Fatalf("after rollback %v", got)
	}
	m, _ := s.DescribeStackResource(ctx, "app", "Mod")
	if m.Properties["Value"] != "two" {
		t.Fatalf("Mod %v", m.Properties)
	}
	if tmpl, _ := s.GetTemplate(ctx, "app", ""); tmpl != v2 {
		t.Fatalf("template after rollback %q", tmpl)
	}
	if live := h.liveIDs(); len(live) != 5 {
		t.Fatalf("live %v", live)
	}
}

func TestResumeRollsBackInterruptedCreate(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	h := newThing()
	s := openService(t, e, map[string]stacks.Handler{"Test::Thing": h})
	id, err := s.CreateStack(context.Background(), stacks.CreateStackInput{StackName: "app", TemplateBody: `
Resources:
  A: {Type: Test::Thing}
  B: {Type: Test::Thing, Properties: {Value: !Ref A, Block: true}}`})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("B was never created")
	}
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	defer e.Close()
	s = openService(t, e, map[string]stacks.Handler{"Test::Thing": h})
	defer s.Close()
	st := MustWait(t, s, id)
	if st.Status != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", st.Status)
	}
	if live := h.liveIDs(); len(live) != 0 {
		t.Fatalf("live %v", live)
	}
	calls := h.callList()
	if index(calls, "Delete B") < 0 || index(calls, "Delete A") < index(calls, "Delete B") {
		t.Fatalf("calls %v", calls)
	}
}

func TestSAMTemplate(t *testing.T) {
	fn := newThing("Code", "Handler", "Runtime", "Role", "Tags", "MemorySize", "Timeout", "Environment", "Architectures", "Description", "FunctionName")
	role := newThing("AssumeRolePolicyDocument", "ManagedPolicyArns", "Policies", "Tags", "RoleName", "Path")
	e := openEngine(t, t.TempDir())
	s := openService(t, e, map[string]stacks.Handler{"AWS::Lambda::Function": fn, "AWS::IAM::Role": role})
	defer func() { _ = s.Close(); _ = e.Close() }()
	body := `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code/fn.zip
      Handler: index.handler
      Runtime: python3.12
Outputs:
  Arn: {Value: !GetAtt FnRole.Arn}
`
	ctx := context.Background()
	_, err := s.CreateStack(ctx, stacks.CreateStackInput{StackName: "sam", TemplateBody: body, Capabilities: []string{"CAPABILITY_IAM"}})
	wantCode(t, err, "InsufficientCapabilitiesException", "[CAPABILITY_AUTO_EXPAND]")
	_, err = s.CreateStack(ctx, stacks.CreateStackInput{StackName: "sam", TemplateBody: body, Capabilities: []string{"CAPABILITY_AUTO_EXPAND"}})
	wantCode(t, err, "InsufficientCapabilitiesException", "[CAPABILITY_IAM]")
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "sam", TemplateBody: body, Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}}, "CREATE_COMPLETE")
	if len(fn.callList()) != 1 || len(role.callList()) != 1 || len(st.Outputs) != 1 || !strings.HasPrefix(st.Outputs[0].Value, "arn:thing:sam-FnRole-") {
		t.Fatalf("calls %v %v outputs %+v", fn.callList(), role.callList(), st.Outputs)
	}
	f, _ := s.DescribeStackResource(ctx, "sam", "Fn")
	if f.Properties["Role"] != st.Outputs[0].Value {
		t.Fatalf("function role %v", f.Properties["Role"])
	}
	processed, _ := s.GetTemplate(ctx, "sam", "Processed")
	if strings.Contains(processed, "AWS::Serverless::Function") || !strings.Contains(processed, "AWS::Lambda::Function") {
		t.Fatalf("processed %s", processed)
	}
}

func TestGeneratedName(t *testing.T) {
	for _, c := range []struct {
		stack, id string
		max       int
		prefix    string
	}{
		{"app", "Queue", 80, "app-Queue-"},
		{strings.Repeat("s", 60), strings.Repeat("L", 10), 64, strings.Repeat("s", 39) + "-" + strings.Repeat("L", 10) + "-"},
		{"a", "B", 10, ""},
	} {
		got := stacks.GeneratedName(c.stack, c.id, c.max)
		if len(got) > c.max || !strings.HasPrefix(got, c.prefix) {
			t.Errorf("GeneratedName(%q, %q, %d) = %q, want prefix %q within %d", c.stack, c.id, c.max, got, c.prefix, c.max)
		}
		suffix := got[len(c.prefix):]
		if c.prefix != "" && (len(suffix) != 13 || strings.ToUpper(suffix) != suffix) {
			t.Errorf("suffix %q", suffix)
		}
	}
}

func FuzzCreateStack(f *testing.F) {
	for _, b := range []string{ordered, v1, "{}", "Resources: {A: {Type: Test::Thing, Properties: {Value: {Fn::GetAtt: [A, Arn]}}}}", "Transform: AWS::Serverless-2016-10-31\nResources: {F: {Type: AWS::Serverless::Function}}", `{"Resources":{"A":{"Type":"Test::Thing","Properties":{"Name":{"Fn::Sub":"${AWS::Region}"}}}}}`} {
		f.Add(b)
	}
	h := newThing()
	h.meetFor = time.Millisecond
	e := openEngine(f, f.TempDir())
	s := openService(f, e, map[string]stacks.Handler{"Test::Thing": h, "AWS::IAM::Role": newThing("RoleName", "Value")})
	f.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	n := 0
	f.Fuzz(func(t *testing.T, body string) {
		n++
		id, err := s.CreateStack(context.Background(), stacks.CreateStackInput{StackName: fmt.Sprintf("f%d", n), TemplateBody: body, Capabilities: []string{"CAPABILITY_AUTO_EXPAND", "CAPABILITY_NAMED_IAM"}})
		if err == nil {
			MustWait(t, s, id)
		} else {
			var e *eddy.Error
			if !errors.As(err, &e) || (e.Type != "ValidationError" && e.Type != "InsufficientCapabilitiesException") {
				t.Fatalf("CreateStack(%q): %v", body, err)
			}
		}
	})
}

func TestUpdateReplacedByHandler(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: "Resources:\n  R: {Type: Test::Thing, Properties: {Value: x}}"}, "CREATE_COMPLETE")
	before := physical(t, s, "app")["R"]
	if _, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: "Resources:\n  R: {Type: Test::Thing, Properties: {Value: replace-me}}"}); err != nil {
		t.Fatal(err)
	}
	if st = MustWait(t, s, st.StackID); st.Status != "UPDATE_COMPLETE" {
		t.Fatalf("status %s", st.Status)
	}
	after := physical(t, s, "app")["R"]
	if after == before {
		t.Fatalf("R kept %s after ErrReplace", after)
	}
	calls := h.callList()
	if fmt.Sprint(calls) != "[Create R Update R Create R Delete R]" {
		t.Fatalf("calls %v", calls)
	}
	if live := h.liveIDs(); len(live) != 1 {
		t.Fatalf("live %v", live)
	}
}

func TestResumeRollsBackInterruptedUpdate(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	h := newThing()
	s := openService(t, e, map[string]stacks.Handler{"Test::Thing": h})
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: v1}, "CREATE_COMPLETE")
	v4 := strings.Replace(v2, "Value: two", "Value: two, Block: true", 1)
	if _, err := s.UpdateStack(context.Background(), stacks.UpdateStackInput{StackName: "app", TemplateBody: v4}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the update never reached Mod")
	}
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	defer e.Close()
	s = openService(t, e, map[string]stacks.Handler{"Test::Thing": h})
	defer s.Close()
	got := MustWait(t, s, st.StackID)
	if got.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("status %s", got.Status)
	}
	rs := physical(t, s, "app")
	if rs["Old"] == "" || rs["New"] != "" || len(rs) != 5 {
		t.Fatalf("resources %v", rs)
	}
	m, _ := s.DescribeStackResource(context.Background(), "app", "Mod")
	if m.Properties["Value"] != "one" {
		t.Fatalf("Mod %v", m.Properties)
	}
	if live := h.liveIDs(); len(live) != 5 {
		t.Fatalf("live %v", live)
	}
	if tmpl, _ := s.GetTemplate(context.Background(), "app", ""); tmpl != v1 {
		t.Fatalf("template %q", tmpl)
	}
}

func TestParameters(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	body := `
Description: with parameters
Parameters:
  Secret: {Type: String, NoEcho: true}
  Size: {Type: Number, Default: "3"}
Resources:
  R: {Type: Test::Thing, Properties: {Value: !Sub "${Secret}-${Size}"}}
`
	v, err := s.ValidateTemplate(ctx, body)
	if err != nil || v.Description != "with parameters" || len(v.Parameters) != 2 || !v.Parameters[0].NoEcho || v.Parameters[1].DefaultValue != "3" {
		t.Fatalf("validate %+v %v", v, err)
	}
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "p", TemplateBody: body, Parameters: []stacks.Parameter{{Key: "Secret", Value: "hush"}}}, "CREATE_COMPLETE")
	if fmt.Sprint(st.Parameters) != fmt.Sprint([]stacks.Parameter{{Key: "Secret", Value: "****"}, {Key: "Size", Value: "3"}}) {
		t.Fatalf("parameters %+v", st.Parameters)
	}
	r, _ := s.DescribeStackResource(ctx, "p", "R")
	if r.Properties["Value"] != "hush-3" {
		t.Fatalf("R %v", r.Properties)
	}
	if _, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "p", UsePreviousTemplate: true, Parameters: []stacks.Parameter{{Key: "Secret", UsePreviousValue: true}, {Key: "Size", Value: "4"}}}); err != nil {
		t.Fatal(err)
	}
	MustWait(t, s, st.StackID)
	if r, _ := s.DescribeStackResource(ctx, "p", "R"); r.Properties["Value"] != "hush-4" {
		t.Fatalf("R %v", r.Properties)
	}
	_, err = s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "p", UsePreviousTemplate: true, Parameters: []stacks.Parameter{{Key: "Secret", UsePreviousValue: true}, {Key: "Size", UsePreviousValue: true}}})
	wantCode(t, err, "ValidationError", "No updates are to be performed.")
}

func TestResumeContinuesInterruptedDelete(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	h := newThing()
	s := openService(t, e, map[string]stacks.Handler{"Test::Thing": h})
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: `
Resources:
  A: {Type: Test::Thing}
  B: {Type: Test::Thing, Properties: {Value: block-delete, Name: !Ref A}}`}, "CREATE_COMPLETE")
	if err := s.DeleteStack(context.Background(), "app"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("B was never deleted")
	}
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	defer e.Close()
	s = openService(t, e, map[string]stacks.Handler{"Test::Thing": h})
	defer s.Close()
	if got := MustWait(t, s, st.StackID); got.Status != "DELETE_COMPLETE" {
		t.Fatalf("status %s", got.Status)
	}
	if live := h.liveIDs(); len(live) != 0 {
		t.Fatalf("live %v", live)
	}
}

func TestUpdateReplacePolicyRetain(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "app", TemplateBody: "Resources:\n  R: {Type: Test::Thing, UpdateReplacePolicy: Retain, Properties: {Key: a}}"}, "CREATE_COMPLETE")
	if _, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "app", TemplateBody: "Resources:\n  R: {Type: Test::Thing, UpdateReplacePolicy: Retain, Properties: {Key: b}}"}); err != nil {
		t.Fatal(err)
	}
	if st = MustWait(t, s, st.StackID); st.Status != "UPDATE_COMPLETE" {
		t.Fatalf("status %s", st.Status)
	}
	if live := h.liveIDs(); len(live) != 2 || index(h.callList(), "Delete R") >= 0 {
		t.Fatalf("live %v calls %v, want the replaced resource kept", live, h.callList())
	}
	if ev := statuses(t, s, "app"); index(ev, "R DELETE_SKIPPED") < 0 {
		t.Fatalf("events %v", ev)
	}
}
