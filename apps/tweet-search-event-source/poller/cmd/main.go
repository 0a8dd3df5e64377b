// Command bootstrap is the poller function of tweet-search-event-source.
package main

import "github.com/eddyserverless/eddy/apps/tweet-search-event-source/poller"

func main() { poller.Start() }
