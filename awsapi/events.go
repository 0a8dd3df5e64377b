package awsapi

import "net/http"

// EventsAPI is the service behind this part of the edge.
type EventsAPI interface {
}

func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request, target string) {
	unknownService(w, "events")
}
