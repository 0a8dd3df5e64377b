package runtimes_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/runtime/runtimes"
)

// waitTimeout bounds every wait on a client: start-up, an invocation, exit.
const waitTimeout = 20 * time.Second

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clients")
	py, node, err := runtimes.Write(dir)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if want := filepath.Join(dir, "python", "bootstrap.py"); py != want {
		t.Errorf("python path: got %q, want %q", py, want)
	}
	if want := filepath.Join(dir, "node", "bootstrap.js"); node != want {
		t.Errorf("node path: got %q, want %q", node, want)
	}
	for path, want := range map[string][]byte{py: runtimes.Python, node: runtimes.Node} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		if !bytes.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: got %d bytes, want the %d embedded bytes", path, len(got), len(want))
		}
	}

	// An unchanged file is left alone; a changed one is rewritten.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(py, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(node, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runtimes.Write(dir); err != nil {
		t.Fatalf("second Write: %v", err)
	}
	if st, err := os.Stat(py); err != nil || !st.ModTime().Equal(old) {
		t.Errorf("unchanged python client was rewritten: mtime %v, want %v (err %v)", st.ModTime(), old, err)
	}
	if got, _ := os.ReadFile(node); !bytes.Equal(got, runtimes.Node) {
		t.Errorf("changed node client: got %q, want the embedded source", got)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "node"))
	if len(entries) != 1 {
		t.Errorf("node dir holds %d entries, want 1 (no temporary files left)", len(entries))
	}
}

// ---------------------------------------------------------------------------
// A test double of the Lambda Runtime API.

type invocation struct {
	id      string
	event   string
	headers map[string]string
}

type posted struct {
	path   string
	id     string // "" for an init error
	kind   string // "response", "error" or "init"
	header http.Header
	body   []byte
}

type fakeAPI struct {
	addr  string
	queue chan invocation
	posts chan posted
	conns atomic.Int32
	stop  chan struct{}
}

