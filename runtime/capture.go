package runtime

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/eddyserverless/eddy"
)

// maxLine is the longest log event; longer lines are split, as CloudWatch
// Logs splits them.
const maxLine = 256 * 1024

// tailBytes is how much log X-Amz-Log-Type: Tail returns.
const tailBytes = 4096

// capture collects an instance's stdout and stderr (one pipe) into log
// events. All reading from the pipe happens under mu with non-blocking reads,
// so that drain, called when a response arrives, is certain to have every byte
// the process wrote before it answered.
type capture struct {
	inst *instance

	mu        sync.Mutex // guards everything below and every read of fd
	file      *os.File
	fd        int
	eof       bool
	partial   []byte
	pending   []eddy.LogEvent // not yet written to the log store
	tailStart int             // index in pending of the current START line, or -1
	buf       []byte
	batches   [][]eddy.LogEvent // handed to the writer, not yet written
	closed    bool
	wake      chan struct{} // tells the writer there are batches

	done chan struct{} // closed when the reader has reached end of file
}

func newCapture(inst *instance) *capture {
	c := &capture{inst: inst, tailStart: -1, fd: -1, buf: make([]byte, 64*1024),
		done: make(chan struct{}), wake: make(chan struct{}, 1)}
	inst.m.wg.Add(1)
	go c.write()
	return c
}

// start reads f in the background until the process and its children have
// closed it.
func (c *capture) start(f *os.File) {
	c.file = f
	rc, err := f.SyscallConn()
	if err != nil {
		close(c.done)
		return
	}
	_ = rc.Control(func(fd uintptr) { c.fd = int(fd) })
	c.inst.m.wg.Add(1)
	go func() {
		defer c.inst.m.wg.Done()
		defer close(c.done)
		// RawConn.Read waits for readability whenever the callback
		// returns false, so this loop costs nothing while the pipe is quiet.
		_ = rc.Read(func(uintptr) bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.readLocked()
		})
		c.mu.Lock()
		c.eof = true
		c.endPartialLocked()
		c.mu.Unlock()
	}()
}

// none marks a capture that has no process behind it.
func (c *capture) none() { close(c.done) }

// wait blocks until the pipe has been read to its end.
func (c *capture) wait() { <-c.done }

// readLocked reads what the pipe holds without blocking. It reports whether
// the pipe has reached end of file.
func (c *capture) readLocked() bool {
	if c.eof || c.fd < 0 {
		return true
	}
	for {
		n, err := syscall.Read(c.fd, c.buf)
		if n > 0 {
			c.consumeLocked(c.buf[:n])
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil || n == 0:
			return true
		}
	}
}

// drain takes in everything the process has written so far.
func (c *capture) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.eof {
		select {
		case <-c.done:
		default:
			c.readLocked()
		}
	}
	c.endPartialLocked()
}

func (c *capture) consumeLocked(b []byte) {
	for len(b) > 0 {
		i := strings.IndexByte(string(b), '\n')
		if i < 0 {
			c.partial = append(c.partial, b...)
			for len(c.partial) >= maxLine {
				c.addLocked(string(c.partial[:maxLine]))
				c.partial = append(c.partial[:0], c.partial[maxLine:]...)
			}
			return
		}
		c.partial = append(c.partial, b[:i]...)
		c.addLocked(string(c.partial))
		c.partial = c.partial[:0]
		b = b[i+1:]
	}
}

// endPartialLocked turns an unterminated last line into an event: a response
// ends the invocation's output even if the last line had no newline.
func (c *capture) endPartialLocked() {
	if len(c.partial) > 0 {
		c.addLocked(string(c.partial))
		c.partial = c.partial[:0]
	}
}

func (c *capture) addLocked(msg string) {
	for len(msg) > maxLine {
		c.pending = append(c.pending, eddy.LogEvent{Timestamp: time.Now().UnixMilli(), Message: msg[:maxLine] + "\n"})
		msg = msg[maxLine:]
	}
	c.pending = append(c.pending, eddy.LogEvent{Timestamp: time.Now().UnixMilli(), Message: msg + "\n"})
}

