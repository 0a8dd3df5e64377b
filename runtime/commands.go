package runtime

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/runtime/runtimes"
)

// family is how a runtime's instances are started.
type family int

const (
	familyBootstrap family = iota // provided*: the package's bootstrap executable
	familyGo                      // go1.x: the handler executable
	familyPython
	familyNode
)

func commandFor(runtime string) (family, error) {
	switch {
	case runtime == "provided" || runtime == "provided.al2" || runtime == "provided.al2023":
		return familyBootstrap, nil
	case runtime == "go1.x":
		return familyGo, nil
	case strings.HasPrefix(runtime, "python3."):
		return familyPython, nil
	case strings.HasPrefix(runtime, "nodejs") && strings.HasSuffix(runtime, ".x"):
		return familyNode, nil
	}
	return 0, eddy.TypedErrorf(eddy.EUNSUPPORT, "InvalidRuntimeException",
		"The runtime parameter of %s is not supported by eddy. Supported runtimes: provided.al2023, provided.al2, provided, go1.x, python3.x, nodejs*.x.", runtime)
}

// interpreters finds python3 and node once and writes the runtime clients.
func (m *Manager) interpreters() {
	m.interpOnce.Do(func() {
		m.python = m.cfg.Python
		if m.python == "" {
			m.python = realPython()
		}
		m.node = m.cfg.Node
		if m.node == "" {
			m.node, _ = exec.LookPath("node")
		}
		m.pyClient, m.nodeClient, m.clientsErr = runtimes.Write(filepath.Join(m.cfg.Dir, "runtimes"))
	})
}

// realPython returns the python3 executable itself: version managers put
// shell shims on PATH that need an environment functions do not get.
func realPython() string {
	p, err := exec.LookPath("python3")
	if err != nil {
		return ""
	}
	out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return p
	}
	if exe := strings.TrimSpace(string(out)); exe != "" {
		if _, err := os.Stat(exe); err == nil {
			return exe
		}
	}
	return p
}

// argv returns the command that starts an instance of fn from codeDir, or
// the init error Lambda reports when there is nothing to start.
func (m *Manager) argv(fn *eddy.Function, codeDir string) ([]string, *errorDoc) {
	fam, _ := commandFor(fn.Runtime)
	switch fam {
	case familyBootstrap:
		p := filepath.Join(codeDir, "bootstrap")
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return nil, &errorDoc{Type: "Runtime.InvalidEntrypoint",
				Message: "Couldn't find valid bootstrap(s): [" + p + " /opt/bootstrap]"}
		}
		return []string{p}, nil
	case familyGo:
		p := filepath.Join(codeDir, filepath.FromSlash(fn.Handler))
		if rel, err := filepath.Rel(codeDir, p); err != nil || strings.HasPrefix(rel, "..") {
			return nil, &errorDoc{Type: "Runtime.InvalidEntrypoint", Message: "Bad handler " + fn.Handler}
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return nil, &errorDoc{Type: "Runtime.InvalidEntrypoint",
				Message: "fork/exec " + p + ": no such file or directory"}
		}
		return []string{p}, nil
	case familyPython:
		m.interpreters()
		if m.python == "" || m.clientsErr != nil {
			return nil, &errorDoc{Type: "Runtime.InvalidEntrypoint", Message: "python3 is not available on this eddy node"}
		}
		return []string{m.python, "-u", m.pyClient}, nil
	case familyNode:
		m.interpreters()
		if m.node == "" || m.clientsErr != nil {
			return nil, &errorDoc{Type: "Runtime.InvalidEntrypoint", Message: "node is not available on this eddy node"}
		}
		return []string{m.node, m.nodeClient}, nil
	}
	return nil, &errorDoc{Type: "Runtime.InvalidEntrypoint", Message: "unsupported runtime " + fn.Runtime}
}