func mustStartAPI(tb testing.TB) *fakeAPI {
	tb.Helper()
	api := &fakeAPI{
		queue: make(chan invocation),
		posts: make(chan posted, 16),
		stop:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", api.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", api.record("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", api.record("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", api.record("init"))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			api.conns.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(func() {
		close(api.stop)
		srv.Close()
	})
	api.addr = srv.Listener.Addr().String()
	return api
}

func (api *fakeAPI) next(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-api.queue:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:fn-under-test")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-"+inv.id)
		for k, v := range inv.headers {
			h.Set(k, v)
		}
		io.WriteString(w, inv.event)
	case <-r.Context().Done():
	case <-api.stop:
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func (api *fakeAPI) record(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		api.posts <- posted{path: r.URL.Path, id: r.PathValue("id"), kind: kind, header: r.Header.Clone(), body: body}
	}
}

// invoke hands the client one invocation and returns what it posts for it.
func (api *fakeAPI) invoke(tb testing.TB, id, event string, headers map[string]string) posted {
	tb.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	select {
	case api.queue <- invocation{id: id, event: event, headers: headers}:
	case p := <-api.posts:
		tb.Fatalf("invocation %s: client posted %s %s before asking for it: %s", id, p.kind, p.path, p.body)
	case <-deadline.C:
		tb.Fatalf("invocation %s: client did not ask for the next invocation within %v", id, waitTimeout)
	}
	select {
	case p := <-api.posts:
		if p.id != id {
			tb.Fatalf("invocation %s: got a post for %q (%s), want one for %q", id, p.id, p.path, id)
		}
		return p
	case <-deadline.C:
		tb.Fatalf("invocation %s: no response or error within %v", id, waitTimeout)
	}
	return posted{}
}

// initError returns the init error the client posts.
func (api *fakeAPI) initError(tb testing.TB) posted {
	tb.Helper()
	select {
	case p := <-api.posts:
		if p.kind != "init" {
			tb.Fatalf("got a post to %s, want an init error", p.path)
		}
		return p
	case <-time.After(waitTimeout):
		tb.Fatalf("no init error within %v", waitTimeout)
	}
	return posted{}
}

// ---------------------------------------------------------------------------
// Client processes.

// output is the client's combined stdout and stderr; waiters are woken on
// every write.
type output struct {
	mu      sync.Mutex // guards buf and changed
	buf     bytes.Buffer
	changed chan struct{}
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitMatch waits until the output matches re and returns the output.
func (o *output) waitMatch(tb testing.TB, re *regexp.Regexp) string {
	tb.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		o.mu.Lock()
		s, changed := o.buf.String(), o.changed
		o.mu.Unlock()
		if re.MatchString(s) {
			return s
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("output does not match %q within %v; got:\n%q", re, waitTimeout, s)
		}
	}
}

func (o *output) waitFor(tb testing.TB, substr string) string {
	tb.Helper()
	return o.waitMatch(tb, regexp.MustCompile(regexp.QuoteMeta(substr)))
}

type client struct {
	cmd  *exec.Cmd
	out  *output
	done chan struct{}
	err  error // set before done is closed
}

// exitCode waits for the client to exit and returns its status.
func (c *client) exitCode(tb testing.TB) int {
	tb.Helper()
	select {
	case <-c.done:
	case <-time.After(waitTimeout):
		tb.Fatalf("client did not exit within %v; output:\n%s", waitTimeout, c.out)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		tb.Fatalf("wait: %v", c.err)
	}
	return 0
}

type language struct {
	interpreter  string
	script       func(python, node string) string
	executionEnv string
}

var (
	python = language{"python3", func(p, _ string) string { return p }, "AWS_Lambda_python3.11"}
	node   = language{"node", func(_, n string) string { return n }, "AWS_Lambda_nodejs20.x"}
)

// mustWriteFiles writes files (name to content) under a new code directory.
func mustWriteFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// mustStartClient starts the language's client on the code in dir with the
// environment eddy gives it, and kills it when the test ends.
func mustStartClient(tb testing.TB, lang language, api *fakeAPI, dir, handler string, extraEnv ...string) *client {
	tb.Helper()
	interp, err := exec.LookPath(lang.interpreter)
	if err != nil {
		tb.Skipf("%s not found: %v", lang.interpreter, err)
	}
	py, js, err := runtimes.Write(tb.TempDir())
	if err != nil {
		tb.Fatalf("Write: %v", err)
	}
	script := lang.script(py, js)
	cmd := exec.Command(interp, script)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + api.addr,
		"_HANDLER=" + handler,
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + filepath.Dir(script),
		"AWS_LAMBDA_FUNCTION_NAME=fn-under-test",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fn-under-test",
		"AWS_LAMBDA_LOG_STREAM_NAME=2024/01/01/[$LATEST]0123456789abcdef",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=test",
		"AWS_ENDPOINT_URL=http://127.0.0.1:9",
		"AWS_EXECUTION_ENV=" + lang.executionEnv,
		"PYTHONUNBUFFERED=1",
		"PATH=" + os.Getenv("PATH"),
		"TZ=:UTC",
		"LANG=C.UTF-8",
	}, extraEnv...)
	out := newOutput()
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", lang.interpreter, err)
	}
	c := &client{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		<-c.done
		if tb.Failed() {
			tb.Logf("client output:\n%s", out)
		}
	})
	return c
}

func mustDecode(tb testing.TB, p posted) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(p.body, &m); err != nil {
		tb.Fatalf("%s: body %q is not a JSON object: %v", p.path, p.body, err)
	}
	return m
}

func wantKind(tb testing.TB, p posted, kind string) {
	tb.Helper()
	if p.kind != kind {
		tb.Fatalf("got a post to %s (%s), want a %s; body: %s", p.path, p.kind, kind, p.body)
	}
}

func wantField(tb testing.TB, m map[string]any, key string, want any) {
	tb.Helper()
	if got := m[key]; !reflect.DeepEqual(got, want) {
		tb.Errorf("%s: got %#v, want %#v", key, got, want)
	}
}

// ---------------------------------------------------------------------------
// Python

const pyEcho = `import logging
import os

logger = logging.getLogger()
print("module loaded")


def handler(event, context):
    print("hello from print")
    logger.warning("warned %s", "here")
    logger.info("not shown: the root logger stays at WARNING")
    cc = context.client_context
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "custom": cc.custom if cc else None,
        "client_app_title": cc.client.app_title if cc and cc.client else None,
        "identity_id": context.identity.cognito_identity_id,
        "trace_id": os.environ.get("_X_AMZN_TRACE_ID"),
        "pid": os.getpid(),
    }
`

