package awsapi

import "net/http"

// ParamsAPI is the service behind this part of the edge.
type ParamsAPI interface {
}

func (h *Handler) serveSSM(w http.ResponseWriter, r *http.Request, target string) {
	unknownService(w, "ssm")
}
