package stacks_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/eddyserverless/eddy/stacks"
)

func TestChangeSets(t *testing.T) {
	s, h := newService(t)
	ctx := context.Background()
	csID, stackID, err := s.CreateChangeSet(ctx, stacks.CreateChangeSetInput{StackName: "app", ChangeSetName: "first", TemplateBody: v1, ChangeSetType: "CREATE"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.DescribeStacks(ctx, "app")
	if err != nil || st[0].Status != "REVIEW_IN_PROGRESS" {
		t.Fatalf("stack %+v %v", st, err)
	}
	cs, err := s.DescribeChangeSet(ctx, csID, "")
	if err != nil {
		t.Fatal(err)
	}
	if cs.Status != "CREATE_COMPLETE" || cs.ExecutionStatus != "AVAILABLE" || len(cs.Changes) != 5 || cs.Changes[0].Action != "Add" {
		t.Fatalf("change set %+v", cs)
	}
	if len(h.callList()) != 0 {
		t.Fatalf("calls %v before execution", h.callList())
	}
	_, _, err = s.CreateChangeSet(ctx, stacks.CreateChangeSetInput{StackName: "app", ChangeSetName: "first", TemplateBody: v1, ChangeSetType: "CREATE"})
	wantCode(t, err, "AlreadyExistsException", "ChangeSet [first] already exists")
	if err := s.ExecuteChangeSet(ctx, "first", "app", false); err != nil {
		t.Fatal(err)
	}
	if got := MustWait(t, s, stackID); got.Status != "CREATE_COMPLETE" || got.ChangeSetID != csID {
		t.Fatalf("stack %+v", got)
	}
	if l, _ := s.ListChangeSets(ctx, "app"); len(l) != 0 {
		t.Fatalf("change sets left after execution: %+v", l)
	}

	// An update change set: Modify in place, Modify with replacement, a
	// Conditional replacement through a Ref, Add and Remove.
	_, _, err = s.CreateChangeSet(ctx, stacks.CreateChangeSetInput{StackName: "app", ChangeSetName: "second", TemplateBody: v2})
	if err != nil {
		t.Fatal(err)
	}
	cs, err = s.DescribeChangeSet(ctx, "second", "app")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cs.Changes {
		got[c.LogicalResourceID] = c.Action + " " + c.Replacement
	}
	want := map[string]string{"Mod": "Modify False", "Rep": "Modify True", "User": "Modify Conditional", "New": "Add ", "Old": "Remove "}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	_, _, err = s.CreateChangeSet(ctx, stacks.CreateChangeSetInput{StackName: "app", ChangeSetName: "same", TemplateBody: v1})
	if err != nil {
		t.Fatal(err)
	}
	same, _ := s.DescribeChangeSet(ctx, "same", "app")
	if same.Status != "FAILED" || same.StatusReason != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Fatalf("empty change set %+v", same)
	}
	if l, _ := s.ListChangeSets(ctx, "app"); len(l) != 2 || l[0].Changes != nil {
		t.Fatalf("list %+v", l)
	}
	wantCode(t, s.ExecuteChangeSet(ctx, "same", "app", false), "InvalidChangeSetStatusException", "UNAVAILABLE")
	if err := s.DeleteChangeSet(ctx, "same", "app"); err != nil {
		t.Fatal(err)
	}
	_, err = s.DescribeChangeSet(ctx, "same", "app")
	wantCode(t, err, "ChangeSetNotFoundException", "ChangeSet [same] does not exist")
	if err := s.ExecuteChangeSet(ctx, "second", "app", false); err != nil {
		t.Fatal(err)
	}
	if got := MustWait(t, s, stackID); got.Status != "UPDATE_COMPLETE" {
		t.Fatalf("stack %+v", got)
	}
	if tmpl, _ := s.GetTemplate(ctx, "app", ""); tmpl != v2 {
		t.Fatalf("template %q", tmpl)
	}
	_, _, err = s.CreateChangeSet(ctx, stacks.CreateChangeSetInput{StackName: "nope", ChangeSetName: "x", TemplateBody: v1})
	wantCode(t, err, "ValidationError", "Stack [nope] does not exist")

	// A stack only reviewed is deleted with its change sets.
	_, reviewID, err := s.CreateChangeSet(ctx, stacks.CreateChangeSetInput{StackName: "review", ChangeSetName: "c", TemplateBody: v1, ChangeSetType: "CREATE"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStack(ctx, "review"); err != nil {
		t.Fatal(err)
	}
	if got := MustWait(t, s, reviewID); got.Status != "DELETE_COMPLETE" {
		t.Fatalf("status %s", got.Status)
	}
	if l, err := s.ListChangeSets(ctx, reviewID); err != nil || len(l) != 0 {
		t.Fatalf("change sets %+v %v", l, err)
	}
}
