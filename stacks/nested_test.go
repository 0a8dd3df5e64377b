package stacks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/stacks"
)

// openNesting opens a service whose nested stacks read their templates
// from templates, by URL.
func openNesting(tb testing.TB, e *engine.Engine, h *thing, templates map[string]string) *stacks.Service {
	tb.Helper()
	s := stacks.NewService(stacks.Config{Engine: e, Handlers: map[string]stacks.Handler{"Test::Thing": h},
		ReadTemplate: func(_ context.Context, u string) (string, error) {
			return templates[u], nil
		}})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

const nestingTemplate = `
Parameters:
  V: {Type: String, Default: one}
Resources:
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: http://templates/inner
      Parameters: {Value: !Ref V}
  After: {Type: Test::Thing, Properties: {Value: !GetAtt Inner.Outputs.Out}}
Outputs:
  Out: {Value: !GetAtt After.Value}
`

const innerTemplate = `
Parameters:
  Value: {Type: String}
Resources:
  T: {Type: Test::Thing, Properties: {Value: !Ref Value}}
Outputs:
  Out: {Value: !GetAtt T.Value}
`

// TestNestedStack creates, updates and deletes a stack nesting another,
// whose output a resource of the parent reads.
func TestNestedStack(t *testing.T) {
	e := openEngine(t, t.TempDir())
	defer e.Close()
	h := newThing()
	s := openNesting(t, e, h, map[string]string{"http://templates/inner": innerTemplate})
	defer s.Close()
	ctx := context.Background()
	st := MustCreate(t, s, stacks.CreateStackInput{StackName: "outer", TemplateBody: nestingTemplate}, "CREATE_COMPLETE")
	if len(st.Outputs) != 1 || st.Outputs[0].Value != "one" {
		t.Fatalf("outputs %+v", st.Outputs)
	}
	inner, err := s.DescribeStackResource(ctx, "outer", "Inner")
	if err != nil {
		t.Fatal(err)
	}
	child, err := s.DescribeStacks(ctx, inner.PhysicalResourceID)
	if err != nil || child[0].ParentID != st.StackID || child[0].RootID != st.StackID || !strings.HasPrefix(child[0].StackName, "outer-Inner-") {
		t.Fatalf("nested stack %+v %v", child, err)
	}
	id, err := s.UpdateStack(ctx, stacks.UpdateStackInput{StackName: "outer", UsePreviousTemplate: true, Parameters: []stacks.Parameter{{Key: "V", Value: "two"}}})
	if err != nil {
		t.Fatal(err)
	}
	if st := MustWait(t, s, id); st.Status != "UPDATE_COMPLETE" || st.Outputs[0].Value != "two" {
		t.Fatalf("update: %s %+v", st.Status, st.Outputs)
	}
	if c := MustWait(t, s, inner.PhysicalResourceID); c.Status != "UPDATE_COMPLETE" {
		t.Fatalf("nested stack after the update: %s", c.Status)
	}
	if err := s.DeleteStack(ctx, "outer"); err != nil {
		t.Fatal(err)
	}
	if st := MustWait(t, s, id); st.Status != "DELETE_COMPLETE" {
		t.Fatalf("delete: %s", st.Status)
	}
	if c := MustWait(t, s, inner.PhysicalResourceID); c.Status != "DELETE_COMPLETE" {
		t.Fatalf("nested stack after the delete: %s", c.Status)
	}
	if live := h.liveIDs(); len(live) != 0 {
		t.Fatalf("live %v", live)
	}
}

// TestResumeRollsBackInterruptedNestedCreate stops eddy while a nested
// stack is being created: once restarted, both stacks roll back and
// nothing they made is left.
func TestResumeRollsBackInterruptedNestedCreate(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	h := newThing()
	templates := map[string]string{"http://templates/inner": `
Parameters:
  Value: {Type: String}
Resources:
  A: {Type: Test::Thing}
  B: {Type: Test::Thing, Properties: {Value: !Ref A, Block: true}}
Outputs:
  Out: {Value: !Ref B}
`}
	s := openNesting(t, e, h, templates)
	id, err := s.CreateStack(context.Background(), stacks.CreateStackInput{StackName: "outer", TemplateBody: nestingTemplate})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the nested stack's B was never created")
	}
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	defer e.Close()
	s = openNesting(t, e, h, templates)
	defer s.Close()
	st := MustWait(t, s, id)
	if st.Status != "ROLLBACK_COMPLETE" {
		t.Fatalf("parent %s", st.Status)
	}
	all, err := s.ListStacks(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if strings.HasPrefix(x.StackName, "outer-Inner-") && x.StackStatus != "DELETE_COMPLETE" {
			t.Errorf("nested stack %s is %s", x.StackName, x.StackStatus)
		}
	}
	if live := h.liveIDs(); len(live) != 0 {
		t.Fatalf("live %v", live)
	}
}
