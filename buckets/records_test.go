package buckets

import "testing"

func TestRecordCache(t *testing.T) {
	c := newRecordCache(2)
	a, b := &record{Object: Object{ETag: `"a"`}}, &record{Object: Object{ETag: `"b"`}}

	// A read that began before a write cannot put the older record back.
	epoch := c.begin()
	c.wrote("s1", b, 7)
	c.readDone(epoch, "s1", a, 5)
	if r, seq, ok := c.get("s1"); !ok || seq != 7 || r.ETag != `"b"` {
		t.Fatalf("got %+v %d %v", r, seq, ok)
	}
	// Nor after a drop: the stream changed in a way the cache did not see.
	epoch = c.begin()
	c.drop("s1")
	c.readDone(epoch, "s1", a, 9)
	if _, _, ok := c.get("s1"); ok {
		t.Fatal("a read that overlapped a drop was kept")
	}
	c.readDone(c.begin(), "s1", a, 9)
	if r, seq, ok := c.get("s1"); !ok || seq != 9 || r.ETag != `"a"` {
		t.Fatalf("got %+v %d %v", r, seq, ok)
	}

	// A tombstone is cached as no object, at its sequence.
	c.wrote("s1", nil, 10)
	if r, seq, ok := c.get("s1"); !ok || r != nil || seq != 10 {
		t.Fatalf("got %+v %d %v", r, seq, ok)
	}

	// The caller's copy is its own.
	c.wrote("s2", a, 1)
	r, _, _ := c.get("s2")
	r.ETag, r.Tags = `"changed"`, map[string]string{"k": "v"}
	if r2, _, _ := c.get("s2"); r2.ETag != `"a"` || r2.Tags != nil {
		t.Fatalf("the cached record changed: %+v", r2)
	}
	a.ETag = `"changed"`
	if r2, _, _ := c.get("s2"); r2.ETag != `"a"` {
		t.Fatal("the cache shares the writer's record")
	}

	// Bounded.
	c.wrote("s3", b, 1)
	if len(c.m) != 2 {
		t.Fatalf("%d entries, want 2", len(c.m))
	}
}
