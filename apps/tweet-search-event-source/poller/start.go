package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	lambdaapi "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/eddyserverless/eddy/apps/internal/awsenv"
)

// The environment variables the template sets.
const (
	EnvSearchText        = "SEARCH_TEXT"
	EnvBatchSize         = "BATCH_SIZE"
	EnvStreamMode        = "STREAM_MODE_ENABLED"
	EnvProcessorFunction = "TWEET_PROCESSOR_FUNCTION_NAME"
	EnvParameterPrefix   = "SSM_PARAMETER_PREFIX"
	EnvCheckpointTable   = "SEARCH_CHECKPOINT_TABLE_NAME"
	EnvBaseURL           = "SEARCH_API_BASE_URL"
	EnvAPIVersion        = "SEARCH_API_VERSION"
)

// FromEnv returns the Poller the environment describes (getenv is
// os.Getenv but in tests), without its clients.
func FromEnv(getenv func(string) string) (*Poller, error) {
	p := &Poller{
		SearchText:        getenv(EnvSearchText),
		ProcessorFunction: getenv(EnvProcessorFunction),
		ParameterPrefix:   getenv(EnvParameterPrefix),
		CheckpointTable:   getenv(EnvCheckpointTable),
		BaseURL:           getenv(EnvBaseURL),
		APIVersion:        getenv(EnvAPIVersion),
	}
	if p.SearchText == "" {
		return nil, fmt.Errorf("%s is not set: the search has no text", EnvSearchText)
	}
	if p.ProcessorFunction == "" {
		return nil, fmt.Errorf("%s is not set: there is no function to hand tweets to", EnvProcessorFunction)
	}
	if s := getenv(EnvBatchSize); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s %q is not a positive integer", EnvBatchSize, s)
		}
		p.BatchSize = n
	}
	switch s := getenv(EnvStreamMode); s {
	case "", "false", "False", "FALSE":
	case "true", "True", "TRUE":
		p.StreamMode = true
	default:
		return nil, fmt.Errorf("%s %q is neither true nor false", EnvStreamMode, s)
	}
	if p.StreamMode && p.CheckpointTable == "" {
		return nil, fmt.Errorf("%s is not set: stream mode needs the checkpoint table", EnvCheckpointTable)
	}
	switch p.APIVersion {
	case "":
		p.APIVersion = "1.1"
	case "1.1", "2":
	default:
		return nil, fmt.Errorf("%s %q is neither 1.1 nor 2", EnvAPIVersion, p.APIVersion)
	}
	return p, nil
}

// Start runs the poller as a Lambda function, configured by its
// environment. A configuration error fails every invocation with that
// error, so that it shows in the function's log.
func Start() {
	p, err := FromEnv(os.Getenv)
	if err != nil {
		log.Printf("error: %v", err)
		lambda.Start(func(context.Context, json.RawMessage) error { return err })
		return
	}
	cfg := awsenv.Config()
	p.SSM = ssm.NewFromConfig(cfg)
	p.Lambda = lambdaapi.NewFromConfig(cfg)
	p.DynamoDB = dynamodb.NewFromConfig(cfg)
	p.HTTP = &http.Client{Timeout: DefaultRequestTimeout}
	lambda.Start(p.Handle)
}
