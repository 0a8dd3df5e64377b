// Package queues is eddy's SQS: standard and FIFO queues with visibility
// timeouts, delays, long polling, dead-letter redrive and message move
// tasks.
//
// Queue definitions live in the key-value bucket eddy_queues, cached in
// memory on every node by a watch. Each queue's messages live in its own
// work-queue stream (see queue.go), and one node at a time owns a queue
// (a lease in eddy_queue_leases): it holds the queue's state in memory and
// answers receives, deletes and visibility changes, which other nodes
// forward to it over NATS. Any node sends straight to the stream.
//
// The request and result types are SQS's JSON wire shapes (types.go); the
// edge (awsapi/sqs.go) speaks both of SQS's protocols over them. Errors are
// *eddy.Error whose Type is the JSON protocol's code.
package queues
