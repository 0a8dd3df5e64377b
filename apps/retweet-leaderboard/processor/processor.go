// Package processor is retweet-leaderboard's TweetProcessor function:
// tweet-search-event-source invokes it with batches of tweets that carry
// the game's hashtag, and it keeps each user's best tweet (most retweets,
// ties broken by favorites) in the scores table.
//
// Native retweets and tweets nobody retweeted do not score. A batch is
// grouped by user first; each user's best tweet of the batch is then
// written with one conditional UpdateItem (see Condition), several users
// at a time, so that processors running at the same time never lose a
// better score. The batch's scores are then merged into the top item,
// the first players the leaderboard reads in one go (see updateTop). A
// retried batch writes nothing twice.
package processor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/eddyserverless/eddy/apps/internal/awsenv"
)

// DefaultConcurrency is how many users' scores a batch writes at a time.
const DefaultConcurrency = 8

// Processor processes batches of tweets into the scores table.
type Processor struct {
	DB          Table
	Table       string                        // the scores table's name
	Concurrency int                           // writes at a time; DefaultConcurrency if 0
	Now         func() time.Time              // time.Now if nil
	Logf        func(format string, a ...any) // log.Printf if nil
}

// Result tells what a batch did.
type Result struct {
	Tweets  int `json:"tweets"`  // tweet objects in the batch
	Skipped int `json:"skipped"` // elements that are not tweet objects, and scoring tweets without a usable screen name
	Users   int `json:"users"`   // users with a scoring tweet in the batch
	Updated int `json:"updated"` // users whose best tweet the batch improved
}

func (p *Processor) logf(format string, a ...any) {
	if p.Logf != nil {
		p.Logf(format, a...)
		return
	}
	log.Printf(format, a...)
}

// Handle processes one batch. It fails if the event is not a JSON array
// or if a write fails (the scores it could write are kept, and a retry
// of the batch rewrites nothing better than what is stored).
func (p *Processor) Handle(ctx context.Context, event json.RawMessage) (Result, error) {
	tweets, skipped, err := Decode(event)
	if err != nil {
		p.logf("ERROR %v", err)
		return Result{}, err
	}
	best, bad := BestPerUser(tweets)
	skipped = append(skipped, bad...)
	for _, s := range skipped {
		p.logf("skipped %s", s)
	}
	res := Result{Tweets: len(tweets), Skipped: len(skipped), Users: len(best)}
	updated, err := p.write(ctx, best)
	res.Updated = updated
	if tt, ok := p.DB.(TopTable); ok && err == nil && len(best) > 0 {
		if err = updateTop(ctx, tt, p.Table, best); err != nil {
			p.logf("ERROR merge the batch into the top item of table %s: %v", p.Table, err)
		}
	}
	p.logf("batch of %d tweets: %d users scored, %d best tweets stored, %d skipped", len(tweets), res.Users, res.Updated, res.Skipped)
	return res, err
}

// write stores each user's best tweet, Concurrency at a time, and returns
// how many were stored.
func (p *Processor) write(ctx context.Context, best []Score) (int, error) {
	n := p.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	var (
		wg  sync.WaitGroup
		sem = make(chan struct{}, n)
		mu  sync.Mutex // guards updated and errs
		// updated counts the stored scores; errs holds the failed writes.
		updated int
		errs    []error
	)
	for _, s := range best {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ok, err := Store(ctx, p.DB, p.Table, s, now())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				p.logf("ERROR store the best tweet %s of %s in table %s: %v", s.TweetID, s.Username, p.Table, err)
				errs = append(errs, fmt.Errorf("user %s: %w", s.Username, err))
			case ok:
				updated++
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return updated, fmt.Errorf("%d of %d score writes failed: %w", len(errs), len(best), errors.Join(errs...))
	}
	return updated, nil
}

// EnvTable names the environment variable that holds the scores table's
// name.
const EnvTable = "SCORES_TABLE"

// FromEnv returns the Processor the function's environment describes.
func FromEnv() (*Processor, error) {
	table := os.Getenv(EnvTable)
	if table == "" {
		return nil, fmt.Errorf("%s is not set: the function does not know its scores table", EnvTable)
	}
	return &Processor{DB: dynamodb.NewFromConfig(awsenv.Config()), Table: table}, nil
}

// Start runs the function: it reads its environment and serves
// invocations. A function whose environment is incomplete logs why and
// fails every invocation with that reason.
func Start() {
	p, err := FromEnv()
	if err != nil {
		log.Printf("ERROR retweet-leaderboard TweetProcessor: %v", err)
		lambda.Start(func(context.Context, json.RawMessage) (Result, error) { return Result{}, err })
		return
	}
	lambda.Start(p.Handle)
}