func TestPythonEcho(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{"app.py": pyEcho})
	c := mustStartClient(t, python, api, dir, "app.handler")

	p := api.invoke(t, "req-1", `{"name":"eddy","n":[1,2.5,null,true]}`, map[string]string{
		"Lambda-Runtime-Client-Context":   `{"custom":{"k":"v"},"env":{"e":"1"},"client":{"app_title":"app"}}`,
		"Lambda-Runtime-Cognito-Identity": `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
	})
	wantKind(t, p, "response")
	if ct := p.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	m := mustDecode(t, p)
	wantField(t, m, "event", map[string]any{"name": "eddy", "n": []any{1.0, 2.5, nil, true}})
	wantField(t, m, "function_name", "fn-under-test")
	wantField(t, m, "function_version", "$LATEST")
	wantField(t, m, "memory_limit_in_mb", "256")
	wantField(t, m, "invoked_function_arn", "arn:aws:lambda:us-east-1:000000000000:function:fn-under-test")
	wantField(t, m, "aws_request_id", "req-1")
	wantField(t, m, "log_group_name", "/aws/lambda/fn-under-test")
	wantField(t, m, "log_stream_name", "2024/01/01/[$LATEST]0123456789abcdef")
	wantField(t, m, "custom", map[string]any{"k": "v"})
	wantField(t, m, "client_app_title", "app")
	wantField(t, m, "identity_id", "id-1")
	wantField(t, m, "trace_id", "Root=1-00000000-req-1")
	if r, _ := m["remaining"].(float64); r <= 0 || r > 30000 {
		t.Errorf("remaining: got %v, want in (0, 30000]", m["remaining"])
	}

	out := c.out.waitMatch(t, regexp.MustCompile(`\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-1\twarned here\n`))
	if !strings.Contains(out, "module loaded\nhello from print\n") {
		t.Errorf("print output: got %q, want %q", out, "module loaded\nhello from print\n")
	}
	if strings.Contains(out, "not shown") {
		t.Errorf("INFO record logged at the default level: %q", out)
	}

	// Warm: the same process answers the next invocation over the same connection.
	p2 := api.invoke(t, "req-2", `"second"`, nil)
	wantKind(t, p2, "response")
	m2 := mustDecode(t, p2)
	wantField(t, m2, "event", "second")
	wantField(t, m2, "aws_request_id", "req-2")
	wantField(t, m2, "custom", nil)
	wantField(t, m2, "identity_id", nil)
	wantField(t, m2, "pid", m["pid"])
	c.out.waitFor(t, "\treq-2\twarned here\n")
	if n := api.conns.Load(); n != 1 {
		t.Errorf("connections to the Runtime API: got %d, want 1", n)
	}
}

func TestPythonHandlerException(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{"app.py": "def handler(event, context):\n    raise ValueError(\"boom\")\n"})
	c := mustStartClient(t, python, api, dir, "app.handler")

	p := api.invoke(t, "req-err", `{}`, nil)
	wantKind(t, p, "error")
	if got := p.header.Get("Lambda-Runtime-Function-Error-Type"); got != "ValueError" {
		t.Errorf("error type header: got %q, want ValueError", got)
	}
	m := mustDecode(t, p)
	file := filepath.Join(dir, "app.py")
	frame := fmt.Sprintf("  File \"%s\", line 2, in handler\n    raise ValueError(\"boom\")\n", file)
	want := map[string]any{
		"errorMessage": "boom",
		"errorType":    "ValueError",
		"requestId":    "req-err",
		"stackTrace":   []any{frame},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("error document: got %#v, want %#v", m, want)
	}
	nb := "\u00a0"
	c.out.waitFor(t, "[ERROR] ValueError: boom\rTraceback (most recent call last):\r"+
		nb+nb+"File \""+file+"\", line 2, in handler\r"+
		strings.Repeat(nb, 4)+"raise ValueError(\"boom\")\n")

	// The process survives a handler exception.
	wantKind(t, api.invoke(t, "req-err-2", `{}`, nil), "error")
}

func TestPythonMarshalError(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{"app.py": "def handler(event, context):\n    return {\"o\": object()}\n"})
	mustStartClient(t, python, api, dir, "app.handler")

	p := api.invoke(t, "req-m", `{}`, nil)
	wantKind(t, p, "error")
	if got := p.header.Get("Lambda-Runtime-Function-Error-Type"); got != "Runtime.MarshalError" {
		t.Errorf("error type header: got %q, want Runtime.MarshalError", got)
	}
	want := map[string]any{
		"errorMessage": "Unable to marshal response: Object of type object is not JSON serializable",
		"errorType":    "Runtime.MarshalError",
		"requestId":    "req-m",
		"stackTrace":   []any{},
	}
	if m := mustDecode(t, p); !reflect.DeepEqual(m, want) {
		t.Errorf("error document: got %#v, want %#v", m, want)
	}
}

func TestPythonNestedHandlerAndValues(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{
		"src/pkg/app.py": `from decimal import Decimal


def handler(event, context):
    if event == "none":
        return None
    if event == "bytes":
        return b"\x00raw"
    return {"int": Decimal("10"), "frac": Decimal("1.5"), "text": "caf\u00e9"}
`,
	})
	mustStartClient(t, python, api, dir, "src/pkg/app.handler")

	p := api.invoke(t, "req-v", `{}`, nil)
	wantKind(t, p, "response")
	if want := `{"int": 10, "frac": 1.5, "text": "caf\u00e9"}`; string(p.body) != want {
		t.Errorf("body: got %s, want %s", p.body, want)
	}
	p = api.invoke(t, "req-none", `"none"`, nil)
	if string(p.body) != "null" {
		t.Errorf("None result: got body %q, want null", p.body)
	}
	p = api.invoke(t, "req-bytes", `"bytes"`, nil)
	if string(p.body) != "\x00raw" || p.header.Get("Content-Type") != "application/unknown" {
		t.Errorf("bytes result: got body %q type %q, want %q type application/unknown", p.body, p.header.Get("Content-Type"), "\x00raw")
	}
}

func TestPythonInitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     map[string]string
		handler   string
		errorType string
		message   string // the whole message, or its prefix if prefix is set
		prefix    bool
	}{
		{
			name:      "import error",
			handler:   "missing.handler",
			errorType: "Runtime.ImportModuleError",
			message:   "Unable to import module 'missing': No module named 'missing'",
		},
		{
			name:      "handler not found",
			files:     map[string]string{"app.py": "def other(event, context):\n    return 1\n"},
			handler:   "app.handler",
			errorType: "Runtime.HandlerNotFound",
			message:   "Handler 'handler' missing on module 'app'",
		},
		{
			name:      "malformed handler",
			files:     map[string]string{"app.py": ""},
			handler:   "app",
			errorType: "Runtime.MalformedHandlerName",
			message:   "Bad handler 'app': not enough values to unpack (expected 2, got 1)",
		},
		{
			name:      "syntax error",
			files:     map[string]string{"app.py": "def handler(:\n"},
			handler:   "app.handler",
			errorType: "Runtime.UserCodeSyntaxError",
			message:   "Syntax error in module 'app': ",
			prefix:    true,
		},
		{
			name:      "exception at import",
			files:     map[string]string{"app.py": "raise RuntimeError(\"init failed\")\n"},
			handler:   "app.handler",
			errorType: "RuntimeError",
			message:   "init failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := mustStartAPI(t)
			dir := mustWriteFiles(t, tt.files)
			c := mustStartClient(t, python, api, dir, tt.handler)

			p := api.initError(t)
			if got := p.header.Get("Lambda-Runtime-Function-Error-Type"); got != tt.errorType {
				t.Errorf("error type header: got %q, want %q", got, tt.errorType)
			}
			m := mustDecode(t, p)
			wantField(t, m, "errorType", tt.errorType)
			wantField(t, m, "requestId", "")
			msg, _ := m["errorMessage"].(string)
			if tt.prefix && !strings.HasPrefix(msg, tt.message) || !tt.prefix && msg != tt.message {
				t.Errorf("errorMessage: got %q, want %q", msg, tt.message)
			}
			if _, ok := m["stackTrace"].([]any); !ok {
				t.Errorf("stackTrace: got %#v, want a list", m["stackTrace"])
			}
			if code := c.exitCode(t); code != 1 {
				t.Errorf("exit status: got %d, want 1", code)
			}
			out := c.out.String()
			if want := "[ERROR] " + tt.errorType + ": " + tt.message; !strings.Contains(out, want) {
				t.Errorf("output: got %q, want it to contain %q", out, want)
			}
			if !strings.Contains(out, "\t\tLAMBDA_WARNING: Unhandled exception.") {
				t.Errorf("output: got %q, want the LAMBDA_WARNING line", out)
			}
		})
	}

	t.Run("import error document", func(t *testing.T) {
		t.Parallel()
		api := mustStartAPI(t)
		mustStartClient(t, python, api, t.TempDir(), "missing.handler")
		want := map[string]any{
			"errorMessage": "Unable to import module 'missing': No module named 'missing'",
			"errorType":    "Runtime.ImportModuleError",
			"requestId":    "",
			"stackTrace":   []any{},
		}
		if m := mustDecode(t, api.initError(t)); !reflect.DeepEqual(m, want) {
			t.Errorf("init error document: got %#v, want %#v", m, want)
		}
	})
}

// ---------------------------------------------------------------------------
// Node

const nodeEcho = `console.log("loading %d", 1);
exports.handler = async (event, context) => {
  console.log("hello %s", "world", 42);
  console.error("two\nlines");
  const cc = context.clientContext;
  return {
    event,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    custom: cc ? cc.custom : null,
    identityId: context.identity ? context.identity.cognitoIdentityId : null,
    waits: context.callbackWaitsForEmptyEventLoop,
    traceId: process.env._X_AMZN_TRACE_ID,
    pid: process.pid,
  };
};
`

func TestNodeEcho(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{"index.js": nodeEcho})
	c := mustStartClient(t, node, api, dir, "index.handler")

	p := api.invoke(t, "req-1", `{"name":"eddy","n":[1,2.5,null,true]}`, map[string]string{
		"Lambda-Runtime-Client-Context":   `{"custom":{"k":"v"}}`,
		"Lambda-Runtime-Cognito-Identity": `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
	})
	wantKind(t, p, "response")
	m := mustDecode(t, p)
	wantField(t, m, "event", map[string]any{"name": "eddy", "n": []any{1.0, 2.5, nil, true}})
	wantField(t, m, "functionName", "fn-under-test")
	wantField(t, m, "functionVersion", "$LATEST")
	wantField(t, m, "memoryLimitInMB", "256")
	wantField(t, m, "invokedFunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:fn-under-test")
	wantField(t, m, "awsRequestId", "req-1")
	wantField(t, m, "logGroupName", "/aws/lambda/fn-under-test")
	wantField(t, m, "logStreamName", "2024/01/01/[$LATEST]0123456789abcdef")
	wantField(t, m, "custom", map[string]any{"k": "v"})
	wantField(t, m, "identityId", "id-1")
	wantField(t, m, "waits", true)
	wantField(t, m, "traceId", "Root=1-00000000-req-1")
	if r, _ := m["remaining"].(float64); r <= 0 || r > 30000 {
		t.Errorf("remaining: got %v, want in (0, 30000]", m["remaining"])
	}

	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	c.out.waitMatch(t, regexp.MustCompile(`(?m)^`+ts+`\tundefined\tINFO\tloading 1\n`))
	c.out.waitMatch(t, regexp.MustCompile(`(?m)^`+ts+`\treq-1\tINFO\thello world 42\n`))
	c.out.waitMatch(t, regexp.MustCompile(`(?m)^`+ts+`\treq-1\tERROR\ttwo\rlines\n`))

	// Warm: the same process answers the next invocation over the same connection.
	p2 := api.invoke(t, "req-2", `"second"`, nil)
	wantKind(t, p2, "response")
	m2 := mustDecode(t, p2)
	wantField(t, m2, "event", "second")
	wantField(t, m2, "awsRequestId", "req-2")
	wantField(t, m2, "custom", nil)
	wantField(t, m2, "pid", m["pid"])
	c.out.waitFor(t, "\treq-2\tINFO\thello world 42\n")
	if n := api.conns.Load(); n != 1 {
		t.Errorf("connections to the Runtime API: got %d, want 1", n)
	}
}

func TestNodeHandlerForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		handler string
		want    string // the response body
	}{
		{
			name: "callback waits for the event loop",
			files: map[string]string{"index.js": `exports.handler = (event, context, callback) => {
  const result = { n: event.n + 1 };
  setTimeout(() => { result.late = true; }, 20);
  callback(null, result);
};`},
			handler: "index.handler",
			want:    `{"n":2,"late":true}`,
		},
		{
			name: "callback without waiting",
			files: map[string]string{"index.js": `exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const result = { n: event.n + 1 };
  setTimeout(() => { result.late = true; }, 20);
  callback(null, result);
};`},
			handler: "index.handler",
			want:    `{"n":2}`,
		},
		{
			name:    "context.succeed",
			files:   map[string]string{"index.js": `exports.handler = (event, context) => { context.succeed({ via: "succeed" }); };`},
			handler: "index.handler",
			want:    `{"via":"succeed"}`,
		},
		{
			name:    "context.done",
			files:   map[string]string{"index.js": `exports.handler = (event, context) => { context.done(null, "done"); };`},
			handler: "index.handler",
			want:    `"done"`,
		},
		{
			name:    "sync handler that never reports",
			files:   map[string]string{"index.js": `exports.handler = (event) => { setTimeout(() => {}, 5); };`},
			handler: "index.handler",
			want:    `null`,
		},
		{
			name:    "undefined result",
			files:   map[string]string{"index.js": `exports.handler = async () => undefined;`},
			handler: "index.handler",
			want:    `null`,
		},
		{
			name:    "promise-returning handler",
			files:   map[string]string{"index.js": `exports.handler = (event) => Promise.resolve([event.n]);`},
			handler: "index.handler",
			want:    `[1]`,
		},
		{
			name:    "ES module .mjs",
			files:   map[string]string{"app.mjs": `export const handler = async (event) => ({ esm: true, n: event.n });`},
			handler: "app.handler",
			want:    `{"esm":true,"n":1}`,
		},
		{
			name: "type module .js in a subdirectory",
			files: map[string]string{
				"lib/package.json": `{"type":"module"}`,
				"lib/app.js":       `export async function handler(event) { return { module: typeof import.meta.url, n: event.n }; }`,
			},
			handler: "lib/app.handler",
			want:    `{"module":"string","n":1}`,
		},
		{
			name:    "CommonJS .cjs",
			files:   map[string]string{"app.cjs": `module.exports.handler = async () => "cjs";`},
			handler: "app.handler",
			want:    `"cjs"`,
		},
		{
			name:    "nested property",
			files:   map[string]string{"dir/file.js": `module.exports = { a: { b: async (event) => ({ nested: event.n }) } };`},
			handler: "dir/file.a.b",
			want:    `{"nested":1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := mustStartAPI(t)
			dir := mustWriteFiles(t, tt.files)
			mustStartClient(t, node, api, dir, tt.handler)
			p := api.invoke(t, "req-f", `{"n":1}`, nil)
			wantKind(t, p, "response")
			if string(p.body) != tt.want {
				t.Errorf("body: got %s, want %s", p.body, tt.want)
			}
		})
	}
}

func TestNodeInvokeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		source    string
		errorType string
		message   string
		trace     string // the first trace line; "" for an empty trace
	}{
		{
			name:      "thrown error",
			source:    `exports.handler = async () => { throw new TypeError("bad thing"); };`,
			errorType: "TypeError",
			message:   "bad thing",
			trace:     "TypeError: bad thing",
		},
		{
			name:      "thrown string",
			source:    `exports.handler = async () => { throw "plain"; };`,
			errorType: "string",
			message:   "plain",
		},
		{
			name:      "callback error",
			source:    `exports.handler = (event, context, callback) => { callback(new RangeError("out")); };`,
			errorType: "RangeError",
			message:   "out",
			trace:     "RangeError: out",
		},
		{
			name:      "context.fail without an error",
			source:    `exports.handler = (event, context) => { context.fail(); };`,
			errorType: "string",
			message:   "handled",
		},
		{
			name:      "sync throw",
			source:    `exports.handler = () => { throw new Error("sync"); };`,
			errorType: "Error",
			message:   "sync",
			trace:     "Error: sync",
		},
		{
			name:      "unsettled promise",
			source:    `exports.handler = async () => { await new Promise(() => {}); };`,
			errorType: "Runtime.NodeJsExit",
			message:   "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes",
			trace:     "Runtime.NodeJsExit: The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := mustStartAPI(t)
			dir := mustWriteFiles(t, map[string]string{"index.js": tt.source})
			c := mustStartClient(t, node, api, dir, "index.handler")

			p := api.invoke(t, "req-e", `{}`, nil)
			wantKind(t, p, "error")
			if got := p.header.Get("Lambda-Runtime-Function-Error-Type"); got != tt.errorType {
				t.Errorf("error type header: got %q, want %q", got, tt.errorType)
			}
			m := mustDecode(t, p)
			wantField(t, m, "errorType", tt.errorType)
			wantField(t, m, "errorMessage", tt.message)
			trace, ok := m["trace"].([]any)
			switch {
			case !ok:
				t.Errorf("trace: got %#v, want a list", m["trace"])
			case tt.trace == "" && len(trace) != 0:
				t.Errorf("trace: got %#v, want []", trace)
			case tt.trace != "" && (len(trace) < 2 || trace[0] != tt.trace):
				t.Errorf("trace: got %#v, want %q and the stack frames", trace, tt.trace)
			}
			c.out.waitMatch(t, regexp.MustCompile(`\treq-e\tERROR\tInvoke Error \t\{"errorType":"[^"]+","errorMessage":"`+regexp.QuoteMeta(tt.message)+`"`))

			// The process goes on to the next invocation.
			wantKind(t, api.invoke(t, "req-e2", `{}`, nil), "error")
		})
	}
}

