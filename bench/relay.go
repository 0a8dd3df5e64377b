package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// relay is the least a process-per-instance Lambda emulator must do for a
// synchronous invoke: take an HTTP request, hand its body to the function
// process through the Runtime API (its GET /next), and answer with what the
// process posts back. It has no API parsing, no function registry, no logs
// and no instance pool: the difference between it and eddy is eddy's own
// cost, and the difference between it and the loopback floor is the cost
// of the design (two more HTTP exchanges and a second process).
type relay struct {
	url  string // POST the event here
	dir  string
	next chan *relayCall
	cmd  *exec.Cmd
	api  *http.Server
	rt   *http.Server
	wg   sync.WaitGroup

	mu      sync.Mutex // guards current
	current *relayCall
}

type relayCall struct {
	id   string
	body []byte
	done chan []byte
}

// startRelay unpacks the bootstrap of zipped and runs it behind a relay.
func startRelay(zipped []byte) (*relay, error) {
	dir, err := os.MkdirTemp("", "eddy-bench-relay-")
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	r := &relay{dir: dir, next: make(chan *relayCall)}
	if err := r.start(zipped); err != nil {
		r.close()
		return nil, fmt.Errorf("relay: %w", err)
	}
	return r, nil
}

func (r *relay) start(zipped []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return err
	}
	f, err := zr.Open("bootstrap")
	if err != nil {
		return err
	}
	bin, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	exe := filepath.Join(r.dir, "bootstrap")
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		return err
	}

	rtLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.rt = &http.Server{Handler: http.HandlerFunc(r.runtimeAPI), ReadHeaderTimeout: 10 * time.Second}
	apiLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		rtLn.Close()
		return err
	}
	r.api = &http.Server{Handler: http.HandlerFunc(r.invoke), ReadHeaderTimeout: 10 * time.Second}
	r.url = "http://" + apiLn.Addr().String() + "/invoke"
	r.wg.Add(2)
	go func() { defer r.wg.Done(); _ = r.rt.Serve(rtLn) }()
	go func() { defer r.wg.Done(); _ = r.api.Serve(apiLn) }()

	r.cmd = exec.Command(exe)
	r.cmd.Dir = r.dir
	r.cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + rtLn.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=relay", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "PATH=/usr/bin:/bin",
	}
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	return r.cmd.Start()
}

// invoke serves POST /invoke: one event through the function.
func (r *relay) invoke(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	call := &relayCall{id: randomHex(16), body: body, done: make(chan []byte, 1)}
	select {
	case r.next <- call:
	case <-req.Context().Done():
		return
	}
	select {
	case out := <-call.done:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	case <-req.Context().Done():
	}
}

// runtimeAPI serves the function process: GET next, POST response or error.
func (r *relay) runtimeAPI(w http.ResponseWriter, req *http.Request) {
	const prefix = "/2018-06-01/runtime/invocation/"
	if req.Method == http.MethodGet && req.URL.Path == prefix+"next" {
		var call *relayCall
		select {
		case call = <-r.next:
		case <-req.Context().Done():
			return
		}
		r.mu.Lock()
		r.current = call
		r.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", call.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:relay")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(call.body)
		return
	}
	body, err := io.ReadAll(req.Body)
	r.mu.Lock()
	call := r.current
	r.mu.Unlock()
	if err != nil || call == nil || req.Method != http.MethodPost || req.URL.Path != prefix+call.id+"/response" {
		http.Error(w, "unexpected runtime API request", http.StatusBadRequest)
		if call != nil {
			select {
			case call.done <- nil: // the caller reports a mismatch
			default:
			}
		}
		return
	}
	w.WriteHeader(http.StatusAccepted)
	select {
	case call.done <- body:
	default: // a second answer to one request is dropped
	}
}

// close stops the process and both servers and removes the files. Safe
// on a relay that failed to start.
func (r *relay) close() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		_ = r.cmd.Wait()
	}
	for _, s := range []*http.Server{r.api, r.rt} {
		if s != nil {
			_ = s.Close()
		}
	}
	r.wg.Wait()
	_ = os.RemoveAll(r.dir)
}

// relayFloor times the relay with the same client as the floor.
func (b *invokeBench) relayFloor(ctx context.Context, r *InvokeReport) (Latency, CPUCost, error) {
	rl, err := startRelay(b.cfg.Zip)
	if err != nil {
		return Latency{}, CPUCost{}, fmt.Errorf("bench: %w", err)
	}
	defer rl.close()
	client := newHTTPClient()
	defer client.CloseIdleConnections()
	l, cost := b.sequential(ctx, r, "relay", func(body []byte) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, rl.url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("relay: status %d", resp.StatusCode)
		}
		return out, err
	})
	if l.N == 0 && l.Errors > 0 {
		return l, cost, errors.New("bench: relay: every request failed")
	}
	return l, cost, ctx.Err()
}
