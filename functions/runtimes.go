package functions

import (
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
)

// knownRuntimes is Lambda's Runtime enum (botocore's lambda model).
var knownRuntimes = []string{
	"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
	"java8", "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
	"dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge",
	"go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2", "nodejs18.x", "python3.10", "java17", "ruby3.2",
	"ruby3.3", "ruby3.4", "python3.11", "nodejs20.x", "provided.al2023", "python3.12", "java21", "python3.13",
	"nodejs22.x", "nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0",
}

// retiredRuntimes are runtimes Lambda no longer accepts for new or updated
// functions.
var retiredRuntimes = []string{
	"nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x",
	"python2.7", "python3.6", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "ruby2.5",
}

// ValidateRuntime checks a runtime identifier as Lambda does on create and
// update. Runtimes that Lambda knows but eddy cannot run are accepted here
// and refused at invoke time, as Lambda refuses an invalid runtime.
func ValidateRuntime(r string) error {
	if !slices.Contains(knownRuntimes, r) {
		return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN",
			r, strings.Join(knownRuntimes, ", "))
	}
	if slices.Contains(retiredRuntimes, r) {
		return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", r)
	}
	return nil
}
