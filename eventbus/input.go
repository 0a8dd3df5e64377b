package eventbus

import (
	"github.com/eddyserverless/eddy/eventbus/transform"
	"github.com/eddyserverless/eddy/queues"
)

// applyInput is what a target receives of an event: the event itself, the
// target's constant Input, or the event through its InputPath or
// InputTransformer.
func applyInput(t *Target, event []byte, ruleArn, ruleName string) ([]byte, error) {
	if t.Input != "" {
		return []byte(t.Input), nil
	}
	return transform.Apply(event, t.InputPath, transformer(t),
		map[string]string{transform.RuleARN: ruleArn, transform.RuleName: ruleName})
}

func transformer(t *Target) *transform.Transformer {
	if t.InputTransformer == nil {
		return nil
	}
	return &transform.Transformer{InputPathsMap: t.InputTransformer.InputPathsMap, InputTemplate: t.InputTransformer.InputTemplate}
}

// checkInput validates a target's Input, InputPath and InputTransformer
// as PutTargets does.
func checkInput(t *Target) error {
	var input, path *string
	if t.Input != "" {
		input = &t.Input
	}
	if t.InputPath != "" {
		path = &t.InputPath
	}
	return transform.ValidateTarget(t.Id, input, path, transformer(t))
}

func queuesSend(account, name string, body *string) *queues.SendMessageInput {
	return &queues.SendMessageInput{QueueUrl: "http://localhost/" + account + "/" + name, MessageBody: body}
}
