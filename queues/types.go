package queues

import "context"

// The request and result types below are SQS's JSON 1.0 wire shapes (the
// botocore model, protocol json): the JSON edge decodes a request straight
// into them, and the query edge fills them from form fields. Optional
// integers are pointers so that "absent" and "0" differ, as SQS tells them
// apart.

// MessageAttributeValue is one message attribute (or message system
// attribute). Binary values are base64 in JSON, as []byte marshals.
type MessageAttributeValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

type CreateQueueInput struct {
	QueueName  string            `json:"QueueName"`
	Attributes map[string]string `json:"Attributes,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

type QueueURLOutput struct {
	QueueUrl string `json:"QueueUrl"`
}

type GetQueueUrlInput struct {
	QueueName              string `json:"QueueName"`
	QueueOwnerAWSAccountId string `json:"QueueOwnerAWSAccountId,omitempty"`
}

// QueueInput is the input of the operations that name only a queue:
// DeleteQueue, PurgeQueue and ListQueueTags.
type QueueInput struct {
	QueueUrl string `json:"QueueUrl"`
}

type ListQueuesInput struct {
	QueueNamePrefix string `json:"QueueNamePrefix,omitempty"`
	NextToken       string `json:"NextToken,omitempty"`
	MaxResults      *int   `json:"MaxResults,omitempty"`
}

type ListQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty"`
	NextToken string   `json:"NextToken,omitempty"`
}

type GetQueueAttributesInput struct {
	QueueUrl       string   `json:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames,omitempty"`
}

type AttributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

type SetQueueAttributesInput struct {
	QueueUrl   string            `json:"QueueUrl"`
	Attributes map[string]string `json:"Attributes"`
}

type TagQueueInput struct {
	QueueUrl string            `json:"QueueUrl"`
	Tags     map[string]string `json:"Tags"`
}

type UntagQueueInput struct {
	QueueUrl string   `json:"QueueUrl"`
	TagKeys  []string `json:"TagKeys"`
}

type ListQueueTagsOutput struct {
	Tags map[string]string `json:"Tags,omitempty"`
}

type ListDeadLetterSourceQueuesInput struct {
	QueueUrl   string `json:"QueueUrl"`
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults *int   `json:"MaxResults,omitempty"`
}

type ListDeadLetterSourceQueuesOutput struct {
	QueueUrls []string `json:"queueUrls"`
	NextToken string   `json:"NextToken,omitempty"`
}

type SendMessageInput struct {
	QueueUrl                string                           `json:"QueueUrl"`
	MessageBody             *string                          `json:"MessageBody"`
	DelaySeconds            *int                             `json:"DelaySeconds,omitempty"`
	MessageAttributes       map[string]MessageAttributeValue `json:"MessageAttributes,omitempty"`
	MessageSystemAttributes map[string]MessageAttributeValue `json:"MessageSystemAttributes,omitempty"`
	MessageDeduplicationId  *string                          `json:"MessageDeduplicationId,omitempty"`
	MessageGroupId          *string                          `json:"MessageGroupId,omitempty"`
}

type SendMessageOutput struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

type SendMessageBatchEntry struct {
	Id                      string                           `json:"Id"`
	MessageBody             *string                          `json:"MessageBody"`
	DelaySeconds            *int                             `json:"DelaySeconds,omitempty"`
	MessageAttributes       map[string]MessageAttributeValue `json:"MessageAttributes,omitempty"`
	MessageSystemAttributes map[string]MessageAttributeValue `json:"MessageSystemAttributes,omitempty"`
	MessageDeduplicationId  *string                          `json:"MessageDeduplicationId,omitempty"`
	MessageGroupId          *string                          `json:"MessageGroupId,omitempty"`
}

type SendMessageBatchInput struct {
	QueueUrl string                  `json:"QueueUrl"`
	Entries  []SendMessageBatchEntry `json:"Entries"`
}

type SendMessageBatchResultEntry struct {
	Id string `json:"Id"`
	SendMessageOutput
}

// BatchResultErrorEntry is one failed entry of a batch.
type BatchResultErrorEntry struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

type SendMessageBatchOutput struct {
	Successful []SendMessageBatchResultEntry `json:"Successful"`
	Failed     []BatchResultErrorEntry       `json:"Failed"`
}

type ReceiveMessageInput struct {
	QueueUrl                    string   `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames,omitempty"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames,omitempty"`
	MessageAttributeNames       []string `json:"MessageAttributeNames,omitempty"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages,omitempty"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout,omitempty"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds,omitempty"`
	ReceiveRequestAttemptId     string   `json:"ReceiveRequestAttemptId,omitempty"`
}

type Message struct {
	MessageId              string                           `json:"MessageId"`
	ReceiptHandle          string                           `json:"ReceiptHandle"`
	MD5OfBody              string                           `json:"MD5OfBody"`
	Body                   string                           `json:"Body"`
	Attributes             map[string]string                `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string                           `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]MessageAttributeValue `json:"MessageAttributes,omitempty"`
}

type ReceiveMessageOutput struct {
	Messages []Message `json:"Messages,omitempty"`
}

