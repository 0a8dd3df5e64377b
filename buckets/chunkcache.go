package buckets

import "sync"

// chunkCache keeps recently read small chunks of bodies in memory, by
// their sequence in the object store's stream. A sequence is never reused
// and a stored chunk never changes, so an entry is right for as long as it
// is kept: what the cache saves is the second read of a small GetObject
// (the first, of the object's record, always goes to the stream, which
// is what makes a read see every acknowledged write).
type chunkCache struct {
	mu    sync.Mutex
	max   int64 // bytes; 0 disables the cache
	bytes int64
	m     map[uint64]cachedChunk
}

type cachedChunk struct {
	subject string
	data    []byte
}

// maxCachedChunk is the largest chunk the cache keeps.
const maxCachedChunk = 64 << 10

func (c *chunkCache) get(seq uint64, subject string) ([]byte, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[seq]
	if !ok || e.subject != subject {
		return nil, false
	}
	return e.data, true
}

// put keeps data, the chunk at seq on subject; callers must not change it
// afterwards. Beyond the bound, arbitrary entries make room.
func (c *chunkCache) put(seq uint64, subject string, data []byte) {
	n := int64(len(data))
	if c.max <= 0 || n > maxCachedChunk || n > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[uint64]cachedChunk{}
	}
	if _, ok := c.m[seq]; ok {
		return
	}
	for k, e := range c.m {
		if c.bytes+n <= c.max {
			break
		}
		delete(c.m, k)
		c.bytes -= int64(len(e.data))
	}
	c.m[seq] = cachedChunk{subject, data}
	c.bytes += n
}
