package queues

import (
	"context"

	"github.com/eddyserverless/eddy"
)

func notYet() error { return eddy.Errorf(eddy.EUNSUPPORT, "not yet") }

func (s *Service) CreateQueue(context.Context, *CreateQueueInput) (*QueueURLOutput, error) {
	return nil, notYet()
}
func (s *Service) GetQueueUrl(context.Context, *GetQueueUrlInput) (*QueueURLOutput, error) {
	return nil, notYet()
}
func (s *Service) ListQueues(context.Context, *ListQueuesInput) (*ListQueuesOutput, error) {
	return nil, notYet()
}
func (s *Service) DeleteQueue(context.Context, *QueueInput) error { return notYet() }
func (s *Service) PurgeQueue(context.Context, *QueueInput) error  { return notYet() }
func (s *Service) GetQueueAttributes(context.Context, *GetQueueAttributesInput) (*AttributesOutput, error) {
	return nil, notYet()
}
func (s *Service) SetQueueAttributes(context.Context, *SetQueueAttributesInput) error {
	return notYet()
}
func (s *Service) TagQueue(context.Context, *TagQueueInput) error     { return notYet() }
func (s *Service) UntagQueue(context.Context, *UntagQueueInput) error { return notYet() }
func (s *Service) ListQueueTags(context.Context, *QueueInput) (*ListQueueTagsOutput, error) {
	return nil, notYet()
}
func (s *Service) ListDeadLetterSourceQueues(context.Context, *ListDeadLetterSourceQueuesInput) (*ListDeadLetterSourceQueuesOutput, error) {
	return nil, notYet()
}
func (s *Service) AddPermission(context.Context, *AddPermissionInput) error       { return notYet() }
func (s *Service) RemovePermission(context.Context, *RemovePermissionInput) error { return notYet() }
func (s *Service) SendMessage(context.Context, *SendMessageInput) (*SendMessageOutput, error) {
	return nil, notYet()
}
func (s *Service) SendMessageBatch(context.Context, *SendMessageBatchInput) (*SendMessageBatchOutput, error) {
	return nil, notYet()
}
func (s *Service) ReceiveMessage(context.Context, *ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	return nil, notYet()
}
func (s *Service) DeleteMessage(context.Context, *DeleteMessageInput) error { return notYet() }
func (s *Service) DeleteMessageBatch(context.Context, *DeleteMessageBatchInput) (*BatchOutput, error) {
	return nil, notYet()
}
func (s *Service) ChangeMessageVisibility(context.Context, *ChangeMessageVisibilityInput) error {
	return notYet()
}
func (s *Service) ChangeMessageVisibilityBatch(context.Context, *ChangeMessageVisibilityBatchInput) (*BatchOutput, error) {
	return nil, notYet()
}
func (s *Service) StartMessageMoveTask(context.Context, *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error) {
	return nil, notYet()
}
func (s *Service) ListMessageMoveTasks(context.Context, *ListMessageMoveTasksInput) (*ListMessageMoveTasksOutput, error) {
	return nil, notYet()
}
func (s *Service) CancelMessageMoveTask(context.Context, *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	return nil, notYet()
}
