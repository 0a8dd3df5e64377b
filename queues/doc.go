// Package queues is eddy's SQS: standard and FIFO queues with visibility
// timeouts, delays, long polling, dead-letter redrive and message move
// tasks.
//
// The request and result types are SQS's JSON wire shapes (types.go); the
// edge (awsapi/sqs.go) speaks both of SQS's protocols over them.
package queues