func TestNodeUnhandledRejection(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{"index.js": `exports.handler = async () => {
  Promise.reject(new Error("late"));
  await new Promise((resolve) => setTimeout(resolve, 60000));
};`})
	c := mustStartClient(t, node, api, dir, "index.handler")

	p := api.invoke(t, "req-u", `{}`, nil)
	wantKind(t, p, "error")
	if got := p.header.Get("Lambda-Runtime-Function-Error-Type"); got != "Runtime.UnhandledPromiseRejection" {
		t.Errorf("error type header: got %q, want Runtime.UnhandledPromiseRejection", got)
	}
	m := mustDecode(t, p)
	wantField(t, m, "errorType", "Runtime.UnhandledPromiseRejection")
	wantField(t, m, "errorMessage", "Error: late")
	if code := c.exitCode(t); code != 128 {
		t.Errorf("exit status: got %d, want 128", code)
	}
	if out := c.out.String(); !strings.Contains(out, "\treq-u\tERROR\tUnhandled Promise Rejection \t{\"errorType\":\"Runtime.UnhandledPromiseRejection\"") {
		t.Errorf("output: got %q, want the Unhandled Promise Rejection line", out)
	}
}

func TestNodeInitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     map[string]string
		handler   string
		errorType string
		message   string // the whole message, or its prefix if prefix is set
		prefix    bool
	}{
		{
			name:      "import error",
			handler:   "missing.handler",
			errorType: "Runtime.ImportModuleError",
			message:   "Error: Cannot find module 'missing'\nRequire stack:\n- ",
			prefix:    true,
		},
		{
			name:      "handler not found",
			files:     map[string]string{"index.js": `exports.other = async () => 1;`},
			handler:   "index.handler",
			errorType: "Runtime.HandlerNotFound",
			message:   "index.handler is undefined or not exported",
		},
		{
			name:      "not a function",
			files:     map[string]string{"index.js": `exports.handler = 42;`},
			handler:   "index.handler",
			errorType: "Runtime.HandlerNotFound",
			message:   "index.handler is not a function",
		},
		{
			name:      "malformed handler",
			files:     map[string]string{"index.js": ``},
			handler:   "index",
			errorType: "Runtime.MalformedHandlerName",
			message:   "Bad handler",
		},
		{
			name:      "syntax error",
			files:     map[string]string{"index.js": `exports.handler = async () => {;`},
			handler:   "index.handler",
			errorType: "Runtime.UserCodeSyntaxError",
			message:   "SyntaxError: ",
			prefix:    true,
		},
		{
			name:      "exception at load",
			files:     map[string]string{"index.js": `throw new Error("init failed");`},
			handler:   "index.handler",
			errorType: "Error",
			message:   "init failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := mustStartAPI(t)
			dir := mustWriteFiles(t, tt.files)
			c := mustStartClient(t, node, api, dir, tt.handler)

			p := api.initError(t)
			if got := p.header.Get("Lambda-Runtime-Function-Error-Type"); got != tt.errorType {
				t.Errorf("error type header: got %q, want %q", got, tt.errorType)
			}
			m := mustDecode(t, p)
			wantField(t, m, "errorType", tt.errorType)
			msg, _ := m["errorMessage"].(string)
			if tt.prefix && !strings.HasPrefix(msg, tt.message) || !tt.prefix && msg != tt.message {
				t.Errorf("errorMessage: got %q, want %q", msg, tt.message)
			}
			if trace, _ := m["trace"].([]any); len(trace) == 0 || !strings.HasPrefix(fmt.Sprint(trace[0]), tt.errorType+": ") {
				t.Errorf("trace: got %#v, want it to start with %q", m["trace"], tt.errorType+": ")
			}
			if code := c.exitCode(t); code != 129 {
				t.Errorf("exit status: got %d, want 129", code)
			}
			if out, want := c.out.String(), "\tundefined\tERROR\tUncaught Exception \t{\"errorType\":\""+tt.errorType+"\""; !strings.Contains(out, want) {
				t.Errorf("output: got %q, want it to contain %q", out, want)
			}
		})
	}
}

