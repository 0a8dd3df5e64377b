package functions_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/functions"
)

// entry is one member of a zip built by MustZip.
type entry struct {
	name string
	body string
	mode fs.FileMode // 0: no Unix mode in the zip (as Windows tools write)
}

// link is an entry for a symbolic link named name pointing at target.
func link(name, target string) entry {
	return entry{name: name, body: target, mode: fs.ModeSymlink | 0o777}
}

// MustZip returns a zip of entries, written in order and deflated.
func MustZip(tb testing.TB, entries ...entry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			tb.Fatalf("zip %q: %v", e.name, err)
		}
		if e.body == "" || strings.HasSuffix(e.name, "/") {
			continue // the zip writer takes no data for a name ending in "/"
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			tb.Fatalf("zip %q: %v", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatalf("zip: %v", err)
	}
	return buf.Bytes()
}

// MustExtract runs ExtractZip on data into a fresh directory "out" under a
// temporary root, and returns the root, out and ExtractZip's error.
func MustExtract(tb testing.TB, data []byte) (root, out string, err error) {
	tb.Helper()
	root = tb.TempDir()
	out = filepath.Join(root, "out")
	err = functions.ExtractZip(bytes.NewReader(data), int64(len(data)), out)
	return root, out, err
}

// MustStayInside fails tb if anything under root is not out or inside it.
func MustStayInside(tb testing.TB, root, out string) {
	tb.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root || p == out || strings.HasPrefix(p, out+string(filepath.Separator)) {
			return nil
		}
		tb.Errorf("found %s: got a file outside %s, want none", p, out)
		return nil
	})
	if err != nil {
		tb.Fatalf("walk %s: %v", root, err)
	}
}

// wantInvalid fails t unless err is an InvalidParameterValueException whose
// message contains message.
func wantInvalid(t *testing.T, what string, err error, message string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got nil error, want InvalidParameterValueException", what)
		return
	}
	e := eddy.AsError(err)
	if e == nil || e.Type != "InvalidParameterValueException" || e.Code != eddy.EINVALID {
		t.Errorf("%s: got error %v, want InvalidParameterValueException", what, err)
		return
	}
	if !strings.Contains(e.Message, message) {
		t.Errorf("%s: got message %q, want it to contain %q", what, e.Message, message)
	}
}

const (
	msgUnzip = "Could not unzip uploaded file"
	msgSize  = "Unzipped size must be smaller than 262144000 bytes"
)

func TestExtractZip(t *testing.T) {
	data := MustZip(t,
		entry{name: "bootstrap", body: "#!/bin/sh\necho hi\n", mode: 0o755},
		entry{name: "lib/", mode: fs.ModeDir | 0o755},
		entry{name: "lib/deep/nested/data.txt", body: "data", mode: 0o644},
		entry{name: "windows.txt", body: "no unix mode"},
		entry{name: "./dot/file", body: "dot", mode: 0o600},
		entry{name: `back\slash.txt`, body: "bs", mode: 0o644},
		link("current", "lib/deep"),
		link("lib/deep/again", "../deep/nested/data.txt"),
		link("lib/self", "."),
		entry{name: "empty", mode: 0o644},
		entry{name: strings.Repeat("n", 255), body: "long", mode: 0o644},
	)
	if err := functions.CheckZip(data); err != nil {
		t.Fatalf("CheckZip: got %v, want nil", err)
	}
	root, out, err := MustExtract(t, data)
	if err != nil {
		t.Fatalf("ExtractZip: got %v, want nil", err)
	}
	MustStayInside(t, root, out)

	files := []struct {
		name string
		body string
		exec bool
	}{
		{"bootstrap", "#!/bin/sh\necho hi\n", true},
		{"lib/deep/nested/data.txt", "data", false},
		{"windows.txt", "no unix mode", false},
		{"dot/file", "dot", false},
		{"back/slash.txt", "bs", false},
		{"empty", "", false},
		{strings.Repeat("n", 255), "long", false},
		{"current/nested/data.txt", "data", false}, // through a link
		{"lib/deep/again", "data", false},
	}
	for _, f := range files {
		p := filepath.Join(out, filepath.FromSlash(f.name))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("read %s: got %v, want contents %q", f.name, err, f.body)
			continue
		}
		if string(b) != f.body {
			t.Errorf("read %s: got %q, want %q", f.name, b, f.body)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", f.name, err)
		}
		if got := fi.Mode()&0o100 != 0; got != f.exec {
			t.Errorf("stat %s: got mode %v (owner-executable %v), want owner-executable %v", f.name, fi.Mode(), got, f.exec)
		}
		if fi.Mode()&0o400 == 0 {
			t.Errorf("stat %s: got mode %v, want owner-readable", f.name, fi.Mode())
		}
	}
	for name, want := range map[string]string{"current": "lib/deep", "lib/deep/again": "../deep/nested/data.txt", "lib/self": "."} {
		got, err := os.Readlink(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil || got != want {
			t.Errorf("readlink %s: got %q, %v, want %q", name, got, err, want)
		}
	}
}

