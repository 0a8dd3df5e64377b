// Package apps is eddy's bundled applications: serverless applications
// written in Go, each a directory with a SAM template carrying
// AWS::ServerlessRepo::Application metadata, a README, a LICENSE and one Go
// package per function. eddy publishes them into its repository as its
// built-in catalog, and compiles their handlers into itself: a bundled
// function runs as "eddy handler APP/FUNC".
package apps

import (
	"fmt"
	"io/fs"
	"sort"
)

// App is a bundled application: the files of its directory that publish
// it (template.yaml, README.md, LICENSE).
type App struct {
	Name  string
	Files fs.FS
}

// Bundled returns the bundled applications, each after those it nests.
func Bundled() ([]App, error) {
	out := make([]App, 0, len(order))
	for _, name := range order {
		sub, err := fs.Sub(files, name)
		if err != nil {
			return nil, err
		}
		out = append(out, App{Name: name, Files: sub})
	}
	return out, nil
}

// Has reports whether eddy has the handler of a bundled function, named
// APP/FUNC.
func Has(name string) bool {
	_, ok := handlers[name]
	return ok
}

// Handlers returns the names of the bundled functions' handlers.
func Handlers() []string {
	out := make([]string, 0, len(handlers))
	for n := range handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Start runs the handler of a bundled function over the Lambda Runtime
// API; it returns only when there is no such handler.
func Start(name string) error {
	start, ok := handlers[name]
	if !ok {
		return fmt.Errorf("eddy has no bundled function %q (it has %v)", name, Handlers())
	}
	start()
	return nil
}
