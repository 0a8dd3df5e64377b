package functions

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/eddyserverless/eddy"
)

// MaxUnzippedSize is Lambda's limit on the unpacked size of a deployment
// package (250 MB).
const MaxUnzippedSize = 262144000

func errUnzip() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
		"Could not unzip uploaded file. Please check your file, then try to upload again.")
}

func errUnzippedSize() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
		"Unzipped size must be smaller than %d bytes", MaxUnzippedSize)
}

// cleanEntryName returns the slash-separated relative path of a zip entry,
// or ok=false if the entry would land outside the extraction directory.
func cleanEntryName(name string) (string, bool) {
	name = strings.ReplaceAll(name, `\`, "/")
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsRune(name, 0) {
		return "", false
	}
	if len(name) >= 2 && name[1] == ':' { // a Windows drive letter
		return "", false
	}
	for _, part := range strings.Split(name, "/") {
		// No file system eddy runs on takes a name longer than 255 bytes.
		if part == ".." || len(part) > 255 {
			return "", false
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", true // the root directory entry itself
	}
	return clean, true
}

// checkNames checks the entry names of a zip as a whole, before anything is
// unpacked: every entry inside the package directory, no two files or links
// with one name, and no entry below a file or a symbolic link (a path
// through a link an entry planted could lead anywhere). It returns the
// names of the symbolic links, which linkInside needs.
func checkNames(files []*zip.File) (links map[string]bool, ok bool) {
	const dir, file, symlink = 1, 2, 3
	kinds := make(map[string]int, len(files))
	for _, f := range files {
		name, ok := cleanEntryName(f.Name)
		if !ok {
			return nil, false
		}
		if name == "" {
			continue
		}
		kind := file
		if f.FileInfo().IsDir() {
			kind = dir
		} else if f.Mode()&fs.ModeSymlink != 0 {
			kind = symlink
		}
		if k, seen := kinds[name]; seen && (k != dir || kind != dir) {
			return nil, false
		}
		kinds[name] = kind
	}
	links = make(map[string]bool)
	for name, kind := range kinds {
		if kind == symlink {
			links[name] = true
		}
		for i := range len(name) {
			if name[i] == '/' && kinds[name[:i]] > dir {
				return nil, false
			}
		}
	}
	return links, true
}

// CheckZip verifies that zipFile is a deployment package eddy can unpack:
// a readable zip, every entry inside the package directory, and at most
// MaxUnzippedSize bytes unpacked (counted by decompressing, not by trusting
// the headers). It returns an InvalidParameterValueException error otherwise.
func CheckZip(zipFile []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(zipFile), int64(len(zipFile)))
	if err != nil {
		return errUnzip()
	}
	links, ok := checkNames(zr.File)
	if !ok {
		return errUnzip()
	}
	var total int64
	for _, f := range zr.File {
		name, _ := cleanEntryName(f.Name)
		if name == "" || f.FileInfo().IsDir() {
			continue
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			// A link target must stay inside the package, like any path.
			target, err := readAll(f, 4096)
			if err != nil || !linkInside(name, string(target), links) {
				return errUnzip()
			}
			continue
		}
		n, err := countEntry(f, MaxUnzippedSize-total)
		total += n
		if err != nil {
			if total > MaxUnzippedSize-1 {
				return errUnzippedSize()
			}
			return errUnzip()
		}
	}
	return nil
}

// countEntry decompresses f and returns its size; an error if it is corrupt
// or larger than limit.
func countEntry(f *zip.File, limit int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
	if err != nil {
		return n, err
	}
	if n > limit {
		return n, fmt.Errorf("entry %s too large", f.Name)
	}
	return n, nil
}

func readAll(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

// linkInside reports whether a symbolic link named name (a clean entry
// name) with the given target resolves inside the package directory. The
// target is resolved one element at a time and may not pass through another
// link of the package: "u/.." is the parent of the package if u is a link
// to ".", though it looks like ".".
func linkInside(name, target string, links map[string]bool) bool {
	if target == "" || strings.HasPrefix(target, "/") || strings.ContainsRune(target, 0) {
		return false
	}
	var p []string
	if dir := path.Dir(name); dir != "." {
		p = strings.Split(dir, "/")
	}
	elems := strings.Split(target, "/")
	for i, e := range elems {
		switch e {
		case "", ".":
		case "..":
			if len(p) == 0 {
				return false
			}
			p = p[:len(p)-1]
		default:
			p = append(p, e)
			if i < len(elems)-1 && links[strings.Join(p, "/")] {
				return false
			}
		}
	}
	return true
}

// ExtractZip unpacks zipFile into dir (created if needed). It enforces what
// CheckZip enforces, so nothing is ever written outside dir and no more than
// MaxUnzippedSize bytes are written. Executable bits are kept; files without
// Unix permissions in the zip get 0644 (0755 for directories).
func ExtractZip(r io.ReaderAt, size int64, dir string) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return errUnzip()
	}
	links, ok := checkNames(zr.File)
	if !ok {
		return errUnzip()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	var total int64
	for _, f := range zr.File {
		name, ok := cleanEntryName(f.Name)
		if !ok {
			return errUnzip()
		}
		if name == "" {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("extract: %w", err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			link, err := readAll(f, 4096)
			if err != nil || !linkInside(name, string(link), links) {
				return errUnzip()
			}
			if err := os.Symlink(string(link), target); err != nil {
				return errUnzip()
			}
			continue
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		mode |= 0o400
		n, err := writeEntry(f, target, mode, MaxUnzippedSize-total)
		total += n
		if err != nil {
			if total > MaxUnzippedSize-1 {
				return errUnzippedSize()
			}
			return err
		}
	}
	return nil
}

func writeEntry(f *zip.File, target string, mode fs.FileMode, limit int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, errUnzip()
	}
	defer rc.Close()
	// O_EXCL: a second entry with the same name, or one through a symbolic
	// link planted by an earlier entry, must not overwrite anything.
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return 0, errUnzip()
	}
	n, err := io.Copy(out, io.LimitReader(rc, limit+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, errUnzip()
	}
	if n > limit {
		return n, errUnzippedSize()
	}
	return n, nil
}
