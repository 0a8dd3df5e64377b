// Command bootstrap is retweet-leaderboard's TweetProcessor function.
package main

import "github.com/eddyserverless/eddy/apps/retweet-leaderboard/processor"

func main() { processor.Start() }