func TestZipRejectsEscapes(t *testing.T) {
	tests := []struct {
		what    string
		entries []entry
	}{
		{"dot-dot", []entry{{name: "../x", body: "x"}}},
		{"nested dot-dot", []entry{{name: "a/../../x", body: "x"}}},
		{"deep dot-dot", []entry{{name: "a/b/../../../x", body: "x"}}},
		{"absolute", []entry{{name: "/abs/path", body: "x"}}},
		{"drive letter", []entry{{name: `C:\x`, body: "x"}}},
		{"drive letter slash", []entry{{name: "C:/x", body: "x"}}},
		{"backslash dot-dot", []entry{{name: `..\x`, body: "x"}}},
		{"backslash nested dot-dot", []entry{{name: `a\..\..\x`, body: "x"}}},
		{"dot-dot directory", []entry{{name: "../d/", mode: fs.ModeDir | 0o755}}},
		{"name too long", []entry{{name: strings.Repeat("n", 256), body: "x"}}},
		{"directory name too long", []entry{{name: "a/" + strings.Repeat("n", 256) + "/", mode: fs.ModeDir | 0o755}}},
		{"after good entries", []entry{{name: "ok", body: "ok"}, {name: "../x", body: "x"}}},
		{"link up", []entry{link("l", "../../etc/passwd")}},
		{"link absolute", []entry{link("l", "/etc/passwd")}},
		{"link parent", []entry{link("l", "..")}},
		{"nested link up", []entry{link("a/l", "../../x")}},
		{"link up and back", []entry{link("l", "sub/../../x")}},
		{"link empty", []entry{link("l", "")}},
		{"link escaping then file through it", []entry{link("l", ".."), {name: "l/pwned", body: "x"}}},
		// Each link stays inside on paper, but u/v is really out/v, and its
		// ".." is the parent of out.
		{"link chain", []entry{link("u", "."), link("u/v", ".."), {name: "v/pwned", body: "x"}}},
		{"link chain in a directory", []entry{
			{name: "a/", mode: fs.ModeDir | 0o755}, link("a/u", ".."), link("a/u/v", ".."), {name: "a/u/v/pwned", body: "x"}}},
		{"link target through a link", []entry{link("u", "."), link("w", "u/.."), {name: "w/pwned", body: "x"}}},
		{"link target through a later link", []entry{link("w", "u/.."), link("u", ".")}},
		{"file through an inside link", []entry{{name: "d/", mode: fs.ModeDir | 0o755}, link("l", "d"), {name: "l/x", body: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			data := MustZip(t, tt.entries...)
			wantInvalid(t, "CheckZip", functions.CheckZip(data), msgUnzip)
			root, out, err := MustExtract(t, data)
			wantInvalid(t, "ExtractZip", err, msgUnzip)
			MustStayInside(t, root, out)
		})
	}
}

func TestZipRejectsDuplicates(t *testing.T) {
	tests := []struct {
		what    string
		entries []entry
	}{
		{"same name", []entry{{name: "a", body: "first"}, {name: "a", body: "second"}}},
		{"same clean name", []entry{{name: "a", body: "first"}, {name: "./a", body: "second"}}},
		{"backslash", []entry{{name: "d/a", body: "first"}, {name: `d\a`, body: "second"}}},
		{"link then file", []entry{{name: "a", body: "first"}, link("a", "b")}},
		{"file then directory", []entry{{name: "a", body: "first"}, {name: "a/", mode: fs.ModeDir | 0o755}}},
		{"file then file below it", []entry{{name: "a", body: "first"}, {name: "a/b", body: "second"}}},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			data := MustZip(t, tt.entries...)
			wantInvalid(t, "CheckZip", functions.CheckZip(data), msgUnzip)
			root, out, err := MustExtract(t, data)
			wantInvalid(t, "ExtractZip", err, msgUnzip)
			MustStayInside(t, root, out)
			// Whatever was written of the first entry is its own contents.
			if b, err := os.ReadFile(filepath.Join(out, "a")); err == nil && string(b) != "first" {
				t.Errorf("read a: got %q, want %q", b, "first")
			}
		})
	}

	// Duplicate directory entries are harmless and some tools write them.
	data := MustZip(t, entry{name: "d/", mode: fs.ModeDir | 0o755}, entry{name: "d/", mode: fs.ModeDir | 0o755}, entry{name: "d/f", body: "f"})
	if err := functions.CheckZip(data); err != nil {
		t.Errorf("CheckZip(duplicate directory): got %v, want nil", err)
	}
	if _, _, err := MustExtract(t, data); err != nil {
		t.Errorf("ExtractZip(duplicate directory): got %v, want nil", err)
	}
}

