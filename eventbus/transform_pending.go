package eventbus

import (
	"github.com/eddyserverless/eddy"
)

func transformInput(t *Target, event []byte) ([]byte, error) {
	return nil, eddy.Errorf(eddy.EUNSUPPORT, "input transformation is not available")
}

func validateTransform(t *Target) error {
	return eddy.Errorf(eddy.EUNSUPPORT, "InputPath and InputTransformer are not supported yet.")
}
