package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModulePath is the import path of the module whose bench/echofn is built.
const ModulePath = "github.com/eddyserverless/eddy"

// ModuleDir returns the root of the eddy checkout that dir is inside, found
// with `go env GOMOD` run in dir.
func ModuleDir(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is the go command installed?)", err)
	}
	gomod := strings.TrimSpace(string(out))
	notEddy := fmt.Errorf("%s is not inside the eddy checkout: the benchmark builds bench/echofn from source, so run it from the eddy repository (module %s)", dir, ModulePath)
	if gomod == "" || gomod == os.DevNull {
		return "", notEddy
	}
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("read go.mod: %w", err)
	}
	if modulePath(string(data)) != ModulePath {
		return "", notEddy
	}
	root := filepath.Dir(gomod)
	if _, err := os.Stat(filepath.Join(root, "bench", "echofn", "main.go")); err != nil {
		return "", fmt.Errorf("%s has no bench/echofn: %w", root, err)
	}
	return root, nil
}

// modulePath returns the module line's path of a go.mod file.
func modulePath(gomod string) string {
	for _, line := range strings.Split(gomod, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// BuildEchoZip builds bench/echofn of the eddy checkout that dir is inside
// for Linux, statically and stripped, and returns it zipped as an
// executable "bootstrap", ready for the provided.al2023 runtime.
func BuildEchoZip(ctx context.Context, dir string) ([]byte, error) {
	root, err := ModuleDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "eddy-bench-echofn-")
	if err != nil {
		return nil, fmt.Errorf("build echofn: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./bench/echofn")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build echofn: %w\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("build echofn: %w", err)
	}
	return ZipBootstrap(bin)
}

// ZipBootstrap returns a deployment package holding bin as "bootstrap",
// mode 0755.
func ZipBootstrap(bin []byte) ([]byte, error) {
	if len(bin) == 0 {
		return nil, errors.New("zip bootstrap: empty executable")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	if _, err := w.Write(bin); err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	return buf.Bytes(), nil
}
