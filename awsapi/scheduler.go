package awsapi

import "net/http"

// SchedulerAPI is the service behind this part of the edge.
type SchedulerAPI interface {
}

func (h *Handler) serveScheduler(w http.ResponseWriter, r *http.Request) {
	unknownService(w, "scheduler")
}