func TestZipRejectsCorrupt(t *testing.T) {
	good := MustZip(t, entry{name: "bootstrap", body: strings.Repeat("echo hello\n", 100), mode: 0o755})
	corrupt := bytes.Clone(good)
	// Flip a byte of the deflated data, just after the 30-byte local
	// header and the 9-byte name: the CRC or the stream must then fail.
	corrupt[30+len("bootstrap")+2] ^= 0xff
	tests := []struct {
		what string
		data []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"not a zip", []byte("this is not a zip file, just some text")},
		{"gzip", []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
		{"truncated", good[:len(good)/2]},
		{"no end record", good[:len(good)-10]},
		{"only a local header", good[:30]},
		{"corrupt data", corrupt},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			wantInvalid(t, "CheckZip", functions.CheckZip(tt.data), msgUnzip)
			root, out, err := MustExtract(t, tt.data)
			wantInvalid(t, "ExtractZip", err, msgUnzip)
			MustStayInside(t, root, out)
		})
	}
}

// bombChunk is the deflated form of bombChunkSize zero bytes, computed once.
const bombChunkSize = 64 << 20

var bombChunk = sync.OnceValues(func() ([]byte, uint32) {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range bombChunkSize / len(zeros) {
		_, _ = fw.Write(zeros)
	}
	_ = fw.Close()
	crc := crc32.NewIEEE()
	for range bombChunkSize / len(zeros) {
		_, _ = crc.Write(zeros)
	}
	return buf.Bytes(), crc.Sum32()
})

// MustBomb returns a zip of n honest entries of bombChunkSize zeros each,
// reusing one deflated stream so that building it costs one compression.
func MustBomb(tb testing.TB, n int) []byte {
	tb.Helper()
	chunk, crc := bombChunk()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		h := &zip.FileHeader{
			Name:               "zeros" + string(rune('a'+i)),
			Method:             zip.Deflate,
			CRC32:              crc,
			CompressedSize64:   uint64(len(chunk)),
			UncompressedSize64: bombChunkSize,
		}
		h.SetMode(0o644)
		w, err := zw.CreateRaw(h)
		if err != nil {
			tb.Fatalf("zip: %v", err)
		}
		if _, err := w.Write(chunk); err != nil {
			tb.Fatalf("zip: %v", err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatalf("zip: %v", err)
	}
	return buf.Bytes()
}

func TestZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses 256 MiB")
	}
	// 3 × 64 MiB = 201326592 bytes fits; 4 × 64 MiB = 268435456 does not.
	if err := functions.CheckZip(MustBomb(t, 3)); err != nil {
		t.Errorf("CheckZip(192 MiB): got %v, want nil", err)
	}
	data := MustBomb(t, 4)
	if len(data) > 1<<20 {
		t.Fatalf("bomb: got %d bytes, want a small zip", len(data))
	}
	wantInvalid(t, "CheckZip", functions.CheckZip(data), msgSize)

	root, out, err := MustExtract(t, data)
	wantInvalid(t, "ExtractZip", err, msgSize)
	MustStayInside(t, root, out)
	var written int64
	_ = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				written += fi.Size()
			}
		}
		return nil
	})
	t.Logf("ExtractZip wrote %d bytes before stopping", written)
	if written > functions.MaxUnzippedSize+1 {
		t.Errorf("ExtractZip: got %d bytes written, want at most %d", written, functions.MaxUnzippedSize+1)
	}
}

// TestZipLyingHeaders checks that sizes are counted by decompressing: an
// entry whose header claims fewer bytes than it holds is refused, not
// trusted.
func TestZipLyingHeaders(t *testing.T) {
	chunk, crc := bombChunk()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "small", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(chunk)), UncompressedSize64: 10}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(chunk)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	wantInvalid(t, "CheckZip", functions.CheckZip(data), msgUnzip)
	root, out, err := MustExtract(t, data)
	wantInvalid(t, "ExtractZip", err, msgUnzip)
	MustStayInside(t, root, out)
}

