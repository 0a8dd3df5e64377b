package functions_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/functions"
)

const region = "us-east-1"

// MustEngine opens an embedded engine in a temporary directory.
func MustEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatalf("open engine: %v", err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

// MustService opens a registry on e; several on one engine behave as the
// registries of several nodes.
func MustService(tb testing.TB, e *engine.Engine) *functions.Service {
	tb.Helper()
	s := functions.NewService(e, "", nil)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("open registry: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// MustFunction creates a function and fails the test on error.
func MustFunction(tb testing.TB, s *functions.Service, name string) {
	tb.Helper()
	_, err := s.CreateFunction(context.Background(), region, &eddy.CreateFunctionInput{
		Function: eddy.Function{Name: name, Runtime: "provided.al2023", Handler: "bootstrap",
			Role: "arn:aws:iam::000000000000:role/r"},
		ZipFile: MustZip(tb, entry{name: "bootstrap", body: "#!/bin/sh\n", mode: 0o755}),
	})
	if err != nil {
		tb.Fatalf("create %s: %v", name, err)
	}
}

// MustPublishChange changes the function's description and publishes it.
func MustPublishChange(tb testing.TB, s *functions.Service, name, description string) *eddy.Function {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.UpdateFunctionConfiguration(ctx, region, name, &eddy.FunctionUpdate{Description: &description}); err != nil {
		tb.Fatalf("update %s: %v", name, err)
	}
	v, err := s.PublishVersion(ctx, region, name, &eddy.PublishVersionInput{})
	if err != nil {
		tb.Fatalf("publish %s: %v", name, err)
	}
	return v
}

func TestResolveInvokeFollowsWeights(t *testing.T) {
	s := MustService(t, MustEngine(t))
	ctx := context.Background()
	MustFunction(t, s, "fn")
	MustPublishChange(t, s, "fn", "one")
	MustPublishChange(t, s, "fn", "two")
	if _, err := s.CreateAlias(ctx, region, &eddy.Alias{Name: "live", FunctionName: "fn", FunctionVersion: "1",
		AdditionalVersionWeights: map[string]float64{"2": 0.3}}); err != nil {
		t.Fatal(err)
	}
	const draws = 10000
	counts := map[string]int{}
	for i := 0; i < draws; i++ {
		fn, err := s.ResolveInvoke(ctx, region, "fn", "live")
		if err != nil {
			t.Fatal(err)
		}
		counts[fn.Version]++
	}
	if share := float64(counts["2"]) / draws; share < 0.27 || share > 0.33 || counts["1"]+counts["2"] != draws {
		t.Fatalf("got versions %v, want version 2 in 30%% ± 3%% of %d draws", counts, draws)
	}

	// Weight 0 never routes, weight 1 always does.
	for _, tc := range []struct {
		weight float64
		want   string
	}{{0, "1"}, {1, "2"}} {
		w := map[string]float64{"2": tc.weight}
		if _, err := s.UpdateAlias(ctx, region, "fn", "live", &eddy.AliasUpdate{AdditionalVersionWeights: &w}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 200; i++ {
			fn, err := s.ResolveInvoke(ctx, region, "fn", "live")
			if err != nil || fn.Version != tc.want {
				t.Fatalf("weight %v: got %v, %v; want version %s", tc.weight, fn, err, tc.want)
			}
		}
	}

	// Other qualifiers resolve to themselves.
	for q, want := range map[string]string{"": "$LATEST", "$LATEST": "$LATEST", "2": "2"} {
		fn, err := s.ResolveInvoke(ctx, region, "fn", q)
		if err != nil || fn.Version != want {
			t.Fatalf("ResolveInvoke(%q): got %v, %v; want %s", q, fn, err, want)
		}
	}
	for _, q := range []string{"3", "nope", "0", "02"} {
		_, err := s.ResolveInvoke(ctx, region, "fn", q)
		if eddy.ErrorCode(err) != eddy.ENOTFOUND || eddy.ErrorMessage(err) != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:"+q {
			t.Fatalf("ResolveInvoke(%q): got %v, want not found", q, err)
		}
	}
}

func TestPublishAllocatesNumbersAcrossNodes(t *testing.T) {
	e := MustEngine(t)
	a, b := MustService(t, e), MustService(t, e)
	MustFunction(t, a, "fn")
	const each = 10
	var mu sync.Mutex
	got := map[string]string{}
	var wg sync.WaitGroup
	for node, s := range map[string]*functions.Service{"a": a, "b": b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := 0; i < each; i++ {
				d := fmt.Sprintf("%s%d", node, i)
				if _, err := s.UpdateFunctionConfiguration(ctx, region, "fn", &eddy.FunctionUpdate{Description: &d}); err != nil {
					t.Errorf("update: %v", err)
					return
				}
				v, err := s.PublishVersion(ctx, region, "fn", &eddy.PublishVersionInput{})
				if err != nil {
					t.Errorf("publish: %v", err)
					return
				}
				mu.Lock()
				if prev, ok := got[v.Version]; ok && prev != v.Description {
					t.Errorf("version %s is both %q and %q", v.Version, prev, v.Description)
				}
				got[v.Version] = v.Description
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// A publish racing another node's change may return the version that
	// change made, so there are at most 2×each versions, all distinct.
	// Node a learns of node b's versions through the bucket's watch, so its
	// listing converges on them within moments rather than at once.
	seen := map[string]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for {
		versions, _, err := a.ListVersionsByFunction(context.Background(), region, "fn", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		clear(seen)
		for _, v := range versions[1:] {
			if seen[v.Version] {
				t.Fatalf("version %s listed twice", v.Version)
			}
			seen[v.Version] = true
		}
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if len(seen) >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%d versions published by %d publishes", len(seen), 2*each)
	if len(seen) < each || len(seen) > 2*each || len(got) != len(seen) {
		t.Fatalf("got %d versions (%d returned), want between %d and %d", len(seen), len(got), each, 2*each)
	}
}

func TestSettingsAreCachedAndShared(t *testing.T) {
	e := MustEngine(t)
	a, b := MustService(t, e), MustService(t, e)
	ctx := context.Background()
	MustFunction(t, a, "fn")
	if err := a.PutFunctionConcurrency(ctx, region, "fn", 4); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, err := b.GetFunctionConcurrency(ctx, region, "fn")
		if err != nil {
			t.Fatal(err)
		}
		if n != nil && *n == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other registry never saw the reserved concurrency")
		}
	}
	if err := a.DeleteFunction(ctx, region, "fn"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetFunctionConcurrency(ctx, region, "fn"); eddy.ErrorCode(err) != eddy.ENOTFOUND {
		t.Fatalf("concurrency of a deleted function: got %v, want not found", err)
	}
	fns, _, err := a.ListFunctions(ctx, region, "", 10)
	if err != nil || len(fns) != 0 {
		t.Fatalf("list after delete: got %v, %v", fns, err)
	}
}
