// Package params is eddy's parameter store: SSM's parameters, with
// versions, paths and SecureStrings encrypted at rest.
package params

// Service is the parameter store.
type Service struct{}
