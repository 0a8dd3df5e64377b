package awsapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/eddyserverless/eddy"
)

// Event source mappings: /2015-03-31/event-source-mappings/ and /{UUID}.

// serveMappings routes the event source mapping API; rest is the path
// after event-source-mappings.
func (h *Handler) serveMappings(w http.ResponseWriter, r *http.Request, rest []string) {
	if h.Mappings == nil {
		h.lambdaUnknown(w, r)
		return
	}
	switch {
	case len(rest) == 0 || (len(rest) == 1 && rest[0] == ""):
		switch r.Method {
		case http.MethodPost:
			h.createMapping(w, r)
		case http.MethodGet:
			h.listMappings(w, r)
		default:
			h.lambdaUnknown(w, r)
		}
	case len(rest) == 1:
		uuid, err := url.PathUnescape(rest[0])
		if err != nil {
			h.writeLambdaError(w, r, eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The resource you requested does not exist."))
			return
		}
		switch r.Method {
		case http.MethodGet:
			m, err := h.Mappings.GetEventSourceMapping(r.Context(), h.regionOf(r), uuid)
			h.writeMapping(w, r, http.StatusOK, m, err)
		case http.MethodPut:
			h.updateMapping(w, r, uuid)
		case http.MethodDelete:
			m, err := h.Mappings.DeleteEventSourceMapping(r.Context(), h.regionOf(r), uuid)
			h.writeMapping(w, r, http.StatusAccepted, m, err)
		default:
			h.lambdaUnknown(w, r)
		}
	default:
		h.lambdaUnknown(w, r)
	}
}

// mappingRequest is the body of CreateEventSourceMapping and
// UpdateEventSourceMapping.
type mappingRequest struct {
	FunctionName                   *string             `json:"FunctionName"`
	EventSourceArn                 *string             `json:"EventSourceArn"`
	Enabled                        *bool               `json:"Enabled"`
	BatchSize                      *int                `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int                `json:"MaximumBatchingWindowInSeconds"`
	StartingPosition               *string             `json:"StartingPosition"`
	ParallelizationFactor          *int                `json:"ParallelizationFactor"`
	MaximumRetryAttempts           *int                `json:"MaximumRetryAttempts"`
	MaximumRecordAgeInSeconds      *int                `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     *bool               `json:"BisectBatchOnFunctionError"`
	FunctionResponseTypes          *[]string           `json:"FunctionResponseTypes"`
	TumblingWindowInSeconds        *int                `json:"TumblingWindowInSeconds"`
	DestinationConfig              *mappingDestination `json:"DestinationConfig"`
	FilterCriteria                 *filterCriteria     `json:"FilterCriteria"`
	ScalingConfig                  *scalingConfig      `json:"ScalingConfig"`
	Tags                           map[string]string   `json:"Tags"`
}

type scalingConfig struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty"`
}

type destinationRef struct {
	Destination *string `json:"Destination,omitempty"`
}

type mappingDestination struct {
	OnSuccess *destinationRef `json:"OnSuccess,omitempty"`
	OnFailure *destinationRef `json:"OnFailure,omitempty"`
}

type filterCriteria struct {
	Filters []filterPattern `json:"Filters"`
}

type filterPattern struct {
	Pattern *string `json:"Pattern,omitempty"`
}

// input converts a request body to the service's input.
func (in *mappingRequest) input() *eddy.EventSourceMappingInput {
	out := &eddy.EventSourceMappingInput{
		FunctionName: in.FunctionName, Enabled: in.Enabled, BatchSize: in.BatchSize,
		MaximumBatchingWindowInSeconds: in.MaximumBatchingWindowInSeconds,
		ParallelizationFactor:          in.ParallelizationFactor, MaximumRetryAttempts: in.MaximumRetryAttempts,
		MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds, BisectBatchOnFunctionError: in.BisectBatchOnFunctionError,
		FunctionResponseTypes: in.FunctionResponseTypes, TumblingWindowInSeconds: in.TumblingWindowInSeconds,
		Tags: in.Tags,
	}
	if in.EventSourceArn != nil {
		out.EventSourceArn = *in.EventSourceArn
	}
	if in.StartingPosition != nil {
		out.StartingPosition = *in.StartingPosition
	}
	if d := in.DestinationConfig; d != nil {
		empty := ""
		out.OnFailure = &empty
		if d.OnFailure != nil && d.OnFailure.Destination != nil {
			out.OnFailure = d.OnFailure.Destination
		}
		if d.OnSuccess != nil {
			out.OnSuccess = d.OnSuccess.Destination
		}
	}
	if sc := in.ScalingConfig; sc != nil {
		out.ScalingConfig = &eddy.ScalingConfig{MaximumConcurrency: sc.MaximumConcurrency}
	}
	if f := in.FilterCriteria; f != nil {
		patterns := []string{}
		for _, p := range f.Filters {
			if p.Pattern != nil {
				patterns = append(patterns, *p.Pattern)
			}
		}
		out.Filters = &patterns
	}
	return out
}

func (h *Handler) readMappingRequest(w http.ResponseWriter, r *http.Request, op string) (*mappingRequest, bool) {
	data, err := readBody(r, maxConfigRequest, codeTooLarge(op))
	var in mappingRequest
	if err == nil {
		err = decodeJSON(data, &in)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return nil, false
	}
	return &in, true
}

