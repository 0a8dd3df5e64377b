package awsapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/eventbus"
)

// SchedulerAPI is the service behind this part of the edge: EventBridge
// Scheduler's schedules and schedule groups.
type SchedulerAPI interface {
	CreateSchedule(context.Context, *eventbus.ScheduleInput) (*eventbus.ScheduleArnOutput, error)
	UpdateSchedule(context.Context, *eventbus.ScheduleInput) (*eventbus.ScheduleArnOutput, error)
	GetSchedule(context.Context, *eventbus.ScheduleRef) (*eventbus.Schedule, error)
	DeleteSchedule(context.Context, *eventbus.ScheduleRef) (*eventbus.Empty, error)
	ListSchedules(context.Context, *eventbus.ListSchedulesInput) (*eventbus.ListSchedulesOutput, error)
	CreateScheduleGroup(context.Context, *eventbus.ScheduleGroupInput) (*eventbus.ScheduleGroupArnOutput, error)
	GetScheduleGroup(context.Context, *eventbus.ScheduleGroupInput) (*eventbus.ScheduleGroup, error)
	DeleteScheduleGroup(context.Context, *eventbus.ScheduleGroupInput) (*eventbus.Empty, error)
	ListScheduleGroups(context.Context, *eventbus.ListScheduleGroupsInput) (*eventbus.ListScheduleGroupsOutput, error)
	TagScheduleGroup(ctx context.Context, arn string, tags []eventbus.Tag) error
	UntagScheduleGroup(ctx context.Context, arn string, keys []string) error
	ScheduleGroupTags(ctx context.Context, arn string) (*eventbus.ListTagsForResourceOutput, error)
}

// schedulerErrors maps eddy's codes to Scheduler's REST-JSON errors.
var schedulerErrors = map[string]errorClass{
	eddy.ENOTFOUND:  {404, "ResourceNotFoundException"},
	eddy.ECONFLICT:  {409, "ConflictException"},
	eddy.EINVALID:   {400, "ValidationException"},
	eddy.EMALFORMED: {400, "ValidationException"},
	eddy.EVALIDATE:  {400, "ValidationException"},
	eddy.ETOOLARGE:  {402, "ServiceQuotaExceededException"},
	eddy.ETHROTTLED: {429, "ThrottlingException"},
	eddy.EUNSUPPORT: {400, "ValidationException"},
	eddy.EPRECOND:   {409, "ConflictException"},
	eddy.EUNAVAIL:   {500, "InternalServerException"},
	eddy.EINTERNAL:  {500, "InternalServerException"},
}

var schedulerTypeStatus = map[string]int{
	"ResourceNotFoundException": 404, "ConflictException": 409, "ValidationException": 400,
	"ServiceQuotaExceededException": 402, "ThrottlingException": 429, "InternalServerException": 500,
}

func (h *Handler) serveScheduler(w http.ResponseWriter, r *http.Request) {
	if h.Scheduler == nil || reflect.ValueOf(h.Scheduler).IsNil() {
		unknownService(w, "scheduler")
		return
	}
	out, err := h.schedulerCall(r)
	if err != nil {
		h.writeSchedulerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) schedulerCall(r *http.Request) (any, error) {
	ctx, api, q := r.Context(), h.Scheduler, r.URL.Query()
	collection, name, hasName := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if hasName {
		n, err := url.PathUnescape(name)
		if err != nil || n == "" || strings.Contains(n, "/") && collection != "tags" {
			return nil, notFoundRoute(r)
		}
		name = n
	}
	maxResults := 0
	if v := q.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", "1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100 and greater than or equal to 1", v)
		}
		maxResults = n
	}
	switch {
	case collection == "schedules" && !hasName && r.Method == http.MethodGet:
		return api.ListSchedules(ctx, &eventbus.ListSchedulesInput{GroupName: q.Get("ScheduleGroup"), NamePrefix: q.Get("NamePrefix"),
			State: q.Get("State"), MaxResults: maxResults, NextToken: q.Get("NextToken")})
	case collection == "schedules" && hasName:
		ref := &eventbus.ScheduleRef{Name: name, GroupName: q.Get("groupName"), ClientToken: q.Get("clientToken")}
		switch r.Method {
		case http.MethodGet:
			return api.GetSchedule(ctx, ref)
		case http.MethodDelete:
			return api.DeleteSchedule(ctx, ref)
		case http.MethodPost, http.MethodPut:
			var in eventbus.ScheduleInput
			if err := readSchedulerBody(r, &in); err != nil {
				return nil, err
			}
			in.Name = name
			if r.Method == http.MethodPost {
				return api.CreateSchedule(ctx, &in)
			}
			return api.UpdateSchedule(ctx, &in)
		}
	case collection == "tags" && hasName:
		switch r.Method {
		case http.MethodGet:
			return api.ScheduleGroupTags(ctx, name)
		case http.MethodPost:
			var in struct{ Tags []eventbus.Tag }
			if err := readSchedulerBody(r, &in); err != nil {
				return nil, err
			}
			return struct{}{}, api.TagScheduleGroup(ctx, name, in.Tags)
		case http.MethodDelete:
			return struct{}{}, api.UntagScheduleGroup(ctx, name, q["TagKeys"])
		}
	case collection == "schedule-groups" && !hasName && r.Method == http.MethodGet:
		return api.ListScheduleGroups(ctx, &eventbus.ListScheduleGroupsInput{NamePrefix: q.Get("NamePrefix"), MaxResults: maxResults, NextToken: q.Get("NextToken")})
	case collection == "schedule-groups" && hasName:
		in := &eventbus.ScheduleGroupInput{Name: name}
		switch r.Method {
		case http.MethodGet:
			return api.GetScheduleGroup(ctx, in)
		case http.MethodDelete:
			return api.DeleteScheduleGroup(ctx, in)
		case http.MethodPost:
			if err := readSchedulerBody(r, in); err != nil {
				return nil, err
			}
			in.Name = name
			return api.CreateScheduleGroup(ctx, in)
		}
	}
	return nil, notFoundRoute(r)
}

func notFoundRoute(r *http.Request) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "No operation of EventBridge Scheduler answers %s %s.", r.Method, r.URL.Path)
}

func readSchedulerBody(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxEventsRequest+1))
	if err != nil || len(data) > maxEventsRequest {
		return eddy.TypedErrorf(eddy.EMALFORMED, "ValidationException", "The request body could not be read, or is over %d bytes.", maxEventsRequest)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return eddy.TypedErrorf(eddy.EMALFORMED, "ValidationException", "%s", sqsJSONProblem(err))
	}
	return nil
}

// writeSchedulerError renders err as Scheduler's REST-JSON protocol does.
func (h *Handler) writeSchedulerError(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, msg := classify(err, schedulerErrors, schedulerTypeStatus)
	h.logError(r, err, status)
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSON(w, status, map[string]string{"Message": msg})
}
