package apps

import (
	"embed"

	"github.com/eddyserverless/eddy/apps/queue-event-source/poller"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/leaderboard"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/processor"
	tweetpoller "github.com/eddyserverless/eddy/apps/tweet-search-event-source/poller"
)

// files holds what publishes each bundled application.
//
//go:embed queue-event-source/template.yaml queue-event-source/README.md queue-event-source/LICENSE
//go:embed tweet-search-event-source/template.yaml tweet-search-event-source/README.md tweet-search-event-source/LICENSE
//go:embed retweet-leaderboard/template.yaml retweet-leaderboard/README.md retweet-leaderboard/LICENSE
var files embed.FS

// order lists the bundled applications, each after those it nests.
var order = []string{"queue-event-source", "tweet-search-event-source", "retweet-leaderboard"}

// handlers are the bundled functions' handlers by APP/FUNC.
var handlers = map[string]func(){
	"queue-event-source/poller":        poller.Start,
	"retweet-leaderboard/processor":    processor.Start,
	"retweet-leaderboard/leaderboard":  leaderboard.Start,
	"tweet-search-event-source/poller": tweetpoller.Start,
}
