package awsapi

import (
	"context"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
)

// This file serves Lambda's versions, aliases and per-function settings:
// PublishVersion, ListVersionsByFunction, the alias operations, reserved
// concurrency, event invoke configs and provisioned concurrency configs.

var aliasVersionPattern = regexp.MustCompile(`^(\$LATEST(\.PUBLISHED)?|[0-9]+)$`)

// versions returns the version service, or an error saying there is none.
func (h *Handler) versions() (eddy.VersionService, error) {
	if h.Versions == nil {
		return nil, eddy.TypedErrorf(eddy.EUNSUPPORT, "InvalidParameterValueException",
			"Versions and aliases are not available on this server.")
	}
	return h.Versions, nil
}

// latestOnly refuses a qualifier other than $LATEST on an operation that
// acts on the function as a whole or on its unpublished version.
func latestOnly(ref eddy.FunctionRef) error {
	if ref.Qualifier == "" || ref.Qualifier == eddy.LatestVersion {
		return nil
	}
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
		"Qualifier %s is not supported by this operation: it applies to the function's unpublished version ($LATEST) only.", ref.Qualifier)
}

// maxItems parses the MaxItems query member, between 1 and limit.
func maxItems(r *http.Request, def, limit int) (int, error) {
	s := r.URL.Query().Get("MaxItems")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > limit {
		return 0, eddy.ValidationError(s, "maxItems", "Member must have value between 1 and "+strconv.Itoa(limit))
	}
	return n, nil
}

// versionsRequest resolves the FunctionName of a versions or settings
// operation and returns the version service.
func (h *Handler) versionsRequest(r *http.Request, raw string) (eddy.VersionService, eddy.FunctionRef, error) {
	vs, err := h.versions()
	if err != nil {
		return nil, eddy.FunctionRef{}, err
	}
	ref, err := h.functionRef(r, raw)
	return vs, ref, err
}

type publishVersionRequest struct {
	CodeSha256  string `json:"CodeSha256"`
	Description string `json:"Description"`
	RevisionID  string `json:"RevisionId"`
}

func (h *Handler) publishVersion(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	var in publishVersionRequest
	if err == nil {
		err = latestOnly(ref)
	}
	if err == nil {
		err = h.readConfigJSON(r, "PublishVersion", &in)
	}
	var fn *eddy.Function
	if err == nil {
		fn, err = vs.PublishVersion(r.Context(), h.regionOf(r), ref.Name, &eddy.PublishVersionInput{
			CodeSha256: in.CodeSha256, Description: in.Description, RevisionID: in.RevisionID,
		})
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toConfiguration(fn))
}

