package params

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

// openStore opens an embedded engine and a service on dir; both close
// when the test ends (or when the returned func is called).
func openStore(tb testing.TB, dir string) (*Service, func()) {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	s := NewService(Config{Engine: e, DataDir: dir})
	if err := s.Open(context.Background()); err != nil {
		e.Close()
		tb.Fatal(err)
	}
	done := false
	closeAll := func() {
		if !done {
			done = true
			_ = s.Close()
			_ = e.Close()
		}
	}
	tb.Cleanup(closeAll)
	return s, closeAll
}

func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }

func mustPut(tb testing.TB, s *Service, region, name, value, typ string, overwrite bool) *PutParameterOutput {
	tb.Helper()
	in := &PutParameterInput{Name: &name, Value: &value}
	if typ != "" {
		in.Type = &typ
	}
	if overwrite {
		in.Overwrite = yes()
	}
	out, err := s.PutParameter(context.Background(), region, in)
	if err != nil {
		tb.Fatalf("put %s: %v", name, err)
	}
	return out
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s, closeAll := openStore(t, dir)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		mustPut(t, s, "", "/app/secret", fmt.Sprintf("s%d", i), typeSecure, true)
		mustPut(t, s, "eu-west-1", "/app/plain", fmt.Sprintf("p%d", i), typeString, true)
	}
	if _, err := s.LabelParameterVersion(ctx, "", &LabelParameterVersionInput{Name: str("/app/secret"), ParameterVersion: ptr(int64(2)), Labels: []string{"two"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTagsToResource(ctx, "", &AddTagsToResourceInput{ResourceType: str("Parameter"), ResourceId: str("/app/secret"), Tags: []Tag{{"k", "v"}}}); err != nil {
		t.Fatal(err)
	}
	closeAll()

	s, _ = openStore(t, dir)
	h, err := s.GetParameterHistory(ctx, "", &GetParameterHistoryInput{Name: str("/app/secret"), WithDecryption: yes()})
	if err != nil || len(h.Parameters) != 5 {
		t.Fatalf("history after reopen: %+v %v", h, err)
	}
	for i, p := range h.Parameters {
		if p.Value != fmt.Sprintf("s%d", i+1) || p.Version != int64(i+1) {
			t.Fatalf("version %d after reopen: %+v", i+1, p)
		}
	}
	if len(h.Parameters[1].Labels) != 1 || h.Parameters[1].Labels[0] != "two" {
		t.Fatalf("labels after reopen: %+v", h.Parameters[1])
	}
	g, err := s.GetParameter(ctx, "", &GetParameterInput{Name: str("/app/secret:two"), WithDecryption: yes()})
	if err != nil || g.Parameter.Value != "s2" {
		t.Fatalf("label after reopen: %+v %v", g, err)
	}
	d, err := s.DescribeParameters(ctx, "eu-west-1", &DescribeParametersInput{})
	if err != nil || len(d.Parameters) != 1 || d.Parameters[0].Name != "/app/plain" || d.Parameters[0].Version != 5 {
		t.Fatalf("describe after reopen: %+v %v", d, err)
	}
	tags, err := s.ListTagsForResource(ctx, "", &ListTagsForResourceInput{ResourceType: str("Parameter"), ResourceId: str("/app/secret")})
	if err != nil || len(tags.TagList) != 1 {
		t.Fatalf("tags after reopen: %+v %v", tags, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestStaleWriterCannotOverwrite: a writer that read the head long ago
// cannot put its version into a slot a newer version has taken since.
func TestStaleWriterCannotOverwrite(t *testing.T) {
	s, _ := openStore(t, t.TempDir())
	ctx := context.Background()
	mustPut(t, s, "", "/p", "v1", typeString, false)
	stale, _, err := s.readHead(ctx, "us-east-1", "/p")
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 103; i++ {
		mustPut(t, s, "", "/p", fmt.Sprintf("v%d", i), "", true)
	}
	// Slot 1 now holds version 101.
	if err := s.materialize(ctx, stale); err != errConflict {
		t.Fatalf("materialize from a stale head: got %v, want errConflict", err)
	}
	v, err := s.readVersion(ctx, "us-east-1", "/p", stale.Gen, 101)
	if err != nil || v == nil || v.Value != "v101" {
		t.Fatalf("version 101: %+v %v", v, err)
	}
	// A head that is current materializes its version once.
	cur, _, _ := s.readHead(ctx, "us-east-1", "/p")
	if err := s.materialize(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if err := s.materialize(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.readVersion(ctx, "us-east-1", "/p", cur.Gen, 103); v == nil || v.Value != "v103" {
		t.Fatalf("version 103: %+v", v)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	s, closeAll := openStore(t, dir)
	info, err := os.Stat(s.KeyPath())
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	data, _ := os.ReadFile(s.KeyPath())
	if key, err := hex.DecodeString(strings.TrimSpace(string(data))); err != nil || len(key) != 32 {
		t.Fatalf("key file holds %q", data)
	}
	mustPut(t, s, "", "/x", "secret", typeSecure, false)
	closeAll()

	// A damaged key file: Open fails and names it.
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s2 := NewService(Config{Engine: e, DataDir: dir})
	if err := s2.Open(context.Background()); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, KeyFile)) {
		t.Fatalf("open with a damaged key: %v", err)
	}
	// Another key: Open fails, saying what to copy.
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte(strings.Repeat("0f", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s3 := NewService(Config{Engine: e, DataDir: dir})
	if err := s3.Open(context.Background()); err == nil || !strings.Contains(err.Error(), "copy "+KeyFile) {
		t.Fatalf("open with another key: %v", err)
	}
	s3.Close()
}

func TestSeal(t *testing.T) {
	s, err := newSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal("plain text", "us-east-1", "/a", 3)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "plain text") || strings.Contains(blob(sealed), "plain") {
		t.Fatal("sealed value shows the plaintext")
	}
	if got, err := s.open(sealed, "us-east-1", "/a", 3); err != nil || got != "plain text" {
		t.Fatalf("open: %q %v", got, err)
	}
	for _, tc := range []struct {
		region, key string
		v           int64
	}{{"us-east-2", "/a", 3}, {"us-east-1", "/b", 3}, {"us-east-1", "/a", 4}} {
		if _, err := s.open(sealed, tc.region, tc.key, tc.v); err == nil {
			t.Fatalf("opened with %v", tc)
		}
	}
	other, _ := newSealer(append(make([]byte, 31), 1))
	if _, err := other.open(sealed, "us-east-1", "/a", 3); err == nil || other.fp == s.fp {
		t.Fatal("opened with another key")
	}
}

// TestDefaults checks what PutParameter records when a request leaves
// things out, and what an overwrite keeps.
func TestDefaults(t *testing.T) {
	s, _ := openStore(t, t.TempDir())
	ctx := context.Background()
	if _, err := s.PutParameter(ctx, "", &PutParameterInput{Name: str("/d"), Value: str("v"), Type: str(typeSecure), Description: str("desc"),
		AllowedPattern: str("[a-z]+"), Tier: str(tierAdvanced), DataType: str("text"),
		Policies: str(`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00.000Z"}}]`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutParameter(ctx, "", &PutParameterInput{Name: str("/d"), Value: str("w"), Overwrite: yes()}); err != nil {
		t.Fatal(err)
	}
	d, err := s.DescribeParameters(ctx, "", &DescribeParametersInput{})
	if err != nil || len(d.Parameters) != 1 {
		t.Fatal(d, err)
	}
	m := d.Parameters[0]
	if m.Type != typeSecure || m.KeyId != defaultKeyID || m.Description != "desc" || m.AllowedPattern != "[a-z]+" || m.Tier != tierAdvanced ||
		m.DataType != "text" || len(m.Policies) != 1 || m.Policies[0].PolicyType != "Expiration" || m.Version != 2 {
		t.Fatalf("metadata: %+v", m)
	}
	for _, tc := range []struct{ policies, typ string }{
		{`nope`, errPolicyAttribute},
		{`[{"Type":"Forever"}]`, errPolicyType},
		{`[{"Type":"Expiration"},{"Type":"Expiration"}]`, errIncompatible},
	} {
		_, err := s.PutParameter(ctx, "", &PutParameterInput{Name: str("/p"), Value: str("v"), Type: str(typeString), Tier: str(tierAdvanced), Policies: str(tc.policies)})
		if errType(err) != tc.typ {
			t.Errorf("policies %s: got %v, want %s", tc.policies, err, tc.typ)
		}
	}
}

// TestRequiredMembers checks the model's constraints on absent members.
func TestRequiredMembers(t *testing.T) {
	s, _ := openStore(t, t.TempDir())
	ctx := context.Background()
	for _, tc := range []struct {
		call func() error
		msg  string
	}{
		{func() error { _, err := s.PutParameter(ctx, "", &PutParameterInput{}); return err },
			"2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'value' failed to satisfy constraint: Member must not be null"},
		{func() error { _, err := s.GetParameter(ctx, "", &GetParameterInput{}); return err },
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{func() error { _, err := s.GetParameters(ctx, "", &GetParametersInput{}); return err },
			"1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null"},
		{func() error {
			_, err := s.UnlabelParameterVersion(ctx, "", &UnlabelParameterVersionInput{Name: str("a"), Labels: []string{"x"}})
			return err
		},
			"1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null"},
		{func() error {
			_, err := s.GetParametersByPath(ctx, "", &GetParametersByPathInput{Path: str("/"), MaxResults: ptr(0)})
			return err
		},
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{func() error {
			_, err := s.DeleteParameters(ctx, "", &DeleteParametersInput{Names: []string{}})
			return err
		},
			"1 validation error detected: Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	} {
		err := tc.call()
		if errType(err) != errValidation || eddy.ErrorMessage(err) != tc.msg {
			t.Errorf("got %v, want %q", err, tc.msg)
		}
	}
}
