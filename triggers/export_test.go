package triggers

// BatchItemFailures exposes the partial batch response reader to tests.
var BatchItemFailures = batchItemFailures
