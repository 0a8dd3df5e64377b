package invoke

// ErrorMessage exposes how a dead-letter message reports a function error.
var ErrorMessage = errorMessage
