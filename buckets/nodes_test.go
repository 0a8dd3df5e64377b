package buckets_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/buckets"
)

// TestTwoNodes runs two services on one engine, as two eddy nodes on one
// JetStream: what one writes, the other reads and lists at once, and each
// change is notified by one of them.
func TestTwoNodes(t *testing.T) {
	e := openEngine(t, t.TempDir())
	rec := &recorder{}
	mk := func(node string) *buckets.Service {
		s := buckets.NewService(buckets.ServiceConfig{Engine: e, NodeID: node, LeaseTTL: 3 * time.Second})
		s.SetNotifications(rec)
		if err := s.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := mk("node-a"), mk("node-b")
	t.Cleanup(func() { _ = a.Close(); _ = b.Close(); _ = e.Close() })
	ctx := context.Background()
	MustCreateBucket(t, a, "shared")
	for i := range 200 {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		key := fmt.Sprintf("k%03d", i)
		MustPut(t, w, "shared", key, []byte(key))
		out, err := r.ListObjects(ctx, &buckets.ListInput{Bucket: "shared", MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Objects) != i+1 || out.Objects[i].Key != key {
			t.Fatalf("after put %d on one node the other lists %d keys", i, len(out.Objects))
		}
		if _, data := MustGet(t, r, &buckets.GetObjectInput{Bucket: "shared", Key: key}); string(data) != key {
			t.Fatalf("got %q", data)
		}
	}
	got := rec.waitN(t, 200)
	time.Sleep(200 * time.Millisecond) // no change may be notified twice
	rec.mu.Lock()
	n := len(rec.changes)
	rec.mu.Unlock()
	if n != 200 {
		t.Fatalf("got %d changes, want 200", n)
	}
	for i, c := range got {
		if want := fmt.Sprintf("k%03d", i); c.Key != want {
			t.Fatalf("change %d is %s, want %s", i, c.Key, want)
		}
	}
	// Whichever node ran the event loop stops; the other takes it over.
	_ = a.Close()
	MustPut(t, b, "shared", "after", []byte("x"))
	if c := rec.waitN(t, 201)[200]; c.Key != "after" {
		t.Fatalf("got %+v", c)
	}
	_ = b.Close()
	a = mk("node-a")
	MustPut(t, a, "shared", "again", []byte("x"))
	if c := rec.waitN(t, 202)[201]; c.Key != "again" {
		t.Fatalf("got %+v", c)
	}
}

// TestBucketDeletedElsewhere deletes a bucket on one node and uses it at
// once on the other.
func TestBucketDeletedElsewhere(t *testing.T) {
	e := openEngine(t, t.TempDir())
	a := openService(t, e, nil)
	b := buckets.NewService(buckets.ServiceConfig{Engine: e, NodeID: "other"})
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(); _ = b.Close(); _ = e.Close() })
	ctx := context.Background()
	MustCreateBucket(t, a, "brief")
	if _, err := b.HeadBucket(ctx, "brief"); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteBucket(ctx, "brief"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		_, err := b.GetObject(ctx, &buckets.GetObjectInput{Bucket: "brief", Key: "k"})
		wantErr(t, err, "NoSuchBucket")
		_, err = b.ListObjects(ctx, &buckets.ListInput{Bucket: "brief", MaxKeys: 10})
		wantErr(t, err, "NoSuchBucket")
	}
}
