package runtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/eddyserverless/eddy"
)

// functionNice is the scheduling priority of function processes relative
// to eddy (higher is lower priority).
const functionNice = 5

// errorDoc is the error document a function error carries.
type errorDoc struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	raw     []byte // the document as the runtime posted it, if it posted one
}

func (d *errorDoc) payload(requestID string) []byte {
	b, _ := json.Marshal(errorDoc{Type: d.Type, Message: "RequestId: " + requestID + " Error: " + d.Message})
	return b
}

// invocation is one request handed to an instance.
type invocation struct {
	req       *eddy.InvokeRequest
	deadline  time.Time
	delivered chan struct{} // closed when the instance took it from /next
	done      chan outcome  // receives the response or error, once
	finished  atomic.Bool
}

type outcome struct {
	payload   []byte
	errorType string // "" for a response; the function error type otherwise
}

// instance is one process of a function and its Runtime API listener.
type instance struct {
	m      *Manager
	fn     *eddy.Function
	id     string // 32 hex digits, part of the log stream name
	stream string // log stream name

	ln   net.Listener
	srv  *http.Server
	cmd  *exec.Cmd
	logs *capture

	next     chan *invocation // handed to GET /next
	exited   chan struct{}    // closed when the process has exited
	exitErr  error            // set before exited is closed
	initDone chan struct{}    // closed at the first GET /next
	initOnce sync.Once
	started  atomic.Int64 // Unix nanoseconds when the process was started
	initDur  time.Duration

	mu       sync.Mutex // guards current, initErr, broken
	current  *invocation
	initErr  *errorDoc
	broken   bool
	lastUsed time.Time // guarded by the pool's mutex

	memMB atomic.Int32 // the last peak RSS read, in MB
	memAt atomic.Int64 // when it was read, Unix nanoseconds

	// provisioned instances are started ahead of demand.
	provisioned bool

	stopOnce sync.Once
}

func newInstanceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// startInstance starts a process of fn. Errors are eddy's own faults
// (code unavailable); problems of the function itself surface as init errors
// of the first invocation.
func (m *Manager) startInstance(ctx context.Context, fn *eddy.Function, provisioned bool) (*instance, error) {
	dir, err := m.unpacked(ctx, fn.CodeKey)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime: listen: %w", err)
	}
	inst := &instance{
		m: m, fn: fn, id: newInstanceID(), ln: ln, provisioned: provisioned,
		next:     make(chan *invocation),
		exited:   make(chan struct{}),
		initDone: make(chan struct{}),
	}
	version := fn.Version
	if version == "" {
		version = eddy.LatestVersion
	}
	inst.stream = time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + inst.id
	inst.logs = newCapture(inst)
	inst.srv = &http.Server{Handler: inst.routes(), ReadHeaderTimeout: 10 * time.Second}
	inst.started.Store(time.Now().UnixNano())
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		_ = inst.srv.Serve(ln)
	}()

	argv, initErr := m.argv(fn, dir)
	if initErr != nil {
		inst.fail(initErr, dir)
		return inst, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		inst.fail(&errorDoc{Type: "Runtime.Unknown", Message: err.Error()}, dir)
		return inst, nil
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = inst.environment(dir, argv[0])
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	inst.started.Store(time.Now().UnixNano()) // init is measured from here
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		inst.fail(&errorDoc{Type: "Runtime.InvalidEntrypoint", Message: err.Error()}, dir)
		return inst, nil
	}
	pw.Close()
	// Functions run a little below eddy's own priority, so that under full
	// load eddy keeps accepting requests instead of queueing behind work
	// it has already accepted.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, cmd.Process.Pid, functionNice)
	inst.cmd = cmd
	inst.logs.start(pr)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		err := cmd.Wait()
		// Lambda ends the whole sandbox with its runtime: children left
		// behind would hold the log pipe open.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		inst.logs.wait() // every line the process wrote is captured
		inst.exitErr = err
		close(inst.exited)
	}()
	return inst, nil
}

