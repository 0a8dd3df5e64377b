package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRelativeDataDir starts eddy with a data directory relative to the
// working directory, as `eddy serve` and `eddy up` are started by default
// (.eddy): functions still start.
func TestRelativeDataDir(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, t.TempDir())
	if err != nil || filepath.IsAbs(rel) {
		t.Skipf("no relative path to the test's directory: %v", err)
	}
	m := MustStartMain(t, Config{DataDir: rel})
	if !filepath.IsAbs(m.Config.DataDir) {
		t.Fatalf("data directory %q", m.Config.DataDir)
	}
	lc := MustLambda(t, m)
	MustCreateEcho(t, lc, "relative", 5)
	if res := MustInvoke(t, lc, "relative", `{"hello":"relative"}`); res.FunctionError != nil || string(res.Payload) != `{"hello":"relative"}` {
		t.Fatalf("invoke: %s", res.Payload)
	}
}
