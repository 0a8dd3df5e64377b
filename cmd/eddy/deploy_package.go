package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// zipEpoch is the modification time of every zip entry eddy writes: with
// it, the same code always zips to the same bytes, and so to the same
// artifact key, which is what lets a redeploy skip the upload.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// packageCode returns the zip of the code spec describes: a .zip file as it
// is, a Go package built into a bootstrap executable, any other directory
// zipped as it is.
func packageCode(ctx context.Context, spec codeSpec) ([]byte, error) {
	fi, err := os.Stat(spec.path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		if strings.EqualFold(filepath.Ext(spec.path), ".zip") {
			return os.ReadFile(spec.path)
		}
		return zipFiles([]zipFile{{name: filepath.Base(spec.path), path: spec.path, mode: fi.Mode()}})
	}
	if spec.build && isGoBuild(spec) {
		return buildGo(ctx, spec)
	}
	return zipDir(spec.path)
}

// isGoBuild reports whether spec is a Go package that `sam build` would
// build: a directory holding Go source, with Metadata BuildMethod go1.x or a
// provided or go1.x runtime. A directory with a ready bootstrap and no Go
// source is zipped as it is.
func isGoBuild(spec codeSpec) bool {
	switch {
	case spec.buildMethod == "go1.x":
	case spec.runtime == "go1.x", spec.runtime == "provided", strings.HasPrefix(spec.runtime, "provided."):
	default:
		return false
	}
	entries, err := os.ReadDir(spec.path)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

// goArch returns the GOARCH to build a function for. eddy runs a function's
// bootstrap as a process on the machine that serves it, so on Linux the
// binary is built for this machine's architecture whatever the template's
// Architectures asks: an arm64 binary would not start on an amd64 host.
// Elsewhere (where eddy's server does not run functions) the template's
// architecture is honoured, as `sam build` does.
func goArch(arch string) string {
	if runtime.GOOS == "linux" {
		return runtime.GOARCH
	}
	if arch == "arm64" {
		return "arm64"
	}
	return "amd64"
}

// buildGo builds the Go package in spec.path for Linux, with cgo off and
// paths trimmed, and returns it zipped as an executable "bootstrap".
func buildGo(ctx context.Context, spec codeSpec) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "eddy-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = spec.path
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goArch(spec.arch), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, bytes.TrimSpace(b))
	}
	return zipFiles([]zipFile{{name: "bootstrap", path: out, mode: 0o755}})
}

// zipFile is one entry of a zip to write.
type zipFile struct {
	name string // slash-separated name in the zip
	path string // where its content is
	mode fs.FileMode
}

// zipDir zips the files under dir, with their modes, at the zip's root.
// Symbolic links to files are followed.
func zipDir(dir string) ([]byte, error) {
	var files []zipFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files = append(files, zipFile{name: filepath.ToSlash(rel), path: path, mode: fi.Mode()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no files", dir)
	}
	return zipFiles(files)
}

// zipFiles writes files into a zip in the order given, all with zipEpoch as
// their time.
func zipFiles(files []zipFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: zipEpoch}
		h.SetMode(f.mode.Perm())
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if err := copyFile(w, f.path); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// copyFile copies the file at path to w.
func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