// fail marks an instance that could not start: its first invocation reports
// the init error, and it is never reused.
func (inst *instance) fail(doc *errorDoc, dir string) {
	inst.mu.Lock()
	inst.initErr = doc
	inst.broken = true
	inst.mu.Unlock()
	inst.exitErr = errors.New(doc.Message)
	inst.logs.none()
	close(inst.exited)
}

// eddyExecutable is the path of the running eddy, which the functions of
// eddy's bundled applications run as their handler ("eddy handler NAME").
var eddyExecutable = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return "eddy"
	}
	return exe
})

func (inst *instance) environment(dir, exe string) []string {
	fn := inst.fn
	version := fn.Version
	if version == "" {
		version = eddy.LatestVersion
	}
	path := "/usr/local/bin:/usr/bin:/bin:/opt/bin"
	if fam, _ := commandFor(fn.Runtime); fam == familyPython || fam == familyNode {
		path = filepath.Dir(exe) + ":" + path
	}
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + inst.ln.Addr().String(),
		"_HANDLER=" + fn.Handler,
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + filepath.Join(inst.m.cfg.Dir, "runtimes"),
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=" + version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.MemorySize),
		"AWS_LAMBDA_LOG_GROUP_NAME=" + fn.LogGroupName(),
		"AWS_LAMBDA_LOG_STREAM_NAME=" + inst.stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=" + map[bool]string{false: "on-demand", true: "provisioned-concurrency"}[inst.provisioned],
		"AWS_REGION=" + fn.Region,
		"AWS_DEFAULT_REGION=" + fn.Region,
		"AWS_EXECUTION_ENV=AWS_Lambda_" + fn.Runtime,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=test",
		"AWS_ENDPOINT_URL=" + inst.m.cfg.Endpoint(),
		"EDDY_EXECUTABLE=" + eddyExecutable(),
		"PATH=" + path,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PYTHONUNBUFFERED=1",
		"PYTHONDONTWRITEBYTECODE=1",
		"NODE_PATH=/opt/nodejs/node_modules:" + dir + "/node_modules",
	}
	for k, v := range fn.Environment {
		env = append(env, k+"="+v)
	}
	return env
}

func (inst *instance) alive() bool {
	select {
	case <-inst.exited:
		return false
	default:
		return true
	}
}

func (inst *instance) isBroken() bool {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.broken
}

func (inst *instance) markBroken() {
	inst.mu.Lock()
	inst.broken = true
	inst.mu.Unlock()
}

