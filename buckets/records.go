package buckets

import "sync"

// recordCache keeps the latest record of a bucket's recently read or
// written keys, so that a read need not fetch and decode the key's last
// message from the stream. It is only correct on a node that is the only
// writer of the engine (ServiceConfig.SoleWriter: eddy on its embedded
// engine), where every change of a key passes through publish.
//
// Entries are keyed by subject. An entry only ever moves to a later
// sequence; a failed or conflicting publish drops the key's entry and
// bumps the epoch, and a read stores what it read only when no such drop
// happened while it was reading, so that a read that started before a
// write cannot put the older record back.
type recordCache struct {
	max int

	mu    sync.Mutex
	epoch uint64
	m     map[string]cachedRecord
}

// cachedRecord is a key's latest record at sequence seq; rec is nil when
// the key has no object (a tombstone, or no message at all with seq 0).
type cachedRecord struct {
	rec *record
	seq uint64
}

// recordCacheEntries bounds a bucket's cache; past it an arbitrary entry
// makes room.
const recordCacheEntries = 10000

func newRecordCache(max int) *recordCache {
	return &recordCache{max: max, m: map[string]cachedRecord{}}
}

// get returns a copy of subject's record (nil for no object), its
// sequence, and whether the cache had it. The copy shares maps and slices
// with the cached record: callers replace them rather than change them.
func (c *recordCache) get(subject string) (*record, uint64, bool) {
	c.mu.Lock()
	e, ok := c.m[subject]
	c.mu.Unlock()
	if !ok || e.rec == nil {
		return nil, e.seq, ok
	}
	r := *e.rec
	return &r, e.seq, true
}

// begin returns the epoch a read must pass to readDone.
func (c *recordCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// readDone stores what a read that began at epoch found.
func (c *recordCache) readDone(epoch uint64, subject string, rec *record, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch == epoch {
		c.putLocked(subject, rec, seq)
	}
}

// wrote stores the record a publish wrote at seq.
func (c *recordCache) wrote(subject string, rec *record, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(subject, rec, seq)
}

func (c *recordCache) putLocked(subject string, rec *record, seq uint64) {
	if e, ok := c.m[subject]; ok {
		if e.seq > seq {
			return
		}
	} else if len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	if rec != nil {
		r := *rec
		rec = &r
	}
	c.m[subject] = cachedRecord{rec: rec, seq: seq}
}

// drop forgets subject: its stream changed in a way the cache did not
// see (a publish that failed, lost a race, or may have been stored without
// an answer; a purge).
func (c *recordCache) drop(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.m, subject)
}