type DeleteMessageInput struct {
	QueueUrl      string `json:"QueueUrl"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

type DeleteMessageBatchEntry struct {
	Id            string `json:"Id"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

type DeleteMessageBatchInput struct {
	QueueUrl string                    `json:"QueueUrl"`
	Entries  []DeleteMessageBatchEntry `json:"Entries"`
}

// BatchIdEntry is a successful entry of DeleteMessageBatch and
// ChangeMessageVisibilityBatch.
type BatchIdEntry struct {
	Id string `json:"Id"`
}

type BatchOutput struct {
	Successful []BatchIdEntry          `json:"Successful"`
	Failed     []BatchResultErrorEntry `json:"Failed"`
}

type ChangeMessageVisibilityInput struct {
	QueueUrl          string `json:"QueueUrl"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout *int   `json:"VisibilityTimeout"`
}

type ChangeMessageVisibilityBatchEntry struct {
	Id                string `json:"Id"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout *int   `json:"VisibilityTimeout,omitempty"`
}

type ChangeMessageVisibilityBatchInput struct {
	QueueUrl string                              `json:"QueueUrl"`
	Entries  []ChangeMessageVisibilityBatchEntry `json:"Entries"`
}

type StartMessageMoveTaskInput struct {
	SourceArn                    string `json:"SourceArn"`
	DestinationArn               string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
}

type StartMessageMoveTaskOutput struct {
	TaskHandle string `json:"TaskHandle"`
}

type ListMessageMoveTasksInput struct {
	SourceArn  string `json:"SourceArn"`
	MaxResults *int   `json:"MaxResults,omitempty"`
}

type MessageMoveTask struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove *int64 `json:"ApproximateNumberOfMessagesToMove,omitempty"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

type ListMessageMoveTasksOutput struct {
	Results []MessageMoveTask `json:"Results,omitempty"`
}

type CancelMessageMoveTaskInput struct {
	TaskHandle string `json:"TaskHandle"`
}

type CancelMessageMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
}

type AddPermissionInput struct {
	QueueUrl      string   `json:"QueueUrl"`
	Label         string   `json:"Label"`
	AWSAccountIds []string `json:"AWSAccountIds"`
	Actions       []string `json:"Actions"`
}

type RemovePermissionInput struct {
	QueueUrl string `json:"QueueUrl"`
	Label    string `json:"Label"`
}

// API is eddy's SQS as the edge and the queue triggers use it; Service
// implements it. Errors are *eddy.Error whose Type is the JSON protocol's
// error code (QueueDoesNotExist, InvalidParameterValue, ...); the query
// edge translates it to the query protocol's code.
//
// Queue URLs in results are built from the endpoint in ctx (WithEndpoint);
// queue URLs in requests are resolved by their last two path segments
// (account and name), whatever their host.
type API interface {
	CreateQueue(context.Context, *CreateQueueInput) (*QueueURLOutput, error)
	GetQueueUrl(context.Context, *GetQueueUrlInput) (*QueueURLOutput, error)
	ListQueues(context.Context, *ListQueuesInput) (*ListQueuesOutput, error)
	DeleteQueue(context.Context, *QueueInput) error
	PurgeQueue(context.Context, *QueueInput) error
	GetQueueAttributes(context.Context, *GetQueueAttributesInput) (*AttributesOutput, error)
	SetQueueAttributes(context.Context, *SetQueueAttributesInput) error
	TagQueue(context.Context, *TagQueueInput) error
	UntagQueue(context.Context, *UntagQueueInput) error
	ListQueueTags(context.Context, *QueueInput) (*ListQueueTagsOutput, error)
	ListDeadLetterSourceQueues(context.Context, *ListDeadLetterSourceQueuesInput) (*ListDeadLetterSourceQueuesOutput, error)
	AddPermission(context.Context, *AddPermissionInput) error
	RemovePermission(context.Context, *RemovePermissionInput) error

	SendMessage(context.Context, *SendMessageInput) (*SendMessageOutput, error)
	SendMessageBatch(context.Context, *SendMessageBatchInput) (*SendMessageBatchOutput, error)
	ReceiveMessage(context.Context, *ReceiveMessageInput) (*ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *DeleteMessageInput) error
	DeleteMessageBatch(context.Context, *DeleteMessageBatchInput) (*BatchOutput, error)
	ChangeMessageVisibility(context.Context, *ChangeMessageVisibilityInput) error
	ChangeMessageVisibilityBatch(context.Context, *ChangeMessageVisibilityBatchInput) (*BatchOutput, error)

	StartMessageMoveTask(context.Context, *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error)
	ListMessageMoveTasks(context.Context, *ListMessageMoveTasksInput) (*ListMessageMoveTasksOutput, error)
	CancelMessageMoveTask(context.Context, *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error)
}

type ctxKey struct{}

// WithEndpoint returns ctx carrying the scheme and host that queue URLs in
// results are built on, for example "http://localhost:4566".
func WithEndpoint(ctx context.Context, endpoint string) context.Context {
	return context.WithValue(ctx, ctxKey{}, endpoint)
}

// endpointOf returns the endpoint in ctx, or def.
func endpointOf(ctx context.Context, def string) string {
	if s, _ := ctx.Value(ctxKey{}).(string); s != "" {
		return s
	}
	return def
}