func FuzzExtractZip(f *testing.F) {
	f.Add(MustZip(f,
		entry{name: "bootstrap", body: "#!/bin/sh\n", mode: 0o755},
		entry{name: "lib/a.txt", body: "a"},
		link("l", "lib/a.txt")))
	f.Add(MustZip(f, entry{name: "../x", body: "x"}))
	f.Add(MustZip(f, entry{name: `..\x`, body: "x"}))
	f.Add(MustZip(f, entry{name: "/abs", body: "x"}))
	f.Add(MustZip(f, link("l", "../../etc/passwd"), entry{name: "l/x", body: "x"}))
	f.Add(MustZip(f, link("u", "."), link("u/v", ".."), entry{name: "v/pwned", body: "x"}))
	f.Add(MustZip(f, link("d", ".."), entry{name: "d/pwned", body: "x"}))
	f.Add(MustZip(f, entry{name: "a", body: "1"}, entry{name: "a", body: "2"}))
	f.Add(MustZip(f, entry{name: "d/", mode: fs.ModeDir | 0o755}, entry{name: "d/f", body: strings.Repeat("z", 4096)}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErr := functions.CheckZip(data)
		root, out, err := MustExtract(t, data)
		MustStayInside(t, root, out)
		if err != nil {
			if e := eddy.AsError(err); e == nil || e.Type != "InvalidParameterValueException" {
				t.Fatalf("ExtractZip: got error %v, want nil or InvalidParameterValueException", err)
			}
		}
		if checkErr != nil && eddy.AsError(checkErr) == nil {
			t.Fatalf("CheckZip: got error %v, want nil or InvalidParameterValueException", checkErr)
		}
		if checkErr == nil && err != nil {
			t.Fatalf("CheckZip accepted what ExtractZip refused: %v", err)
		}
	})
}

// FuzzExtractZipEntries builds well-formed zips from a line-per-entry spec
// ("f NAME", "d NAME", "l NAME>TARGET") so that the fuzzer explores names
// and link targets rather than the zip format. Whatever ExtractZip says,
// nothing may be written outside out and no link it left may resolve
// outside out.
func FuzzExtractZipEntries(f *testing.F) {
	for _, s := range []string{
		"f bootstrap\nd lib/\nf lib/a\nl l>lib/a",
		"l u>.\nl u/v>..\nf v/pwned",
		"d a/\nl a/u>..\nl a/u/v>..\nf a/u/v/pwned",
		"l u>.\nl w>u/..\nf w/pwned",
		"l w>u/..\nl u>.",
		"l a>b\nl b>a",
		"l x>y/../z\nd y/",
		`f ..\x`,
		"f a\nf a/b",
		"f0/",
		"l0/>x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		var entries []entry
		for _, line := range strings.Split(spec, "\n") {
			if len(line) < 2 {
				continue
			}
			name := line[2:]
			switch line[0] {
			case 'f':
				entries = append(entries, entry{name: name, body: "x", mode: 0o644})
			case 'd':
				entries = append(entries, entry{name: name, mode: fs.ModeDir | 0o755})
			case 'l':
				name, target, _ := strings.Cut(name, ">")
				entries = append(entries, link(name, target))
			}
		}
		data := MustZip(t, entries...)
		checkErr := functions.CheckZip(data)
		root, out, err := MustExtract(t, data)
		MustStayInside(t, root, out)
		if checkErr != nil && err == nil {
			t.Fatalf("ExtractZip accepted what CheckZip refused (%v)", checkErr)
		}
		realOut, evalErr := filepath.EvalSymlinks(out)
		if evalErr != nil {
			return // nothing extracted
		}
		_ = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if r := resolve(p); r != realOut && !strings.HasPrefix(r, realOut+string(filepath.Separator)) {
				target, _ := os.Readlink(p)
				t.Errorf("link %s -> %s: got it resolving to %s, want inside %s", p, target, r, realOut)
			}
			return nil
		})
	})
}

// resolve returns where p leads, following links as far as they exist, the
// way the kernel would (".." after a link goes up from the link's target).
func resolve(p string) string { return resolveDepth(p, 0) }

func resolveDepth(p string, depth int) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	dir = filepath.Clean(dir)
	if depth > 40 || dir == p || dir == "/" || dir == "." {
		return filepath.Clean(p)
	}
	cur := resolveDepth(dir, depth+1)
	target := base
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// A dangling link, or a loop: follow its target from its directory.
		if t, err := os.Readlink(p); err == nil {
			target = t
		}
	}
	if filepath.IsAbs(target) {
		cur = "/"
	}
	for _, e := range strings.Split(target, "/") {
		switch e {
		case "", ".":
		case "..":
			cur = filepath.Dir(cur)
		default:
			next := filepath.Join(cur, e)
			if fi, err := os.Lstat(next); err == nil && fi.Mode()&fs.ModeSymlink != 0 && next != p {
				next = resolveDepth(next, depth+1)
			}
			cur = next
		}
	}
	return cur
}
