package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MotoCommand is the executable of moto, the reference implementation of
// AWS APIs that eddy is compared with.
const MotoCommand = "moto_server"

// MotoPath returns the path of moto_server, or an error if it is not on
// PATH.
func MotoPath() (string, error) {
	p, err := exec.LookPath(MotoCommand)
	if err != nil {
		return "", fmt.Errorf("moto: %w", err)
	}
	return p, nil
}

// Moto is a moto_server process listening on a loopback port. Its state
// lives in its memory: every Moto starts empty.
type Moto struct {
	// URL is the server's base address, e.g. http://127.0.0.1:41234.
	URL string

	cmd    *exec.Cmd
	out    *motoOutput
	exited chan struct{} // closed when the process has exited
	once   sync.Once
}

// motoStartTimeout bounds how long StartMoto waits for the server to answer.
const motoStartTimeout = 60 * time.Second

// StartMoto starts moto_server on a free loopback port (it binds port 0
// and prints the port it got) and returns once the server answers a
// DynamoDB ListTables. Close stops it; ctx only bounds the start.
func StartMoto(ctx context.Context) (*Moto, error) {
	path, err := MotoPath()
	if err != nil {
		return nil, err
	}
	out := &motoOutput{found: make(chan string, 1)}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", "0")
	cmd.Stdout, cmd.Stderr = out, out
	// moto_server is often a shim that starts the interpreter as a
	// child: a process group lets Close stop both.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("moto: start: %w", err)
	}
	m := &Moto{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(m.exited)
	}()
	fail := func(err error) (*Moto, error) {
		m.Close()
		return nil, err
	}
	timeout := time.NewTimer(motoStartTimeout)
	defer timeout.Stop()
	select {
	case m.URL = <-out.found:
	case <-m.exited:
		return fail(fmt.Errorf("moto: exited before listening: %s", out.tail()))
	case <-timeout.C:
		return fail(fmt.Errorf("moto: no listening address after %v: %s", motoStartTimeout, out.tail()))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for {
		err := motoPing(ctx, client, m.URL)
		if err == nil {
			return m, nil
		}
		select {
		case <-m.exited:
			return fail(fmt.Errorf("moto: exited: %s", out.tail()))
		case <-timeout.C:
			return fail(fmt.Errorf("moto: not answering at %s after %v: %w", m.URL, motoStartTimeout, err))
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// motoPing sends a DynamoDB ListTables.
func motoPing(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/", strings.NewReader("{}"))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("ListTables: status %d: %s", res.StatusCode, bytes.TrimSpace(body))
	}
	return nil
}

// Close stops the server (SIGTERM, then SIGKILL after 5 s) and waits for
// it to exit. It is safe to call twice.
func (m *Moto) Close() {
	m.once.Do(func() {
		pgid := m.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-m.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-m.exited
		}
	})
}

// listening matches werkzeug's " * Running on http://127.0.0.1:PORT".
var listening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:[0-9]+)`)

// motoOutput scans moto's output for its address and keeps the last few
// KiB for error messages.
type motoOutput struct {
	found chan string // receives the address once

	mu   sync.Mutex // guards buf and sent
	buf  []byte
	sent bool
}

const motoOutputKeep = 4096

func (o *motoOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	if !o.sent {
		if m := listening.FindSubmatch(o.buf); m != nil {
			o.sent = true
			o.found <- string(m[1])
		}
	}
	if len(o.buf) > 2*motoOutputKeep {
		o.buf = append(o.buf[:0], o.buf[len(o.buf)-motoOutputKeep:]...)
	}
	return len(p), nil
}

func (o *motoOutput) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := strings.TrimSpace(string(o.buf))
	if s == "" {
		return "no output"
	}
	return s
}

// IsMotoAbsent reports whether err says moto_server is not on PATH.
func IsMotoAbsent(err error) bool { return errors.Is(err, exec.ErrNotFound) }
