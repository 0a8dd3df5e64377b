// Package runtimes holds the runtime clients eddy ships for Lambda's managed
// runtimes: a Python one and a Node.js one, each a single file embedded in the
// eddy binary. eddy writes them to disk with Write and starts them as
// `python3 bootstrap.py` or `node bootstrap.js` in the function's code
// directory; they load the handler named by _HANDLER and speak the Lambda
// Runtime API at AWS_LAMBDA_RUNTIME_API over one keep-alive connection, with
// the error documents, log formats and context objects of AWS's own clients.
package runtimes

import (
	"bytes"
	_ "embed" // for the //go:embed directives below
	"fmt"
	"os"
	"path/filepath"
)

// Python and Node are the sources of the runtime clients.
var (
	//go:embed python/bootstrap.py
	Python []byte

	//go:embed node/bootstrap.js
	Node []byte
)

// Write writes both clients under dir (dir/python/bootstrap.py, dir/node/bootstrap.js), creating directories,
// and returns their paths. It only rewrites a file whose content differs.
func Write(dir string) (python, node string, err error) {
	python = filepath.Join(dir, "python", "bootstrap.py")
	if err := writeFile(python, Python); err != nil {
		return "", "", err
	}
	node = filepath.Join(dir, "node", "bootstrap.js")
	if err := writeFile(node, Node); err != nil {
		return "", "", err
	}
	return python, node, nil
}

// writeFile writes data to name unless name already holds it. It writes a
// temporary file and renames it over name, so a process starting the client
// meanwhile reads either the old content or the new, never a part.
func writeFile(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write runtime client: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("write runtime client: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, name)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write runtime client %s: %w", name, werr)
	}
	return nil
}