func (h *Handler) createMapping(w http.ResponseWriter, r *http.Request) {
	in, ok := h.readMappingRequest(w, r, "CreateEventSourceMapping")
	if !ok {
		return
	}
	m, err := h.Mappings.CreateEventSourceMapping(r.Context(), h.regionOf(r), in.input())
	h.writeMapping(w, r, http.StatusAccepted, m, err)
}

func (h *Handler) updateMapping(w http.ResponseWriter, r *http.Request, uuid string) {
	in, ok := h.readMappingRequest(w, r, "UpdateEventSourceMapping")
	if !ok {
		return
	}
	if in.EventSourceArn != nil || in.StartingPosition != nil {
		h.writeLambdaError(w, r, eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"EventSourceArn and StartingPosition cannot be changed; create a new event source mapping."))
		return
	}
	m, err := h.Mappings.UpdateEventSourceMapping(r.Context(), h.regionOf(r), uuid, in.input())
	h.writeMapping(w, r, http.StatusAccepted, m, err)
}

func (h *Handler) listMappings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	max := 100
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			h.writeLambdaError(w, r, eddy.ValidationError(s, "maxItems", "Member must have value between 1 and 10000"))
			return
		}
		max = n
	}
	ms, next, err := h.Mappings.ListEventSourceMappings(r.Context(), h.regionOf(r), q.Get("FunctionName"), q.Get("EventSourceArn"), q.Get("Marker"), max)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	out := make([]*mappingConfiguration, 0, len(ms))
	for _, m := range ms {
		out = append(out, toMappingConfiguration(m))
	}
	body := map[string]any{"EventSourceMappings": out}
	if next != "" {
		body["NextMarker"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

// mappingConfiguration is Lambda's EventSourceMappingConfiguration. The
// members a kind of source does not have are left out, as Lambda leaves
// them out: a queue mapping has no starting position, retries or
// destination.
type mappingConfiguration struct {
	UUID                           string              `json:"UUID"`
	StartingPosition               string              `json:"StartingPosition,omitempty"`
	BatchSize                      int                 `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int                 `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          *int                `json:"ParallelizationFactor,omitempty"`
	EventSourceArn                 string              `json:"EventSourceArn"`
	FilterCriteria                 *filterCriteria     `json:"FilterCriteria,omitempty"`
	FunctionArn                    string              `json:"FunctionArn"`
	LastModified                   float64             `json:"LastModified"`
	LastProcessingResult           *string             `json:"LastProcessingResult,omitempty"`
	State                          string              `json:"State"`
	StateTransitionReason          string              `json:"StateTransitionReason"`
	DestinationConfig              *mappingDestination `json:"DestinationConfig,omitempty"`
	MaximumRecordAgeInSeconds      *int                `json:"MaximumRecordAgeInSeconds,omitempty"`
	BisectBatchOnFunctionError     *bool               `json:"BisectBatchOnFunctionError,omitempty"`
	MaximumRetryAttempts           *int                `json:"MaximumRetryAttempts,omitempty"`
	TumblingWindowInSeconds        *int                `json:"TumblingWindowInSeconds,omitempty"`
	FunctionResponseTypes          []string            `json:"FunctionResponseTypes"`
	ScalingConfig                  *scalingConfig      `json:"ScalingConfig,omitempty"`
	EventSourceMappingArn          string              `json:"EventSourceMappingArn"`
}

func toMappingConfiguration(m *eddy.EventSourceMapping) *mappingConfiguration {
	c := &mappingConfiguration{
		UUID: m.UUID, StartingPosition: m.StartingPosition, BatchSize: m.BatchSize,
		MaximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds,
		EventSourceArn:                 m.EventSourceArn, FunctionArn: m.FunctionArn(),
		LastModified: float64(m.LastModified.UnixMilli()) / 1000,
		State:        m.State, StateTransitionReason: m.StateTransitionReason,
		FunctionResponseTypes: m.FunctionResponseTypes, EventSourceMappingArn: m.ARN(),
	}
	if c.FunctionResponseTypes == nil {
		c.FunctionResponseTypes = []string{}
	}
	if m.SourceKind == eddy.SourceQueue {
		if m.MaximumConcurrency > 0 {
			n := m.MaximumConcurrency
			c.ScalingConfig = &scalingConfig{MaximumConcurrency: &n}
		}
	} else {
		result, parallel, age, bisect, retries, tumbling := m.LastProcessingResult, m.ParallelizationFactor,
			m.MaximumRecordAgeInSeconds, m.BisectBatchOnFunctionError, m.MaximumRetryAttempts, m.TumblingWindowInSeconds
		c.LastProcessingResult, c.ParallelizationFactor, c.MaximumRecordAgeInSeconds = &result, &parallel, &age
		c.BisectBatchOnFunctionError, c.MaximumRetryAttempts, c.TumblingWindowInSeconds = &bisect, &retries, &tumbling
		c.DestinationConfig = &mappingDestination{OnFailure: &destinationRef{}}
		if m.OnFailure != "" {
			dest := m.OnFailure
			c.DestinationConfig.OnFailure.Destination = &dest
		}
	}
	if len(m.Filters) > 0 {
		c.FilterCriteria = &filterCriteria{}
		for _, f := range m.Filters {
			pattern := f
			c.FilterCriteria.Filters = append(c.FilterCriteria.Filters, filterPattern{Pattern: &pattern})
		}
	}
	return c
}

func (h *Handler) writeMapping(w http.ResponseWriter, r *http.Request, status int, m *eddy.EventSourceMapping, err error) {
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, status, toMappingConfiguration(m))
}
