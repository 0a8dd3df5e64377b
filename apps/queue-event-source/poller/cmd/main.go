// Command poller is the Poller function of the queue-event-source
// application.
package main

import "github.com/eddyserverless/eddy/apps/queue-event-source/poller"

func main() { poller.Start() }
