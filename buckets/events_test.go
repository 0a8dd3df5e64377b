package buckets_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// chunkCount returns how many body chunks the object store holds.
func chunkCount(tb testing.TB, e *engine.Engine) uint64 {
	tb.Helper()
	str, err := e.JS.Stream(context.Background(), "OBJ_eddy_objects")
	if err != nil {
		tb.Fatal(err)
	}
	info, err := str.Info(context.Background(), jetstream.WithSubjectFilter("$O.eddy_objects.C.>"))
	if err != nil {
		tb.Fatal(err)
	}
	return uint64(len(info.State.Subjects))
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestChangesInOrderAndGC(t *testing.T) {
	e := openEngine(t, t.TempDir())
	rec := &recorder{fail: 3}
	s := openService(t, e, rec)
	t.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	ctx := buckets.WithRequest(context.Background(), "req-1", "10.0.0.1")
	MustCreateBucket(t, s, "events")
	for i := range 100 {
		body := []byte(fmt.Sprint("version ", i))
		if _, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "events", Key: "hot", Body: bytes.NewReader(body), Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutObjectTagging(ctx, "events", "hot", map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteObject(ctx, "events", "hot"); err != nil {
		t.Fatal(err)
	}
	got := rec.waitN(t, 101)
	if len(got) != 101 {
		t.Fatalf("got %d changes, want 101", len(got))
	}
	for i, c := range got[:100] {
		if c.Event != "ObjectCreated:Put" || c.Key != "hot" || c.Bucket != "events" || c.RequestID != "req-1" || c.SourceIP != "10.0.0.1" {
			t.Fatalf("change %d: got %+v", i, c)
		}
		if want := int64(len(fmt.Sprint("version ", i))); c.Object.Size != want {
			t.Fatalf("change %d: got size %d, want %d", i, c.Object.Size, want)
		}
		if i > 0 && c.Sequencer <= got[i-1].Sequencer {
			t.Fatalf("change %d: sequencer %s after %s", i, c.Sequencer, got[i-1].Sequencer)
		}
	}
	if c := got[100]; c.Event != "ObjectRemoved:Delete" || c.Key != "hot" || c.Sequencer <= got[99].Sequencer {
		t.Fatalf("got %+v", c)
	}
	// Every body is collected once the loop has passed the delete.
	waitFor(t, "bodies collected", func() bool { return chunkCount(t, e) == 0 })
	// And the tombstone a while later.
	str, _ := e.JS.Stream(context.Background(), "OBJ_eddy_objects")
	_ = str
	waitFor(t, "stream emptied", func() bool {
		infoStreams := e.JS.ListStreams(context.Background())
		for si := range infoStreams.Info() {
			if strings.HasPrefix(si.Config.Name, "EDDY_B_") && si.State.Msgs == 0 {
				return true
			}
		}
		return false
	})
}

func TestOverwrittenBodyCollected(t *testing.T) {
	e := openEngine(t, t.TempDir())
	s := openService(t, e, nil)
	t.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	MustCreateBucket(t, s, "gcbkt")
	MustPut(t, s, "gcbkt", "k", bytes.Repeat([]byte("x"), 2<<20))
	if n := chunkCount(t, e); n != 1 {
		t.Fatalf("got %d bodies, want 1", n)
	}
	MustPut(t, s, "gcbkt", "k", []byte("small"))
	waitFor(t, "old body collected", func() bool { return chunkCount(t, e) == 1 })
	if _, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "gcbkt", Key: "k"}); string(data) != "small" {
		t.Fatalf("got %q", data)
	}
	// A failed checksum leaves nothing behind.
	_, err := s.PutObject(context.Background(), &buckets.PutObjectInput{Bucket: "gcbkt", Key: "bad", Body: bytes.NewReader(make([]byte, 3<<20)), Size: 3 << 20,
		ChecksumAlgorithm: "SHA256", Checksum: func() string { return "bm9wZQ==" }})
	wantErr(t, err, "BadDigest")
	if n := chunkCount(t, e); n != 1 {
		t.Fatalf("got %d bodies after a failed put, want 1", n)
	}
	_, err = s.PutObject(context.Background(), &buckets.PutObjectInput{Bucket: "gcbkt", Key: "bad", Body: bytes.NewReader(make([]byte, 100)), Size: 200})
	wantErr(t, err, "IncompleteBody")
	if n := chunkCount(t, e); n != 1 {
		t.Fatalf("got %d bodies after a short put, want 1", n)
	}
	// Deleting the bucket's last object and the bucket removes every body.
	if err := s.DeleteObject(context.Background(), "gcbkt", "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(context.Background(), "gcbkt"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bodies of a deleted bucket", func() bool { return chunkCount(t, e) == 0 })
}

func TestRestart(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	s := openService(t, e, nil)
	MustCreateBucket(t, s, "keep")
	big := bytes.Repeat([]byte("0123456789"), 200000)
	MustPut(t, s, "keep", "big", big)
	for i := range 50 {
		MustPut(t, s, "keep", fmt.Sprintf("k%03d", i), []byte(fmt.Sprint(i)))
	}
	MustPut(t, s, "keep", "k000", []byte("new"))
	if err := s.DeleteObject(context.Background(), "keep", "k001"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateMultipartUpload(context.Background(), &buckets.Upload{Bucket: "keep", Key: "mp"})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	s = openService(t, e, nil)
	t.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	if _, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "keep", Key: "big"}); !bytes.Equal(data, big) {
		t.Fatalf("got %d bytes, want %d", len(data), len(big))
	}
	if _, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "keep", Key: "k000"}); string(data) != "new" {
		t.Fatalf("got %q", data)
	}
	out, err := s.ListObjects(context.Background(), &buckets.ListInput{Bucket: "keep", Prefix: "k", MaxKeys: 1000})
	if err == nil && (len(out.Objects) == 0 || out.Objects[0].Checksum != nil) {
		t.Fatalf("got %+v", out.Objects)
	}
	if err != nil || len(out.Objects) != 49 || out.Objects[0].Key != "k000" || out.Objects[1].Key != "k002" {
		t.Fatalf("got %d objects %v", len(out.Objects), err)
	}
	lu, err := s.ListMultipartUploads(context.Background(), &buckets.ListUploadsInput{Bucket: "keep"})
	if err != nil || len(lu.Uploads) != 1 || lu.Uploads[0].UploadID != u.UploadID {
		t.Fatalf("got %+v %v", lu, err)
	}
}