func TestPythonJSONLogs(t *testing.T) {
	t.Parallel()
	api := mustStartAPI(t)
	dir := mustWriteFiles(t, map[string]string{"app.py": `import logging

logger = logging.getLogger()


def handler(event, context):
    logger.debug("not shown")
    logger.info("structured", extra={"k": "v"})
    raise KeyError("gone")
`})
	c := mustStartClient(t, python, api, dir, "app.handler", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO")

	wantKind(t, api.invoke(t, "req-j", `{}`, nil), "error")
	out := c.out.waitFor(t, `"errorType": "KeyError"`)
	var info, errDoc map[string]any
	for _, line := range strings.Split(out, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		switch m["level"] {
		case "INFO":
			info = m
		case "ERROR":
			errDoc = m
		}
	}
	if info == nil || errDoc == nil {
		t.Fatalf("output: got %q, want an INFO and an ERROR JSON line", out)
	}
	wantField(t, info, "message", "structured")
	wantField(t, info, "logger", "root")
	wantField(t, info, "requestId", "req-j")
	wantField(t, info, "k", "v")
	if ts, _ := info["timestamp"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(ts) {
		t.Errorf("timestamp: got %q, want an ISO 8601 UTC time with milliseconds", ts)
	}
	wantField(t, errDoc, "errorMessage", "'gone'")
	wantField(t, errDoc, "requestId", "req-j")
	if strings.Contains(out, "not shown") {
		t.Errorf("DEBUG record logged at level INFO: %q", out)
	}
}

func TestNodeLogFormatAndLevel(t *testing.T) {
	t.Parallel()
	source := `exports.handler = async () => {
  console.debug("not shown");
  console.info("info %s", "line");
  console.warn({ a: 1 });
  return "ok";
};`
	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		api := mustStartAPI(t)
		dir := mustWriteFiles(t, map[string]string{"index.js": source})
		c := mustStartClient(t, node, api, dir, "index.handler", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO")
		wantKind(t, api.invoke(t, "req-j", `{}`, nil), "response")
		c.out.waitMatch(t, regexp.MustCompile(`\{"timestamp":"[^"]+Z","level":"INFO","requestId":"req-j","message":"info line"\}\n`))
		out := c.out.waitMatch(t, regexp.MustCompile(`\{"timestamp":"[^"]+Z","level":"WARN","requestId":"req-j","message":\{"a":1\}\}\n`))
		if strings.Contains(out, "not shown") {
			t.Errorf("DEBUG line logged at level INFO: %q", out)
		}
	})
	t.Run("text at WARN", func(t *testing.T) {
		t.Parallel()
		api := mustStartAPI(t)
		dir := mustWriteFiles(t, map[string]string{"index.js": source})
		c := mustStartClient(t, node, api, dir, "index.handler", "AWS_LAMBDA_LOG_LEVEL=WARN")
		wantKind(t, api.invoke(t, "req-w", `{}`, nil), "response")
		out := c.out.waitFor(t, "\treq-w\tWARN\t{ a: 1 }\n")
		if strings.Contains(out, "not shown") || strings.Contains(out, "info line") {
			t.Errorf("lines below WARN logged: %q", out)
		}
	})
}

// BenchmarkWarmInvoke measures one warm invocation end to end: the Runtime
// API hands out an event, the client calls a trivial handler and posts its
// result.
func BenchmarkWarmInvoke(b *testing.B) {
	for _, bc := range []struct {
		name    string
		lang    language
		file    string
		source  string
		handler string
	}{
		{"python", python, "app.py", "def handler(event, context):\n    return event\n", "app.handler"},
		{"node", node, "index.js", "exports.handler = async (event) => event;\n", "index.handler"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			api := mustStartAPI(b)
			dir := mustWriteFiles(b, map[string]string{bc.file: bc.source})
			mustStartClient(b, bc.lang, api, dir, bc.handler)
			api.invoke(b, "warm-up", `{"k":"v"}`, nil)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				api.invoke(b, "req-"+strconv.Itoa(i), `{"k":"v"}`, nil)
			}
		})
	}
}
