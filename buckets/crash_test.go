package buckets_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/buckets"
)

// crashBody is the body the crash test writes under key i.
func crashBody(i int) []byte {
	if i%10 == 0 {
		return bytes.Repeat([]byte(fmt.Sprintf("%07d", i)), 150000) // 1 MiB, several chunks
	}
	return []byte(fmt.Sprintf("body %d", i))
}

// TestCrashSurvival kills a process writing objects with SIGKILL and
// checks that every write it acknowledged is there after a restart.
func TestCrashSurvival(t *testing.T) {
	if dir := os.Getenv("EDDY_CRASH_CHILD"); dir != "" {
		crashChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSurvival$", "-test.v")
	cmd.Env = append(os.Environ(), "EDDY_CRASH_CHILD="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			fmt.Sscan(n, &acked)
			if acked >= 300 {
				break
			}
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if acked < 300 {
		t.Fatalf("the child acknowledged only %d writes", acked)
	}
	e := openEngine(t, dir)
	s := openService(t, e, nil)
	t.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	for i := 0; i <= acked; i++ {
		_, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "crash", Key: fmt.Sprintf("k%05d", i)})
		if !bytes.Equal(data, crashBody(i)) {
			t.Fatalf("key %d: got %d bytes, want %d", i, len(data), len(crashBody(i)))
		}
	}
	out, err := s.ListObjects(context.Background(), &buckets.ListInput{Bucket: "crash", MaxKeys: 1000})
	if err != nil || len(out.Objects) < acked+1 {
		t.Fatalf("listed %d keys after acknowledging %d, %v", len(out.Objects), acked+1, err)
	}
}

func crashChild(t *testing.T, dir string) {
	e := openEngine(t, dir)
	s := openService(t, e, nil)
	MustCreateBucket(t, s, "crash")
	for i := 0; ; i++ {
		MustPut(t, s, "crash", fmt.Sprintf("k%05d", i), crashBody(i))
		fmt.Printf("acked %d\n", i)
		if i > 100000 {
			time.Sleep(time.Hour)
		}
	}
}

// TestOrphansCollected writes chunks that nothing references (as a process
// that crashed mid-upload leaves them) and checks that the next start
// deletes them, and nothing else.
func TestOrphansCollected(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	s := openService(t, e, nil)
	MustCreateBucket(t, s, "orphans")
	MustPut(t, s, "orphans", "kept", []byte("kept"))
	u, err := s.CreateMultipartUpload(context.Background(), &buckets.Upload{Bucket: "orphans", Key: "mp"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UploadPart(context.Background(), u.UploadID, 1, &buckets.PutObjectInput{Bucket: "orphans", Key: "mp", Body: strings.NewReader("part"), Size: 4}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := e.JS.Publish(context.Background(), fmt.Sprintf("$O.eddy_objects.C.orphan%d", i), []byte("lost")); err != nil {
			t.Fatal(err)
		}
	}
	if n := chunkCount(t, e); n != 5 {
		t.Fatalf("got %d bodies, want 5", n)
	}
	_ = s.Close()
	s = buckets.NewService(buckets.ServiceConfig{Engine: e, NodeID: "test", OrphanAge: time.Millisecond})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	waitFor(t, "orphans deleted", func() bool { return chunkCount(t, e) == 2 })
	if _, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "orphans", Key: "kept"}); string(data) != "kept" {
		t.Fatalf("got %q", data)
	}
	lp, err := s.ListParts(context.Background(), &buckets.ListPartsInput{Bucket: "orphans", Key: "mp", UploadID: u.UploadID})
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("got %+v %v", lp, err)
	}
}
