package apps

import (
	"embed"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/leaderboard"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/processor"
)

// files holds what publishes each bundled application.
//
//go:embed retweet-leaderboard/template.yaml retweet-leaderboard/README.md retweet-leaderboard/LICENSE
var files embed.FS

// order lists the bundled applications, each after those it nests.
var order = []string{"retweet-leaderboard"}

// handlers are the bundled functions' handlers by APP/FUNC.
var handlers = map[string]func(){
	"retweet-leaderboard/processor":   processor.Start,
	"retweet-leaderboard/leaderboard": leaderboard.Start,
}
