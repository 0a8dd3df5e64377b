package poller_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	stypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/eddyserverless/eddy/apps/tweet-search-event-source/poller"
	"github.com/eddyserverless/eddy/apps/tweet-search-event-source/searchfake"
)

// fakeSSM is a parameter store of plain values.
type fakeSSM struct {
	params  map[string]string
	decrypt []bool // WithDecryption of every call
}

func (f *fakeSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	f.decrypt = append(f.decrypt, aws.ToBool(in.WithDecryption))
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		if v, ok := f.params[n]; ok {
			out.Parameters = append(out.Parameters, stypes.Parameter{Name: aws.String(n), Value: aws.String(v), Type: stypes.ParameterTypeSecureString})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	return out, nil
}

// oauthSSM holds a full set of OAuth 1.0a credentials under the default prefix.
func oauthSSM() *fakeSSM {
	return &fakeSSM{params: map[string]string{
		"/twitter-event-source/consumer_key":        "ck",
		"/twitter-event-source/consumer_secret":     "cs",
		"/twitter-event-source/access_token":        "at",
		"/twitter-event-source/access_token_secret": "ats",
	}}
}

// fakeLambda records the batches it is invoked with; invocation number
// failAt (counted from 1) fails.
type fakeLambda struct {
	mu      sync.Mutex
	batches [][]map[string]any
	inputs  []*lambda.InvokeInput
	failAt  int
}

func (f *fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, in)
	if len(f.inputs) == f.failAt {
		return nil, errors.New("ServiceException: processor unavailable")
	}
	dec := json.NewDecoder(strings.NewReader(string(in.Payload)))
	dec.UseNumber()
	var batch []map[string]any
	if err := dec.Decode(&batch); err != nil {
		return nil, fmt.Errorf("payload is not a JSON array of objects: %v", err)
	}
	f.batches = append(f.batches, batch)
	return &lambda.InvokeOutput{StatusCode: 202}, nil
}

// ids returns the id_str of every tweet delivered, in delivery order.
func (f *fakeLambda) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, b := range f.batches {
		for _, t := range b {
			ids = append(ids, t["id_str"].(string))
		}
	}
	return ids
}

// fakeTable is a DynamoDB table of the checkpoint item only.
type fakeTable struct {
	mu      sync.Mutex
	sinceID string // "" while there is no item
	puts    []*dynamodb.PutItemInput
	gets    int
}

func (f *fakeTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if k, ok := in.Key["id"].(*dtypes.AttributeValueMemberS); !ok || k.Value != poller.CheckpointID {
		return nil, errors.New("ValidationException: unexpected key")
	}
	if f.sinceID == "" {
		return &dynamodb.GetItemOutput{}, nil
	}
	return &dynamodb.GetItemOutput{Item: map[string]dtypes.AttributeValue{
		"id":       &dtypes.AttributeValueMemberS{Value: poller.CheckpointID},
		"since_id": &dtypes.AttributeValueMemberN{Value: f.sinceID},
	}}, nil
}

// PutItem evaluates the one condition the poller writes with.
func (f *fakeTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts = append(f.puts, in)
	if got, want := aws.ToString(in.ConditionExpression), "attribute_not_exists(id) OR since_id < :n"; got != want {
		return nil, fmt.Errorf("ValidationException: condition %q, want %q", got, want)
	}
	n := in.ExpressionAttributeValues[":n"].(*dtypes.AttributeValueMemberN).Value
	if f.sinceID != "" && !(num(f.sinceID) < num(n)) {
		return nil, &dtypes.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	f.sinceID = in.Item["since_id"].(*dtypes.AttributeValueMemberN).Value
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeTable) checkpoint() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sinceID
}

func num(s string) uint64 {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

// rig is a poller wired to fakes.
type rig struct {
	api    *searchfake.Server
	srv    *httptest.Server
	ssm    *fakeSSM
	lambda *fakeLambda
	table  *fakeTable
	p      *poller.Poller
	mu     sync.Mutex
	logs   []string
}

func newRig(t *testing.T, stream bool) *rig {
	t.Helper()
	r := &rig{api: searchfake.New(), ssm: oauthSSM(), lambda: &fakeLambda{}, table: &fakeTable{}}
	r.srv = httptest.NewServer(r.api)
	t.Cleanup(r.srv.Close)
	r.p = &poller.Poller{
		SearchText: "eddy serverless", BatchSize: 15, StreamMode: stream,
		ProcessorFunction: "processor", CheckpointTable: "checkpoints",
		BaseURL: r.srv.URL, HTTP: r.srv.Client(),
		SSM: r.ssm, Lambda: r.lambda, DynamoDB: r.table,
		RequestTimeout: 2 * time.Second,
		Logf: func(format string, args ...any) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.logs = append(r.logs, fmt.Sprintf(format, args...))
			t.Logf(format, args...)
		},
	}
	return r
}

func (r *rig) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.logs, "\n")
}

func (r *rig) poll(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return r.p.Poll(ctx)
}

func (r *rig) mustPoll(t *testing.T) {
	t.Helper()
	if err := r.poll(t); err != nil {
		t.Fatalf("poll: %v\nlog:\n%s", err, r.log())
	}
}

// exactlyOnce checks that got is want, in order, each id once.
func exactlyOnce(t *testing.T, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("tweet %s delivered %d times", id, n)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d tweets, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tweet %d: got %s, want %s (oldest first)", i, got[i], want[i])
		}
	}
}
