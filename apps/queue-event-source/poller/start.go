package poller

import (
	"context"
	"errors"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/eddyserverless/eddy/apps/internal/awsenv"
)

// The environment variables the template sets.
const (
	// EnvQueueName names the queue to poll.
	EnvQueueName = "QUEUE_NAME"
	// EnvProcessor names the function each batch is handed to.
	EnvProcessor = "PROCESSOR_FUNCTION_NAME"
)

// Start runs the poller as a Lambda function, configured by its
// environment: QUEUE_NAME, PROCESSOR_FUNCTION_NAME and the AWS settings
// every function is given. Without a queue or a processor every
// invocation fails with an error that says which is missing.
func Start() {
	lambda.Start(Handler(os.Getenv(EnvQueueName), os.Getenv(EnvProcessor)))
}

// Handler returns the function's handler for the queue and processor.
// It ignores its event (the schedule's, or any other) and returns the
// run's Summary.
func Handler(queueName, processor string) func(context.Context) (Summary, error) {
	var missing error
	switch {
	case queueName == "":
		missing = errors.New("the poller has no queue: set " + EnvQueueName)
	case processor == "":
		missing = errors.New("the poller has no processor function: set " + EnvProcessor)
	}
	if missing != nil {
		log.Print(missing)
		return func(context.Context) (Summary, error) { return Summary{}, missing }
	}
	cfg := awsenv.Config()
	p := New(sqs.NewFromConfig(cfg), awslambda.NewFromConfig(cfg), queueName, processor)
	return func(ctx context.Context) (Summary, error) {
		deadline, _ := ctx.Deadline()
		return p.Run(ctx, deadline)
	}
}