func (h *Handler) listVersions(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	max := 0
	if err == nil {
		max, err = maxItems(r, 50, 10000)
	}
	var fns []*eddy.Function
	next := ""
	if err == nil {
		fns, next, err = vs.ListVersionsByFunction(r.Context(), h.regionOf(r), ref.Name, r.URL.Query().Get("Marker"), max)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	out := make([]*functionConfiguration, 0, len(fns))
	for _, fn := range fns {
		out = append(out, toConfigurationAt(fn, fn.Version))
	}
	body := map[string]any{"Versions": out}
	if next != "" {
		body["NextMarker"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

// readConfigJSON reads and decodes a small JSON request body.
func (h *Handler) readConfigJSON(r *http.Request, op string, v any) error {
	data, err := readBody(r, maxConfigRequest, codeTooLarge(op))
	if err != nil {
		return err
	}
	return decodeJSON(data, v)
}

type routingConfig struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights"`
}

type aliasConfiguration struct {
	AliasArn        string         `json:"AliasArn"`
	Name            string         `json:"Name"`
	FunctionVersion string         `json:"FunctionVersion"`
	Description     string         `json:"Description"`
	RoutingConfig   *routingConfig `json:"RoutingConfig,omitempty"`
	RevisionID      string         `json:"RevisionId"`
}

func toAliasConfiguration(a *eddy.Alias) *aliasConfiguration {
	c := &aliasConfiguration{
		AliasArn: a.ARN(), Name: a.Name, FunctionVersion: a.FunctionVersion, Description: a.Description, RevisionID: a.RevisionID,
	}
	if len(a.AdditionalVersionWeights) > 0 {
		c.RoutingConfig = &routingConfig{AdditionalVersionWeights: a.AdditionalVersionWeights}
	}
	return c
}

type createAliasRequest struct {
	Name            string         `json:"Name"`
	FunctionVersion string         `json:"FunctionVersion"`
	Description     string         `json:"Description"`
	RoutingConfig   *routingConfig `json:"RoutingConfig"`
}

func (h *Handler) createAlias(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	var in createAliasRequest
	if err == nil {
		err = latestOnly(ref)
	}
	if err == nil {
		err = h.readConfigJSON(r, "CreateAlias", &in)
	}
	var a *eddy.Alias
	if err == nil {
		alias := &eddy.Alias{Name: in.Name, FunctionName: ref.Name, FunctionVersion: in.FunctionVersion, Description: in.Description}
		if in.RoutingConfig != nil {
			alias.AdditionalVersionWeights = in.RoutingConfig.AdditionalVersionWeights
		}
		a, err = vs.CreateAlias(r.Context(), h.regionOf(r), alias)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAliasConfiguration(a))
}

func (h *Handler) getAlias(w http.ResponseWriter, r *http.Request, raw, name string) {
	vs, ref, err := h.versionsRequest(r, raw)
	var a *eddy.Alias
	if err == nil {
		a, err = vs.GetAlias(r.Context(), h.regionOf(r), ref.Name, name)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAliasConfiguration(a))
}

type updateAliasRequest struct {
	FunctionVersion *string        `json:"FunctionVersion"`
	Description     *string        `json:"Description"`
	RoutingConfig   *routingConfig `json:"RoutingConfig"`
	RevisionID      string         `json:"RevisionId"`
}

func (h *Handler) updateAlias(w http.ResponseWriter, r *http.Request, raw, name string) {
	vs, ref, err := h.versionsRequest(r, raw)
	var in updateAliasRequest
	if err == nil {
		err = h.readConfigJSON(r, "UpdateAlias", &in)
	}
	var a *eddy.Alias
	if err == nil {
		upd := &eddy.AliasUpdate{FunctionVersion: in.FunctionVersion, Description: in.Description, RevisionID: in.RevisionID}
		if in.RoutingConfig != nil {
			weights := in.RoutingConfig.AdditionalVersionWeights
			if weights == nil {
				weights = map[string]float64{}
			}
			upd.AdditionalVersionWeights = &weights
		}
		a, err = vs.UpdateAlias(r.Context(), h.regionOf(r), ref.Name, name, upd)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAliasConfiguration(a))
}

func (h *Handler) deleteAlias(w http.ResponseWriter, r *http.Request, raw, name string) {
	vs, ref, err := h.versionsRequest(r, raw)
	if err == nil {
		err = vs.DeleteAlias(r.Context(), h.regionOf(r), ref.Name, name)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listAliases(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	max := 0
	if err == nil {
		max, err = maxItems(r, 50, 10000)
	}
	q := r.URL.Query()
	version := q.Get("FunctionVersion")
	if err == nil && version != "" && (len(version) > 1024 || !aliasVersionPattern.MatchString(version)) {
		err = eddy.ValidationError(version, "functionVersion", `Member must satisfy regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)`)
	}
	var aliases []*eddy.Alias
	next := ""
	if err == nil {
		aliases, next, err = vs.ListAliases(r.Context(), h.regionOf(r), ref.Name, version, q.Get("Marker"), max)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	out := make([]*aliasConfiguration, 0, len(aliases))
	for _, a := range aliases {
		out = append(out, toAliasConfiguration(a))
	}
	body := map[string]any{"Aliases": out}
	if next != "" {
		body["NextMarker"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

// concurrency serves PutFunctionConcurrency, GetFunctionConcurrency and
// DeleteFunctionConcurrency.
func (h *Handler) concurrency(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	if err == nil {
		err = latestOnly(ref)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	ctx, region := r.Context(), h.regionOf(r)
	switch r.Method {
	case http.MethodPut:
		var in struct {
			ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
		}
		err := h.readConfigJSON(r, "PutFunctionConcurrency", &in)
		if err == nil && in.ReservedConcurrentExecutions == nil {
			err = eddy.ValidationError("null", "reservedConcurrentExecutions", "Member must not be null")
		}
		if err == nil {
			err = vs.PutFunctionConcurrency(ctx, region, ref.Name, *in.ReservedConcurrentExecutions)
		}
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"ReservedConcurrentExecutions": *in.ReservedConcurrentExecutions})
	case http.MethodGet:
		n, err := vs.GetFunctionConcurrency(ctx, region, ref.Name)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		body := map[string]int{}
		if n != nil {
			body["ReservedConcurrentExecutions"] = *n
		}
		writeJSON(w, http.StatusOK, body)
	case http.MethodDelete:
		if err := vs.DeleteFunctionConcurrency(ctx, region, ref.Name); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.lambdaUnknown(w, r)
	}
}

type destination struct {
	Destination *string `json:"Destination,omitempty"`
}

type destinationConfig struct {
	OnSuccess *destination `json:"OnSuccess,omitempty"`
	OnFailure *destination `json:"OnFailure,omitempty"`
}

type eventInvokeConfigRequest struct {
	MaximumRetryAttempts     *int               `json:"MaximumRetryAttempts"`
	MaximumEventAgeInSeconds *int               `json:"MaximumEventAgeInSeconds"`
	DestinationConfig        *destinationConfig `json:"DestinationConfig"`
}

type eventInvokeConfig struct {
	// LastModified is a timestamp in the REST-JSON default format: epoch
	// seconds, as a number.
	LastModified             float64           `json:"LastModified"`
	FunctionArn              string            `json:"FunctionArn"`
	MaximumRetryAttempts     *int              `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int              `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        destinationConfig `json:"DestinationConfig"`
}

func epochSeconds(t time.Time) float64 {
	return math.Round(float64(t.UnixNano())/1e6) / 1e3
}

func toEventInvokeConfig(c *eddy.EventInvokeConfig) *eventInvokeConfig {
	out := &eventInvokeConfig{
		LastModified:         epochSeconds(c.LastModified),
		FunctionArn:          eddy.FunctionARN(c.Region, c.Account, c.FunctionName) + ":" + c.Qualifier,
		MaximumRetryAttempts: c.MaximumRetryAttempts, MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds,
		DestinationConfig: destinationConfig{OnSuccess: &destination{}, OnFailure: &destination{}},
	}
	if c.OnSuccess != "" {
		out.DestinationConfig.OnSuccess.Destination = &c.OnSuccess
	}
	if c.OnFailure != "" {
		out.DestinationConfig.OnFailure.Destination = &c.OnFailure
	}
	return out
}

// eventInvokeConfig serves Put-, Update-, Get- and
// DeleteFunctionEventInvokeConfig.
func (h *Handler) eventInvokeConfig(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	ctx, region := r.Context(), h.regionOf(r)
	switch r.Method {
	case http.MethodPut, http.MethodPost:
		merge := r.Method == http.MethodPost
		op := "PutFunctionEventInvokeConfig"
		if merge {
			op = "UpdateFunctionEventInvokeConfig"
		}
		var in eventInvokeConfigRequest
		if err := h.readConfigJSON(r, op, &in); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		cfg := &eddy.EventInvokeConfig{
			FunctionName: ref.Name, Qualifier: ref.Qualifier,
			MaximumRetryAttempts: in.MaximumRetryAttempts, MaximumEventAgeInSeconds: in.MaximumEventAgeInSeconds,
		}
		if d := in.DestinationConfig; d != nil {
			if d.OnSuccess != nil && d.OnSuccess.Destination != nil {
				cfg.OnSuccess = *d.OnSuccess.Destination
			}
			if d.OnFailure != nil && d.OnFailure.Destination != nil {
				cfg.OnFailure = *d.OnFailure.Destination
			}
		}
		out, err := vs.PutEventInvokeConfig(ctx, region, cfg, merge)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toEventInvokeConfig(out))
	case http.MethodGet:
		out, err := vs.GetEventInvokeConfig(ctx, region, ref.Name, ref.Qualifier)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toEventInvokeConfig(out))
	case http.MethodDelete:
		if err := vs.DeleteEventInvokeConfig(ctx, region, ref.Name, ref.Qualifier); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.lambdaUnknown(w, r)
	}
}

func (h *Handler) listEventInvokeConfigs(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	max := 0
	if err == nil {
		max, err = maxItems(r, 50, 50)
	}
	var cfgs []*eddy.EventInvokeConfig
	next := ""
	if err == nil {
		cfgs, next, err = vs.ListEventInvokeConfigs(r.Context(), h.regionOf(r), ref.Name, r.URL.Query().Get("Marker"), max)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	out := make([]*eventInvokeConfig, 0, len(cfgs))
	for _, c := range cfgs {
		out = append(out, toEventInvokeConfig(c))
	}
	body := map[string]any{"FunctionEventInvokeConfigs": out}
	if next != "" {
		body["NextMarker"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

type provisionedConfig struct {
	FunctionArn                              string `json:"FunctionArn,omitempty"`
	RequestedProvisionedConcurrentExecutions int    `json:"RequestedProvisionedConcurrentExecutions"`
	AvailableProvisionedConcurrentExecutions int    `json:"AvailableProvisionedConcurrentExecutions"`
	AllocatedProvisionedConcurrentExecutions int    `json:"AllocatedProvisionedConcurrentExecutions"`
	Status                                   string `json:"Status"`
	LastModified                             string `json:"LastModified"`
}

// toProvisionedConfig renders a stored config. eddy's runtime keeps the
// requested instances warm on its own, so a stored config is READY with
// every instance available.
func toProvisionedConfig(c *eddy.ProvisionedConcurrencyConfig, withARN bool) *provisionedConfig {
	out := &provisionedConfig{
		RequestedProvisionedConcurrentExecutions: c.Requested,
		AvailableProvisionedConcurrentExecutions: c.Requested,
		AllocatedProvisionedConcurrentExecutions: c.Requested,
		Status:                                   "READY",
		LastModified:                             c.LastModified.UTC().Format(lastModified),
	}
	if withARN {
		out.FunctionArn = eddy.FunctionARN(c.Region, c.Account, c.FunctionName) + ":" + c.Qualifier
	}
	return out
}

// provisionedConcurrency serves Put-, Get-, Delete- and
// ListProvisionedConcurrencyConfig(s).
func (h *Handler) provisionedConcurrency(w http.ResponseWriter, r *http.Request, raw string) {
	vs, ref, err := h.versionsRequest(r, raw)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	ctx, region := r.Context(), h.regionOf(r)
	switch {
	case r.Method == http.MethodGet && r.URL.Query().Get("List") == "ALL":
		max, err := maxItems(r, 50, 50)
		var cfgs []*eddy.ProvisionedConcurrencyConfig
		next := ""
		if err == nil {
			cfgs, next, err = vs.ListProvisionedConcurrency(ctx, region, ref.Name, r.URL.Query().Get("Marker"), max)
		}
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		out := make([]*provisionedConfig, 0, len(cfgs))
		for _, c := range cfgs {
			out = append(out, toProvisionedConfig(c, true))
		}
		body := map[string]any{"ProvisionedConcurrencyConfigs": out}
		if next != "" {
			body["NextMarker"] = next
		}
		writeJSON(w, http.StatusOK, body)
	case r.Method == http.MethodPut:
		var in struct {
			ProvisionedConcurrentExecutions *int `json:"ProvisionedConcurrentExecutions"`
		}
		err := h.readConfigJSON(r, "PutProvisionedConcurrencyConfig", &in)
		if err == nil && in.ProvisionedConcurrentExecutions == nil {
			err = eddy.ValidationError("null", "provisionedConcurrentExecutions", "Member must not be null")
		}
		var out *eddy.ProvisionedConcurrencyConfig
		if err == nil {
			out, err = vs.PutProvisionedConcurrency(ctx, region, &eddy.ProvisionedConcurrencyConfig{
				FunctionName: ref.Name, Qualifier: ref.Qualifier, Requested: *in.ProvisionedConcurrentExecutions,
			})
		}
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		// As Lambda answers a Put: accepted, instances not yet allocated.
		body := toProvisionedConfig(out, false)
		body.Status = "IN_PROGRESS"
		body.AvailableProvisionedConcurrentExecutions, body.AllocatedProvisionedConcurrentExecutions = 0, 0
		writeJSON(w, http.StatusAccepted, body)
	case r.Method == http.MethodGet:
		out, err := vs.GetProvisionedConcurrency(ctx, region, ref.Name, ref.Qualifier)
		if err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toProvisionedConfig(out, false))
	case r.Method == http.MethodDelete:
		if err := vs.DeleteProvisionedConcurrency(ctx, region, ref.Name, ref.Qualifier); err != nil {
			h.writeLambdaError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.lambdaUnknown(w, r)
	}
}

// listAllVersions serves ListFunctions with FunctionVersion=ALL: every
// function's $LATEST and published versions, in name and version order.
// The marker is "NAME:VERSION" of the last item of the previous page.
func (h *Handler) listAllVersions(ctx context.Context, region, marker string, limit int) ([]*functionConfiguration, string, error) {
	vs, err := h.versions()
	if err != nil {
		return nil, "", err
	}
	afterName, afterVersion := "", -1
	if marker != "" {
		i := strings.LastIndex(marker, ":")
		name, v := marker[:max(i, 0)], marker[i+1:]
		n, isNum := strconv.Atoi(v)
		switch {
		case i < 0:
			return nil, "", eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Invalid marker: %s", marker)
		case v == eddy.LatestVersion:
			afterName, afterVersion = name, 0
		case isNum == nil && n > 0:
			afterName, afterVersion = name, n
		default:
			return nil, "", eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Invalid marker: %s", marker)
		}
	}
	var out []*functionConfiguration
	fnMarker := ""
	for {
		fns, nextFn, err := h.Functions.ListFunctions(ctx, region, fnMarker, 1000)
		if err != nil {
			return nil, "", err
		}
		for _, f := range fns {
			if f.Name < afterName {
				continue
			}
			vmarker := ""
			for {
				versions, nextV, err := vs.ListVersionsByFunction(ctx, region, f.Name, vmarker, 1000)
				if eddy.ErrorCode(err) == eddy.ENOTFOUND {
					break // deleted meanwhile
				}
				if err != nil {
					return nil, "", err
				}
				for _, v := range versions {
					n, _ := strconv.Atoi(v.Version) // 0 for $LATEST
					if f.Name == afterName && n <= afterVersion {
						continue
					}
					if len(out) == limit {
						last := out[len(out)-1]
						return out, last.FunctionName + ":" + last.Version, nil
					}
					out = append(out, toConfigurationAt(v, v.Version))
				}
				if nextV == "" {
					break
				}
				vmarker = nextV
			}
		}
		if nextFn == "" {
			return out, "", nil
		}
		fnMarker = nextFn
	}
}
