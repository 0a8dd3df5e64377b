package poller_test

import (
	"io"
	"log"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/eddyserverless/eddy/apps/queue-event-source/poller"
)

// FuzzAnswer hands a batch to a processor that answers anything: the run
// never panics, gives every message exactly one fate and asks SQS only
// for visibility timeouts it accepts.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{
		`{"messageResults":[{"messageId":"m0","status":"SUCCESS"},{"messageId":"m1","status":"RETRY","retryDelayInSeconds":1}]}`,
		`{"messageResults":[{"messageId":"m2","status":"RETRY","retryDelayInSeconds":-1e309}]}`,
		`{"messageResults":[{"messageId":"m0","status":"RETRY","retryDelayInSeconds":1e400}]}`,
		`{"messageResults":[{"messageId":"m0","status":"ERROR"},{"messageId":"m0","status":"SUCCESS"}]}`,
		`{"messageResults":null}`, `null`, `[]`, `{`, ``, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		if r, err := poller.ParseResponse(answer); err == nil && r == nil {
			t.Fatal("got neither a response nor an error")
		}
		q := &fakeQueue{batches: [][]sqstypes.Message{msgs("m", 3)}}
		l := &fakeLambda{answer: func(poller.Request) (*lambda.InvokeOutput, error) {
			return &lambda.InvokeOutput{StatusCode: 200, Payload: answer}, nil
		}}
		p, _ := testPoller(q, l)
		p.Log = log.New(io.Discard, "", 0)
		sum := mustRun(t, p)
		if sum.Deleted+sum.Retried+sum.Left != 3 {
			t.Fatalf("got %+v for 3 messages", sum)
		}
		for h, v := range q.visibility {
			if v < 0 || v > poller.MaxRetryDelay {
				t.Fatalf("got visibility %d for %s", v, h)
			}
		}
	})
}
