package awsapi

import "net/http"

// RestAPIsAPI is the service behind this part of the edge.
type RestAPIsAPI interface {
	APIInvoker
}

func (h *Handler) serveAPIGateway(w http.ResponseWriter, r *http.Request) {
	unknownService(w, "apigateway")
}
