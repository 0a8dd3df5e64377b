package main

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/eddyserverless/eddy/apps"
)

// defaultParallel is how many parallel tests run at once unless -parallel
// says otherwise. Many end-to-end tests spend most of their time waiting
// (a minute for an event to age, the aws CLI's waiters, processes
// starting), so more of them than the machine has CPUs keep it busy;
// GOMAXPROCS, go test's default, would leave a 2-CPU machine idle and the
// package beyond go test's 10-minute timeout.
const defaultParallel = "4"

func TestMain(m *testing.M) {
	// The bundled applications' functions run "EDDY_EXECUTABLE handler
	// APP/FUNC"; under test, EDDY_EXECUTABLE is this test binary.
	if len(os.Args) == 3 && os.Args[1] == "handler" {
		if err := apps.Start(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			given = true
		}
	})
	if !given {
		if err := flag.Set("test.parallel", defaultParallel); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
