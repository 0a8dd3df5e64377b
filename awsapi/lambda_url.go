package awsapi

import "net/http"

// FunctionURLsAPI is the service behind this part of the edge.
type FunctionURLsAPI interface {
	APIInvoker
}

func (h *Handler) serveFunctionURLConfig(w http.ResponseWriter, r *http.Request, function, which string) {
	unknownService(w, "lambda")
}