// line adds a line that eddy writes on the function's behalf.
func (c *capture) line(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endPartialLocked()
	c.addLocked(msg)
}

func (c *capture) beginInvocation(requestID string, fn *eddy.Function) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// What the process wrote before asking for this request (its init
	// output, or stray output after the last one) stays before START.
	if !c.eof {
		c.readLocked()
	}
	c.endPartialLocked()
	c.tailStart = len(c.pending)
	version := fn.Version
	if version == "" {
		version = eddy.LatestVersion
	}
	c.addLocked(fmt.Sprintf("START RequestId: %s Version: %s", requestID, version))
}

// report adds the END and REPORT lines of an invocation.
func (c *capture) report(requestID, version string, fn *eddy.Function, dur, initDur time.Duration, errorType string, initFailed bool) {
	mem := c.inst.maxMemoryMB()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endPartialLocked()
	if initFailed {
		if c.tailStart < 0 {
			c.tailStart = len(c.pending)
		}
		c.addLocked(fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s", ms(time.Duration(time.Now().UnixNano()-c.inst.started.Load())), errorType))
		c.addLocked(fmt.Sprintf("START RequestId: %s Version: %s", requestID, version))
	}
	c.addLocked("END RequestId: " + requestID)
	line := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		requestID, ms(dur), int64(math.Ceil(ms(dur+initDur))), fn.MemorySize, mem)
	if initDur > 0 {
		line += fmt.Sprintf("Init Duration: %.2f ms\t", ms(initDur))
	}
	if errorType != "" {
		line += "Status: error\tError Type: " + errorType
	}
	c.addLocked(line)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// tail returns the last 4 KB of the current invocation's log.
func (c *capture) tail(string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := c.tailStart
	if start < 0 {
		start = 0
	}
	var b strings.Builder
	for _, e := range c.pending[start:] {
		b.WriteString(e.Message)
	}
	s := b.String()
	if len(s) > tailBytes {
		s = s[len(s)-tailBytes:]
	}
	return s
}

// endInvocation hands the invocation's log to the writer; the response does
// not wait for the log store.
func (c *capture) endInvocation() {
	c.mu.Lock()
	c.tailStart = -1
	c.mu.Unlock()
	c.flush()
}

// flush hands pending events to the instance's log writer, in order.
func (c *capture) flush() {
	c.mu.Lock()
	if c.eof || c.fd < 0 {
		c.endPartialLocked()
	}
	events := c.pending
	c.pending = nil
	c.tailStart = -1
	if len(events) > 0 && !c.closed {
		c.batches = append(c.batches, events)
		if len(c.batches) == 1 {
			select {
			case c.wake <- struct{}{}:
			default:
			}
		}
	}
	c.mu.Unlock()
}

// close flushes what is left and stops the writer once it has written
// everything. Safe twice.
func (c *capture) close() {
	c.flush()
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.wake)
	}
	c.mu.Unlock()
}

// write is the instance's log writer: it writes batches to the store in the
// order the instance produced them.
func (c *capture) write() {
	defer c.inst.m.wg.Done()
	for {
		c.mu.Lock()
		batches := c.batches
		c.batches = nil
		closed := c.closed
		c.mu.Unlock()
		for _, events := range batches {
			c.store(events)
		}
		if len(batches) > 0 {
			continue
		}
		if closed {
			return
		}
		<-c.wake
	}
}

func (c *capture) store(events []eddy.LogEvent) {
	if c.inst.m.cfg.Logs == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.inst.m.cfg.Logs.WriteLogs(ctx, c.inst.fn.LogGroupName(), c.inst.stream, events); err != nil {
		c.inst.m.cfg.Logger.Warn("runtime: write logs", "function", c.inst.fn.Name, "err", err)
	}
}