// stop kills the process group and closes the listener. Safe twice.
func (inst *instance) stop() {
	inst.stopOnce.Do(func() {
		if inst.cmd != nil && inst.cmd.Process != nil {
			_ = syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-inst.exited
		_ = inst.srv.Close()
		inst.logs.close()
		inst.m.releaseInstance()
		inst.m.cfg.Metrics.Instances(inst.fn.Name, -1)
	})
}

// invoke runs req on inst. delivered is false when the instance died before
// taking the request (it can then be retried elsewhere).
func (inst *instance) invoke(req *eddy.InvokeRequest, cold bool) (*eddy.InvokeResult, bool) {
	inv := &invocation{req: req, delivered: make(chan struct{}), done: make(chan outcome, 1)}
	version := inst.fn.Version
	if version == "" {
		version = eddy.LatestVersion
	}
	result := &eddy.InvokeResult{StatusCode: 200, ExecutedVersion: version}

	// Hand the request over when the process asks for it.
	var initTimer <-chan time.Time
	if cold {
		t := time.NewTimer(inst.m.cfg.InitTimeout)
		defer t.Stop()
		initTimer = t.C
	}
	deadline := time.Now().Add(time.Duration(inst.fn.Timeout) * time.Second)
	inv.deadline = deadline
	inst.mu.Lock()
	inst.current = inv
	inst.mu.Unlock()
	select {
	case inst.next <- inv:
	case <-inst.exited:
		inst.mu.Lock()
		initErr := inst.initErr
		inst.current = nil
		inst.mu.Unlock()
		if !cold {
			return nil, false
		}
		doc := initErr
		if doc == nil {
			doc = &errorDoc{Type: "Runtime.ExitError", Message: "Runtime exited with error: " + exitText(inst.exitErr)}
		}
		inst.logs.report(req.RequestID, version, inst.fn, 0, 0, doc.Type, true)
		result.FunctionError = "Unhandled"
		if initErr != nil && initErr.raw != nil {
			result.Payload = initErr.raw
		} else {
			result.Payload = doc.payload(req.RequestID)
		}
		result.LogTail = inst.logs.tail(req.RequestID)
		return result, true
	case <-initTimer:
		inst.markBroken()
		inst.kill()
		<-inst.exited
		doc := &errorDoc{Type: "Sandbox.Timedout", Message: fmt.Sprintf("Task timed out after %.2f seconds", inst.m.cfg.InitTimeout.Seconds())}
		inst.logs.report(req.RequestID, version, inst.fn, 0, 0, doc.Type, true)
		result.FunctionError, result.Payload = "Unhandled", doc.payload(req.RequestID)
		result.LogTail = inst.logs.tail(req.RequestID)
		return result, true
	}
	start := time.Now()
	// The deadline the function sees was set before delivery; count from it.
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var out outcome
	select {
	case out = <-inv.done:
	case <-inst.exited:
		inst.markBroken()
		select {
		case out = <-inv.done: // it answered, then exited
		default:
			doc := &errorDoc{Type: "Runtime.ExitError", Message: "Runtime exited with error: " + exitText(inst.exitErr)}
			out = outcome{payload: doc.payload(req.RequestID), errorType: doc.Type}
		}
	case <-timer.C:
		inst.markBroken()
		inst.kill()
		<-inst.exited
		doc := &errorDoc{Type: "Sandbox.Timedout", Message: fmt.Sprintf("Task timed out after %d.00 seconds", inst.fn.Timeout)}
		inst.logs.line(fmt.Sprintf("%s %s Task timed out after %d.00 seconds",
			time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), req.RequestID, inst.fn.Timeout))
		out = outcome{payload: doc.payload(req.RequestID), errorType: doc.Type}
	}
	dur := time.Since(start)
	inv.finished.Store(true)
	inst.mu.Lock()
	inst.current = nil
	inst.mu.Unlock()

	inst.logs.drain()
	var initDur time.Duration
	if cold {
		initDur = inst.initDur
		inst.m.cfg.Metrics.ColdStart(inst.fn.Name, initDur)
	}
	inst.logs.report(req.RequestID, version, inst.fn, dur, initDur, out.errorType, false)
	result.Payload = out.payload
	if out.errorType != "" {
		result.FunctionError = "Unhandled"
	}
	if req.LogTail {
		result.LogTail = inst.logs.tail(req.RequestID)
	}
	inst.logs.endInvocation()
	return result, true
}

func (inst *instance) kill() {
	if inst.cmd != nil && inst.cmd.Process != nil {
		_ = syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGKILL)
	}
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	return err.Error()
}

// maxMemoryMB returns the process's peak resident set size. Reading it costs
// tens of microseconds, so it is read at most once a second; the figure only
// grows, so a cached one can only under-report slightly.
func (inst *instance) maxMemoryMB() int {
	now := time.Now().UnixNano()
	if last := inst.memAt.Load(); last != 0 && now-last < int64(time.Second) {
		return int(inst.memMB.Load())
	}
	inst.memAt.Store(now)
	if inst.cmd == nil || inst.cmd.Process == nil {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(inst.cmd.Process.Pid) + "/status")
	if err != nil {
		return int(inst.memMB.Load())
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			inst.memMB.Store(int32((kb + 1023) / 1024))
		}
	}
	return int(inst.memMB.Load())
}

// Runtime API

const runtimePrefix = "/2018-06-01/runtime/"

