package eventbus

import (
	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/queues"
)

// applyInput is what a target receives of an event: the event itself, the
// target's constant Input, or the event through its InputPath or
// InputTransformer.
func applyInput(t *Target, event []byte) ([]byte, error) {
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "" || t.InputTransformer != nil:
		return transformInput(t, event)
	}
	return event, nil
}

// checkTransform validates a target's InputPath and InputTransformer.
func checkTransform(t *Target) error {
	if t.InputPath == "" && t.InputTransformer == nil {
		return nil
	}
	return validateTransform(t)
}

func queuesSend(account, name string, body *string) *queues.SendMessageInput {
	return &queues.SendMessageInput{QueueUrl: "http://localhost/" + account + "/" + name, MessageBody: body}
}

var _ = eddy.EINVALID
