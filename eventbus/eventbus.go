// Package eventbus is EventBridge on eddy: event buses, rules with event
// patterns or schedules, targets, PutEvents, and EventBridge Scheduler's
// schedules, delivered to functions and queues.
package eventbus

// Service is the event bus and scheduler.
type Service struct{}
