// Package poller is the function of eddy's tweet-search-event-source
// application: on every tick of its schedule it searches tweets (Twitter's
// standard search API v1.1, or the recent search of API v2), and invokes
// the processor function the application was deployed with,
// asynchronously, with the tweets found, in JSON arrays of at most
// BatchSize tweet objects, oldest first.
//
// In stream mode a checkpoint item in a DynamoDB table holds the newest
// tweet id handed to the processor, so that each tweet is delivered once;
// it only ever moves up to a tweet that was delivered, with every older
// tweet of the search delivered too.
package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// SSM is the part of the Systems Manager API the poller reads its
// credentials with.
type SSM interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, opts ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// Lambda is the part of the Lambda API the poller hands tweets over with.
type Lambda interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// DynamoDB is the part of the DynamoDB API the checkpoint is kept with.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Defaults of a Poller's fields.
const (
	DefaultBatchSize      = 15
	DefaultBaseURL        = "https://api.twitter.com"
	DefaultPrefix         = "twitter-event-source"
	DefaultRequestTimeout = 10 * time.Second
	DefaultReserve        = 5 * time.Second
)

// Poller searches tweets and hands them to a processor function. Its
// zero fields take the defaults above; SearchText, ProcessorFunction and
// the clients must be set, and CheckpointTable too in stream mode.
type Poller struct {
	SearchText        string
	BatchSize         int
	StreamMode        bool
	ProcessorFunction string
	ParameterPrefix   string // with or without a leading slash
	CheckpointTable   string
	BaseURL           string // the search API's, e.g. https://api.twitter.com
	APIVersion        string // "1.1" (the default) or "2"

	HTTP     *http.Client
	SSM      SSM
	Lambda   Lambda
	DynamoDB DynamoDB

	// RequestTimeout bounds one search request; a request never runs
	// into Reserve, the time before the invocation's deadline kept for
	// handing tweets over and advancing the checkpoint.
	RequestTimeout time.Duration
	Reserve        time.Duration

	// Logf writes a line to the function's log (log.Printf if nil).
	Logf func(format string, args ...any)
	// Now and Nonce give an OAuth request its timestamp and nonce
	// (the clock and crypto/rand if nil).
	Now   func() time.Time
	Nonce func() string
}

// Handle is the function's handler: event (a scheduled event, or anything
// else) is ignored, and each invocation is one poll.
func (p *Poller) Handle(ctx context.Context, event json.RawMessage) error {
	return p.Poll(ctx)
}

// Tweet is one search result: its id and the tweet object handed to the
// processor.
type Tweet struct {
	ID  uint64
	Raw json.RawMessage
	// Popular marks a v1.1 result of result_type=mixed that the search
	// ranked as popular (metadata.result_type "popular"): it may be far
	// older than the recent results of its page.
	Popular bool
}

// Poll searches once, hands what it found to the processor and, in stream
// mode, advances the checkpoint. It fails when the credentials or the
// checkpoint cannot be read, the search API refuses the request (other
// than by rate limiting), or the processor cannot be invoked; a rate-limited,
// failing, malformed or slow search is logged and left to the next tick.
func (p *Poller) Poll(ctx context.Context) error {
	creds, err := p.credentials(ctx)
	if err != nil {
		p.logf("error: %v", err)
		return err
	}
	var since uint64
	if p.StreamMode {
		if since, err = p.readCheckpoint(ctx); err != nil {
			p.logf("error: %v", err)
			return err
		}
	}
	res := p.search(ctx, creds, since)
	tweets := res.complete
	if !p.StreamMode {
		// Without a checkpoint nothing is skipped next time, so whatever
		// was fetched is worth delivering.
		tweets = merge(tweets, res.partial)
	} else if len(res.partial) > 0 {
		p.logf("holding back %d tweets of an unfinished search: the next tick fetches them again", len(res.partial))
	}
	delivered, last, derr := p.deliver(ctx, tweets)
	if p.StreamMode && last > since {
		if err := p.advanceCheckpoint(ctx, last); err != nil {
			p.logf("error: %v", err)
			return err
		}
	}
	if derr != nil {
		p.logf("error: %v (%d of %d tweets delivered)", derr, delivered, len(tweets))
		return derr
	}
	if res.err != nil {
		var fatal *refusedError
		if errors.As(res.err, &fatal) {
			p.logf("error: %v", res.err)
			return res.err
		}
		p.logf("search stopped: %v; delivered %d tweets, backing off until the next tick", res.err, delivered)
		return nil
	}
	p.logf("delivered %d tweets in %d batches to %s (since_id %d, newest %d)", delivered, batches(delivered, p.batchSize()), p.ProcessorFunction, since, last)
	return nil
}

// deliver invokes the processor asynchronously with tweets, oldest first,
// in batches. It returns how many tweets were handed over and the id of
// the last of them; it stops at the first failed invocation.
func (p *Poller) deliver(ctx context.Context, tweets []Tweet) (int, uint64, error) {
	size := p.batchSize()
	var last uint64
	n := 0
	for i := 0; i < len(tweets); i += size {
		batch := tweets[i:min(i+size, len(tweets))]
		payload := []byte{'['}
		for j, t := range batch {
			if j > 0 {
				payload = append(payload, ',')
			}
			payload = append(payload, t.Raw...)
		}
		payload = append(payload, ']')
		out, err := p.Lambda.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String(p.ProcessorFunction),
			InvocationType: ltypes.InvocationTypeEvent,
			Payload:        payload,
		})
		if err != nil {
			return n, last, fmt.Errorf("invoke processor %s: %w", p.ProcessorFunction, err)
		}
		if out.FunctionError != nil {
			return n, last, fmt.Errorf("invoke processor %s: %s", p.ProcessorFunction, aws.ToString(out.FunctionError))
		}
		n += len(batch)
		last = batch[len(batch)-1].ID
	}
	return n, last, nil
}

// merge returns a and b as one list sorted by id, each id once.
func merge(a, b []Tweet) []Tweet {
	out := make([]Tweet, 0, len(a)+len(b))
	seen := make(map[uint64]bool, len(a)+len(b))
	for _, l := range [][]Tweet{a, b} {
		for _, t := range l {
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func batches(n, size int) int { return (n + size - 1) / size }

func (p *Poller) batchSize() int {
	if p.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return p.BatchSize
}

func (p *Poller) logf(format string, args ...any) {
	if p.Logf != nil {
		p.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}