func (inst *instance) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, runtimePrefix)
		switch {
		case p == "invocation/next" && r.Method == http.MethodGet:
			inst.handleNext(w, r)
		case p == "init/error" && r.Method == http.MethodPost:
			inst.handleInitError(w, r)
		case strings.HasPrefix(p, "invocation/") && r.Method == http.MethodPost:
			rest := strings.TrimPrefix(p, "invocation/")
			id, kind, ok := strings.Cut(rest, "/")
			if !ok || (kind != "response" && kind != "error") {
				runtimeError(w, http.StatusNotFound, "InvalidRequest", "no such endpoint")
				return
			}
			inst.handleResult(w, r, id, kind == "error")
		default:
			runtimeError(w, http.StatusNotFound, "InvalidRequest", "no such endpoint")
		}
	})
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorDoc{Type: typ, Message: msg})
}

func (inst *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	inst.initOnce.Do(func() {
		inst.initDur = time.Duration(time.Now().UnixNano() - inst.started.Load())
		close(inst.initDone)
	})
	var inv *invocation
	select {
	case inv = <-inst.next:
	case <-r.Context().Done():
		return
	}
	req := inv.req
	inst.logs.beginInvocation(req.RequestID, inst.fn)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", req.RequestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	arn := inst.fn.ARN()
	if req.Qualifier != "" {
		arn += ":" + req.Qualifier
	}
	h.Set("Lambda-Runtime-Invoked-Function-Arn", arn)
	trace := req.TraceID
	if trace == "" {
		trace = newTraceID()
	}
	h.Set("Lambda-Runtime-Trace-Id", trace)
	if req.ClientContext != "" {
		if cc, err := base64.StdEncoding.DecodeString(req.ClientContext); err == nil {
			h.Set("Lambda-Runtime-Client-Context", string(cc))
		}
	}
	close(inv.delivered)
	payload := req.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	_, _ = w.Write(payload)
}

func newTraceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), hex.EncodeToString(b[:]), hex.EncodeToString(b[:8]))
}

func (inst *instance) handleResult(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	inst.mu.Lock()
	inv := inst.current
	inst.mu.Unlock()
	if inv == nil || inv.req.RequestID != id || inv.finished.Load() {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, eddy.MaxSyncPayload+1))
	if err != nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", "could not read the body")
		return
	}
	var out outcome
	switch {
	case isError:
		typ := r.Header.Get("Lambda-Runtime-Function-Error-Type")
		var doc map[string]any
		if json.Unmarshal(body, &doc) != nil {
			if typ == "" {
				typ = "Unhandled"
			}
			body, _ = json.Marshal(errorDoc{Type: typ, Message: string(body)})
		} else if t, ok := doc["errorType"].(string); ok && t != "" {
			typ = t
		}
		if typ == "" {
			typ = "Unhandled"
		}
		out = outcome{payload: body, errorType: typ}
	case len(body) > eddy.MaxSyncPayload:
		doc := errorDoc{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", eddy.MaxSyncPayload)}
		b, _ := json.Marshal(doc)
		out = outcome{payload: b, errorType: doc.Type}
		// Lambda answers the runtime with an error too.
		select {
		case inv.done <- out:
		default:
		}
		runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", doc.Message)
		return
	default:
		out = outcome{payload: body}
	}
	select {
	case inv.done <- out:
	default: // a result was already posted
		runtimeError(w, http.StatusBadRequest, "InvalidStateTransition", "State transition from Ready to InvocationResponse failed for runtime.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

func (inst *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	typ := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	doc := &errorDoc{Type: typ}
	var parsed errorDoc
	if json.Unmarshal(body, &parsed) == nil && parsed.Type != "" {
		doc.Type, doc.Message = parsed.Type, parsed.Message
		doc.raw = body
	} else {
		if doc.Type == "" {
			doc.Type = "Runtime.Unknown"
		}
		doc.Message = string(body)
	}
	inst.mu.Lock()
	inst.initErr = doc
	inst.broken = true
	inst.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}
