// Package restapis is API Gateway's REST APIs on eddy: resources, methods
// with Lambda proxy integrations, deployments and stages, and the requests
// made to them.
package restapis

// Service holds REST APIs and serves their requests.
type Service struct{}
