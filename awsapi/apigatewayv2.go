package awsapi

import "net/http"

// HTTPAPIsAPI is the service behind this part of the edge.
type HTTPAPIsAPI interface {
	APIInvoker
}

func (h *Handler) serveAPIGatewayV2(w http.ResponseWriter, r *http.Request) {
	unknownService(w, "apigateway")
}
