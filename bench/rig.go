package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// fnRig is the echo function behind an event source mapping and what it
// has seen so far: what the stream and queue measurements share. The
// function (bench/echofn) writes each event it gets to dir as
// NANOSECONDS-REQUESTID.json, and the start of each invocation to
// dir/stamps.
type fnRig struct {
	kind     string // "streams" or "queues": names messages and resources
	wait     time.Duration
	out      io.Writer // progress; nil for none
	http     *http.Client
	lambda   *lambda.Client
	function string
	mapping  string // UUID; "" until created
	dir      string
	created  bool // the function
	// records returns the keys of the records in an event file, and
	// whether the file was complete.
	records func(data []byte) ([]record, bool)

	// Filled in by collect.
	seen    map[string]bool    // event files read
	arrived map[string]arrival // record key → its first delivery
	probes  int
}

// record is one record of an event: its key and, when it carries one, the
// time it was sent.
type record struct {
	key  string
	sent time.Time
}

// arrival is the first delivery of a record to the function.
type arrival struct {
	at   time.Time // start of the invocation
	sent time.Time // from the record, when it carries it
	by   string    // the invocation's request id
}

// newFnRig prepares the clients and the function's directory; name is the
// function's.
func newFnRig(kind, endpoint, name string, out io.Writer, wait time.Duration, records func([]byte) ([]record, bool)) (*fnRig, error) {
	r := &fnRig{
		kind: kind, wait: wait, out: out, http: newHTTPClient(), function: name, records: records,
		seen: map[string]bool{}, arrived: map[string]arrival{},
	}
	r.lambda = lambda.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(strings.TrimRight(endpoint, "/")),
		HTTPClient:   r.http,
	}, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	var err error
	if r.dir, err = os.MkdirTemp("", "eddy-bench-"+kind+"-"); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", kind, err)
	}
	return r, nil
}

func (r *fnRig) progress(format string, args ...any) {
	if r.out != nil {
		fmt.Fprintf(r.out, "bench: "+r.kind+": "+format+"\n", args...)
	}
}

// createFunction creates the echo function from zip.
func (r *fnRig) createFunction(ctx context.Context, zip []byte) error {
	r.progress("create function %s", r.function)
	_, err := r.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(r.function),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String(benchRole),
		Code:         &types.FunctionCode{ZipFile: zip},
		Timeout:      aws.Int32(30),
		Environment: &types.Environment{Variables: map[string]string{
			"ECHOFN_RECORD_DIR": r.dir,
			"ECHOFN_STAMP_FILE": filepath.Join(r.dir, "stamps"),
		}},
	})
	if err != nil {
		return unavailable("Lambda CreateFunction", err)
	}
	r.created = true
	return nil
}

// createMapping creates the mapping in to the function and waits until it
// is Enabled; refused turns a refusal into the error to return.
func (r *fnRig) createMapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput, refused func(error) error) error {
	r.progress("create event source mapping from %s", aws.ToString(in.EventSourceArn))
	in.FunctionName, in.Enabled = aws.String(r.function), aws.Bool(true)
	m, err := r.lambda.CreateEventSourceMapping(ctx, in)
	if err != nil {
		return refused(err)
	}
	r.mapping = aws.ToString(m.UUID)
	deadline := time.Now().Add(r.wait)
	for state := aws.ToString(m.State); state != "Enabled"; {
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: event source mapping %s still %q after %v", ErrNotAvailable, r.mapping, state, r.wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		g, err := r.lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(r.mapping)})
		if err != nil {
			return unavailable("Lambda GetEventSourceMapping", err)
		}
		state = aws.ToString(g.State)
	}
	return nil
}

// close deletes the mapping and the function, then the event source with
// deleteSource, then the directory.
func (r *fnRig) close(deleteSource func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if r.mapping != "" {
		if _, err := r.lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(r.mapping)}); err != nil {
			r.progress("delete event source mapping %s: %v", r.mapping, err)
		}
	}
	if r.created {
		if _, err := r.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(r.function)}); err != nil {
			r.progress("delete function %s: %v", r.function, err)
		}
	}
	deleteSource(ctx)
	r.http.CloseIdleConnections()
	if r.dir != "" {
		_ = os.RemoveAll(r.dir)
	}
}

// prime sends a probe with send every 200 ms until one reaches the
// function (probeKey names the i-th), so that the measurements start with
// the mapping reading.
func (r *fnRig) prime(ctx context.Context, send func(ctx context.Context, i int) error, probeKey func(i int) string) error {
	r.progress("waiting for a first record to reach the function")
	deadline := time.Now().Add(r.wait)
	for ctx.Err() == nil {
		if err := send(ctx, r.probes); err != nil {
			return err
		}
		r.probes++
		for until := time.Now().Add(200 * time.Millisecond); time.Now().Before(until); {
			r.collect()
			for i := range r.probes {
				if _, ok := r.arrived[probeKey(i)]; ok {
					return nil
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: nothing reached the function within %v", ErrNotAvailable, r.wait)
		}
	}
	return ctx.Err()
}

// await collects what the function saw until done holds, or nothing new
// has arrived for the rig's wait.
func (r *fnRig) await(ctx context.Context, done func() bool) {
	last, lastChange := len(r.arrived), time.Now()
	for ctx.Err() == nil {
		r.collect()
		if done() {
			return
		}
		if n := len(r.arrived); n != last {
			last, lastChange = n, time.Now()
		} else if time.Since(lastChange) > r.wait {
			r.progress("gave up: nothing new for %v", r.wait)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// arrivedOf counts the keys of want that have arrived.
func arrivedOf[V any](r *fnRig, want map[string]V) int {
	n := 0
	for k := range want {
		if _, ok := r.arrived[k]; ok {
			n++
		}
	}
	return n
}

// collect reads the events the function has recorded since the last call
// and the start times of their invocations. An event file still being
// written, or whose invocation's stamp is not complete yet, is read again
// next time.
func (r *fnRig) collect() {
	stamps := readCompleteStamps(filepath.Join(r.dir, "stamps"))
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		base, ok := strings.CutSuffix(name, ".json")
		if !ok || r.seen[name] {
			continue
		}
		_, id, _ := strings.Cut(base, "-")
		at, ok := stamps[id]
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.dir, name))
		if err != nil {
			continue
		}
		recs, ok := r.records(data)
		if !ok {
			continue // not complete yet
		}
		r.seen[name] = true
		for _, rec := range recs {
			if prev, ok := r.arrived[rec.key]; !ok || at.Before(prev.at) {
				r.arrived[rec.key] = arrival{at: at, sent: rec.sent, by: id}
			}
		}
	}
}
