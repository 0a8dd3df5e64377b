package buckets

import (
	"bytes"
	"testing"
)

func TestChunkCache(t *testing.T) {
	c := chunkCache{max: 10 << 10}
	a := bytes.Repeat([]byte("a"), 4<<10)
	c.put(1, "s1", a)
	if got, ok := c.get(1, "s1"); !ok || !bytes.Equal(got, a) {
		t.Fatal("a chunk put is not got")
	}
	if _, ok := c.get(1, "s2"); ok {
		t.Fatal("a chunk is got for another subject")
	}
	c.put(2, "s1", a)
	c.put(3, "s1", a) // 12 KiB: one entry makes room
	if c.bytes > c.max || len(c.m) != 2 {
		t.Fatalf("%d bytes in %d entries, bound %d", c.bytes, len(c.m), c.max)
	}
	if _, ok := c.get(3, "s1"); !ok {
		t.Fatal("the newest chunk was evicted")
	}
	c.put(4, "s1", make([]byte, maxCachedChunk+1))
	if _, ok := c.get(4, "s1"); ok {
		t.Fatal("a large chunk was kept")
	}
	off := chunkCache{}
	off.put(1, "s1", a)
	if _, ok := off.get(1, "s1"); ok {
		t.Fatal("a disabled cache kept a chunk")
	}
}
