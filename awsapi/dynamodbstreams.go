package awsapi

import (
	"net/http"

	"github.com/eddyserverless/eddy"
)

// serveDynamoDBStreams serves the DynamoDB Streams API.
func (h *Handler) serveDynamoDBStreams(w http.ResponseWriter, r *http.Request, target string) {
	h.writeDynamoError(w, r, eddy.TypedErrorf(eddy.EUNSUPPORT, "UnknownOperationException", "Unknown operation %s", target))
}