func TestListing(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	MustCreateBucket(t, s, "lister")
	var keys []string
	for i := range 600 {
		keys = append(keys, fmt.Sprintf("dir%d/file %03d", i%3, i))
	}
	keys = append(keys, "a", "a/", "a/b", "a//c", "a b", "ä", "日本/語", "z\U0001F600", "~", "dir0/sub/x", "dir0/sub/y", "dir1/sub/z")
	for i := range 400 {
		keys = append(keys, fmt.Sprintf("flat-%04d", i))
	}
	rand.New(rand.NewSource(1)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, k := range keys {
		MustPut(t, s, "lister", k, []byte("v"))
	}
	slices.Sort(keys)
	// Paging through everything.
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		out, err := s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", MaxKeys: 137, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Objects {
			got = append(got, o.Key)
		}
		if !out.Truncated {
			break
		}
		after = out.Next
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("got %d keys, want %d", len(got), len(keys))
	}
	// Delimiter, with paging through common prefixes.
	var items []string
	after = ""
	for {
		out, err := s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", Delimiter: "/", MaxKeys: 3, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Objects {
			items = append(items, o.Key)
		}
		items = append(items, out.CommonPrefixes...)
		if !out.Truncated {
			break
		}
		after = out.Next
	}
	var want []string
	seen := map[string]bool{}
	for _, k := range keys {
		if i := strings.Index(k, "/"); i >= 0 {
			k = k[:i+1]
		}
		if !seen[k] {
			seen[k] = true
			want = append(want, k)
		}
	}
	slices.Sort(items)
	if !slices.Equal(items, want) {
		t.Fatalf("got %q, want %q", items, want)
	}
	out, err := s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", Prefix: "dir0/", Delimiter: "/", MaxKeys: 1000})
	if err != nil || len(out.Objects) != 200 || !slices.Equal(out.CommonPrefixes, []string{"dir0/sub/"}) {
		t.Fatalf("got %d objects, prefixes %q, %v", len(out.Objects), out.CommonPrefixes, err)
	}
	out, _ = s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", Prefix: "a", Delimiter: "/", MaxKeys: 1000})
	if len(out.Objects) != 2 || out.Objects[0].Key != "a" || out.Objects[1].Key != "a b" || !slices.Equal(out.CommonPrefixes, []string{"a/"}) {
		t.Fatalf("got %+v %q", out.Objects, out.CommonPrefixes)
	}
	out, _ = s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", MaxKeys: 0})
	if len(out.Objects) != 0 || !out.Truncated {
		t.Fatalf("got %+v", out)
	}
	out, _ = s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", Prefix: "flat-", MaxKeys: 5, After: "flat-0100"})
	if len(out.Objects) != 5 || out.Objects[0].Key != "flat-0101" || out.Next != "flat-0105" {
		t.Fatalf("got %+v", out)
	}
	// A delete shows at once.
	if err := s.DeleteObject(ctx, "lister", "flat-0101"); err != nil {
		t.Fatal(err)
	}
	out, _ = s.ListObjects(ctx, &buckets.ListInput{Bucket: "lister", Prefix: "flat-", MaxKeys: 1, After: "flat-0100"})
	if out.Objects[0].Key != "flat-0102" {
		t.Fatalf("got %+v", out.Objects)
	}
}

// bucketMsgs returns how many records the bucket streams hold.
func bucketMsgs(tb testing.TB, e *engine.Engine) uint64 {
	tb.Helper()
	var n uint64
	for si := range e.JS.ListStreams(context.Background()).Info() {
		if strings.HasPrefix(si.Config.Name, "EDDY_B_") {
			n += si.State.Msgs
		}
	}
	return n
}

func TestTombstoneRemovedAfterRestart(t *testing.T) {
	dir := t.TempDir()
	e := openEngine(t, dir)
	s := buckets.NewService(buckets.ServiceConfig{Engine: e, NodeID: "n1", LeaseTTL: 3 * time.Second, TombstoneGrace: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	MustCreateBucket(t, s, "tombs")
	MustPut(t, s, "tombs", "k", []byte("x"))
	if err := s.DeleteObject(context.Background(), "tombs", "k"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	waitFor(t, "the put collected", func() bool { return bucketMsgs(t, e) == 1 })
	_ = s.Close()
	_ = e.Close()

	e = openEngine(t, dir)
	s = openService(t, e, nil) // a grace of 1 s
	t.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	if _, err := s.HeadBucket(context.Background(), "tombs"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the tombstone removed", func() bool { return bucketMsgs(t, e) == 0 })
	out, err := s.ListObjects(context.Background(), &buckets.ListInput{Bucket: "tombs", MaxKeys: 10})
	if err != nil || len(out.Objects) != 0 {
		t.Fatalf("got %+v %v", out, err)
	}
}
