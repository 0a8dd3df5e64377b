// Command bootstrap is retweet-leaderboard's GetLeaderboard function.
package main

import "github.com/eddyserverless/eddy/apps/retweet-leaderboard/leaderboard"

func main() { leaderboard.Start() }
