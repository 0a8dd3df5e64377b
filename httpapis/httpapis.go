// Package httpapis is API Gateway's HTTP APIs (v2) and Lambda's function
// URLs on eddy: their configuration, and the requests made to them, which
// become invocations of functions.
package httpapis

// Service holds HTTP APIs and function URLs and serves their requests.
type Service struct{}
