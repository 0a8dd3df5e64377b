package awsapi

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/stacks"
)

// CloudFormation speaks the query protocol: a form naming its operation in
// Action, answered in XML whose lists wrap each element in <member>, as
// botocore's cloudformation 2010-05-15 model describes.

const cfnXMLNamespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// maxTemplateBody is CloudFormation's limit on a TemplateBody; a template
// fetched through TemplateURL may be larger (1 MB).
const (
	maxTemplateBody = 51200
	maxTemplateURL  = 1 << 20
)

// cfnErrors maps the error types the stacks package returns to the code
// and status of CloudFormation's model.
var cfnErrors = map[string]struct {
	code   string
	status int
}{
	"ValidationError":                   {"ValidationError", 400},
	"AlreadyExistsException":            {"AlreadyExistsException", 400},
	"InsufficientCapabilitiesException": {"InsufficientCapabilitiesException", 400},
	"ChangeSetNotFoundException":        {"ChangeSetNotFound", 404},
	"InvalidChangeSetStatusException":   {"InvalidChangeSetStatus", 400},
	"StackNotFoundException":            {"StackNotFoundException", 404},
	"TokenAlreadyExistsException":       {"TokenAlreadyExistsException", 400},
	"LimitExceededException":            {"LimitExceededException", 400},
	"OperationInProgressException":      {"OperationInProgressException", 409},
}

// cfnOperations are the operations served, by Action.
var cfnOperations = map[string]func(h *Handler, ctx context.Context, f *queryForm) (any, error){
	"CreateStack":            (*Handler).cfnCreateStack,
	"UpdateStack":            (*Handler).cfnUpdateStack,
	"DeleteStack":            (*Handler).cfnDeleteStack,
	"DescribeStacks":         (*Handler).cfnDescribeStacks,
	"ListStacks":             (*Handler).cfnListStacks,
	"DescribeStackEvents":    (*Handler).cfnDescribeStackEvents,
	"DescribeStackResource":  (*Handler).cfnDescribeStackResource,
	"DescribeStackResources": (*Handler).cfnDescribeStackResources,
	"ListStackResources":     (*Handler).cfnListStackResources,
	"GetTemplate":            (*Handler).cfnGetTemplate,
	"GetTemplateSummary":     (*Handler).cfnGetTemplateSummary,
	"ValidateTemplate":       (*Handler).cfnValidateTemplate,
	"CreateChangeSet":        (*Handler).cfnCreateChangeSet,
	"DescribeChangeSet":      (*Handler).cfnDescribeChangeSet,
	"ExecuteChangeSet":       (*Handler).cfnExecuteChangeSet,
	"DeleteChangeSet":        (*Handler).cfnDeleteChangeSet,
	"ListChangeSets":         (*Handler).cfnListChangeSets,
	"ListExports":            (*Handler).cfnListExports,
	"ListImports":            (*Handler).cfnListImports,
}

// serveCloudFormation serves the CloudFormation query API.
func (h *Handler) serveCloudFormation(w http.ResponseWriter, r *http.Request) {
	f, err := readQueryForm(r)
	if err != nil {
		h.writeCFNError(w, r, cfnValidation("%s", eddy.ErrorMessage(err)))
		return
	}
	action, ok := f.get("Action")
	if !ok || action == "" {
		h.writeCFNError(w, r, eddy.TypedErrorf(eddy.EVALIDATE, "MissingAction", "Missing Action"))
		return
	}
	op, ok := cfnOperations[action]
	if !ok {
		h.writeCFNError(w, r, eddy.TypedErrorf(eddy.EVALIDATE, "InvalidAction", "Could not find operation %s for version 2010-05-15", action))
		return
	}
	if h.Stacks == nil {
		h.writeCFNError(w, r, eddy.TypedErrorf(eddy.EVALIDATE, "InvalidAction", "eddy does not serve CloudFormation here."))
		return
	}
	result, err := op(h, r.Context(), f)
	if err == nil {
		err = f.err
	}
	if err != nil {
		h.writeCFNError(w, r, err)
		return
	}
	data, err := queryXMLResponse(cfnXMLNamespace, action, result, requestID(r.Context()))
	if err != nil {
		h.writeCFNError(w, r, err)
		return
	}
	writeXML(w, http.StatusOK, data)
}

// writeCFNError renders err as CloudFormation's query protocol does.
func (h *Handler) writeCFNError(w http.ResponseWriter, r *http.Request, err error) {
	code, status, msg := "InternalFailure", http.StatusInternalServerError, "An internal error occurred."
	if e := eddy.AsError(err); e != nil {
		switch {
		case cfnErrors[e.Type].code != "":
			code, status, msg = cfnErrors[e.Type].code, cfnErrors[e.Type].status, e.Message
		case e.Type == "MissingAction", e.Type == "InvalidAction":
			code, status, msg = e.Type, http.StatusBadRequest, e.Message
		case e.Code != eddy.EINTERNAL:
			// An error of another service (a bucket of TemplateURL) is the
			// caller's: CloudFormation words it as a validation error.
			code, status, msg = "ValidationError", http.StatusBadRequest, e.Message
		}
	}
	h.logError(r, err, status)
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	type xmlError struct {
		Type, Code, Message string
	}
	body := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		NS        string   `xml:"xmlns,attr"`
		Error     xmlError
		RequestID string `xml:"RequestId"`
	}{NS: cfnXMLNamespace, Error: xmlError{fault, code, msg}, RequestID: requestID(r.Context())}
	data, _ := xml.Marshal(body)
	writeXML(w, status, append([]byte(xml.Header), data...))
}

func cfnValidation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", format, args...)
}

// queryXMLResponse renders an operation's result as
// <OpResponse xmlns=ns><OpResult>…</OpResult><ResponseMetadata>…, leaving
// out OpResult for an operation without output.
func queryXMLResponse(ns, action string, result any, requestID string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0"?>`)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{
		Name: xml.Name{Local: action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}},
	}
	if err := enc.EncodeToken(start); err != nil {
		return nil, err
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, err
		}
	}
	meta := struct {
		RequestId string
	}{requestID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return nil, err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Reading requests.

// members reads a list of strings: prefix.member.1, prefix.member.2, …
func (f *queryForm) members(prefix string) []string { return f.list(prefix + ".member") }

// boolean reads a boolean; a value other than true or false is refused.
func (f *queryForm) boolean(name string) bool {
	s, ok := f.get(name)
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	}
	f.fail(cfnValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", s, lowerFirst(name)))
	return false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func (f *queryForm) cfnParameters() []stacks.Parameter {
	var out []stacks.Parameter
	for _, n := range f.indexes("Parameters.member") {
		p := func(m string) string { return item("Parameters.member", n, m) }
		out = append(out, stacks.Parameter{
			Key: f.str(p("ParameterKey")), Value: f.str(p("ParameterValue")), UsePreviousValue: f.boolean(p("UsePreviousValue")),
		})
	}
	return out
}

func (f *queryForm) cfnTags() []stacks.Tag {
	var out []stacks.Tag
	for _, n := range f.indexes("Tags.member") {
		out = append(out, stacks.Tag{Key: f.str(item("Tags.member", n, "Key")), Value: f.str(item("Tags.member", n, "Value"))})
	}
	return out
}

// required reads a member the model requires.
func (f *queryForm) required(name string) string {
	s, ok := f.get(name)
	if !ok {
		f.fail(cfnValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name)))
	}
	return s
}

// template reads a request's template: TemplateBody, or the object that
// TemplateURL names in eddy's S3. optional says whether neither may be
// given (UsePreviousTemplate, or a template taken from a stack).
func (h *Handler) template(ctx context.Context, f *queryForm, optional bool) string {
	body, hasBody := f.get("TemplateBody")
	u, hasURL := f.get("TemplateURL")
	switch {
	case hasBody && hasURL:
		f.fail(cfnValidation("Specify exactly one of TemplateBody and TemplateUrl."))
	case hasBody:
		if len(body) > maxTemplateBody {
			f.fail(cfnValidation("1 validation error detected: Value '%s…' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", body[:20], maxTemplateBody))
		}
		return body
	case hasURL:
		s, err := h.fetchTemplate(ctx, u)
		if err != nil {
			f.fail(err)
		}
		return s
	case !optional:
		f.fail(cfnValidation("Either Template URL or Template Body must be specified."))
	}
	return ""
}

// fetchTemplate reads a template from an S3 URL: path style
// (https://HOST/BUCKET/KEY) or virtual-hosted (https://BUCKET.s3…/KEY).
func (h *Handler) fetchTemplate(ctx context.Context, raw string) (string, error) {
	bad := cfnValidation("TemplateURL must be a supported URL.")
	bucket, key, ok := buckets.ParseURL(raw)
	if !ok || h.Buckets == nil {
		return "", bad
	}
	out, err := h.Buckets.GetObject(ctx, &buckets.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		return "", cfnValidation("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", errorTypeOr(err, "AccessDenied"), eddy.ErrorMessage(err))
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxTemplateURL+1))
	if err != nil {
		return "", err
	}
	if len(data) > maxTemplateURL {
		return "", cfnValidation("Template may not exceed %d bytes in size.", maxTemplateURL)
	}
	return string(data), nil
}

func errorTypeOr(err error, def string) string {
	if e := eddy.AsError(err); e != nil && e.Type != "" {
		return e.Type
	}
	return def
}

// Operations.

func (h *Handler) cfnCreateStack(ctx context.Context, f *queryForm) (any, error) {
	in := stacks.CreateStackInput{
		StackName: f.required("StackName"), TemplateBody: h.template(ctx, f, false),
		Parameters: f.cfnParameters(), Capabilities: f.members("Capabilities"), Tags: f.cfnTags(),
		DisableRollback: f.boolean("DisableRollback"),
	}
	switch onFailure := f.str("OnFailure"); onFailure {
	case "", "ROLLBACK", "DELETE":
	case "DO_NOTHING":
		in.DisableRollback = true
	default:
		f.fail(cfnValidation("1 validation error detected: Value '%s' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]", onFailure))
	}
	if f.err != nil {
		return nil, f.err
	}
	id, err := h.Stacks.CreateStack(ctx, in)
	if err != nil {
		return nil, err
	}
	return struct{ StackId string }{id}, nil
}

func (h *Handler) cfnUpdateStack(ctx context.Context, f *queryForm) (any, error) {
	usePrev := f.boolean("UsePreviousTemplate")
	in := stacks.UpdateStackInput{
		StackName: f.required("StackName"), TemplateBody: h.template(ctx, f, usePrev), UsePreviousTemplate: usePrev,
		Parameters: f.cfnParameters(), Capabilities: f.members("Capabilities"), Tags: f.cfnTags(),
		DisableRollback: f.boolean("DisableRollback"),
	}
	if f.err != nil {
		return nil, f.err
	}
	id, err := h.Stacks.UpdateStack(ctx, in)
	if err != nil {
		return nil, err
	}
	return struct{ StackId string }{id}, nil
}

func (h *Handler) cfnDeleteStack(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("StackName")
	if f.err != nil {
		return nil, f.err
	}
	return nil, h.Stacks.DeleteStack(ctx, name)
}

// xmlTime renders a time as CloudFormation's XML does; the zero time is
// left out.
type xmlTime struct{ time.Time }

func (t xmlTime) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(t.UTC().Format("2006-01-02T15:04:05.000Z"), start)
}

func optTime(t time.Time) *xmlTime {
	if t.IsZero() {
		return nil
	}
	return &xmlTime{t}
}

type xmlParameter struct {
	ParameterKey     string
	ParameterValue   string
	UsePreviousValue *bool  `xml:",omitempty"`
	ResolvedValue    string `xml:",omitempty"`
}

func xmlParameters(ps []stacks.Parameter) []xmlParameter {
	out := make([]xmlParameter, 0, len(ps))
	for _, p := range ps {
		out = append(out, xmlParameter{ParameterKey: p.Key, ParameterValue: p.Value, ResolvedValue: p.ResolvedValue})
	}
	return out
}

type xmlTag struct{ Key, Value string }

func xmlTags(ts []stacks.Tag) []xmlTag {
	out := make([]xmlTag, 0, len(ts))
	for _, t := range ts {
		out = append(out, xmlTag(t))
	}
	return out
}

type xmlOutput struct {
	OutputKey, OutputValue string
	Description            string `xml:",omitempty"`
	ExportName             string `xml:",omitempty"`
}

type xmlStack struct {
	StackId, StackName string
	ChangeSetId        string         `xml:",omitempty"`
	Description        string         `xml:",omitempty"`
	Parameters         []xmlParameter `xml:"Parameters>member"`
	CreationTime       *xmlTime
	DeletionTime       *xmlTime `xml:",omitempty"`
	LastUpdatedTime    *xmlTime `xml:",omitempty"`
	StackStatus        string
	StackStatusReason  string      `xml:",omitempty"`
	DisableRollback    bool        `xml:"DisableRollback"`
	NotificationARNs   []string    `xml:"NotificationARNs>member"`
	Capabilities       []string    `xml:"Capabilities>member"`
	Outputs            []xmlOutput `xml:"Outputs>member"`
	Tags               []xmlTag    `xml:"Tags>member"`
	ParentId           string      `xml:",omitempty"`
	RootId             string      `xml:",omitempty"`
	DriftInformation   struct {
		StackDriftStatus string
	}
}

func (h *Handler) cfnDescribeStacks(ctx context.Context, f *queryForm) (any, error) {
	list, err := h.Stacks.DescribeStacks(ctx, f.str("StackName"))
	if err != nil {
		return nil, err
	}
	out := struct {
		Stacks []xmlStack `xml:"Stacks>member"`
	}{Stacks: []xmlStack{}}
	for _, s := range list {
		x := xmlStack{
			StackId: s.StackID, StackName: s.StackName, ChangeSetId: s.ChangeSetID, Description: s.Description,
			Parameters: xmlParameters(s.Parameters), CreationTime: optTime(s.CreationTime), DeletionTime: optTime(s.DeletionTime),
			LastUpdatedTime: optTime(s.LastUpdatedTime), StackStatus: s.Status, StackStatusReason: s.StatusReason,
			DisableRollback: s.DisableRollback, Capabilities: s.Capabilities, Tags: xmlTags(s.Tags),
			ParentId: s.ParentID, RootId: s.RootID,
		}
		x.DriftInformation.StackDriftStatus = "NOT_CHECKED"
		for _, o := range s.Outputs {
			x.Outputs = append(x.Outputs, xmlOutput{OutputKey: o.Key, OutputValue: o.Value, Description: o.Description, ExportName: o.ExportName})
		}
		out.Stacks = append(out.Stacks, x)
	}
	return out, nil
}

func (h *Handler) cfnListStacks(ctx context.Context, f *queryForm) (any, error) {
	list, err := h.Stacks.ListStacks(ctx, f.members("StackStatusFilter"))
	if err != nil {
		return nil, err
	}
	type summary struct {
		StackId, StackName  string
		TemplateDescription string `xml:",omitempty"`
		CreationTime        *xmlTime
		LastUpdatedTime     *xmlTime `xml:",omitempty"`
		DeletionTime        *xmlTime `xml:",omitempty"`
		StackStatus         string
		StackStatusReason   string `xml:",omitempty"`
		ParentId            string `xml:",omitempty"`
		RootId              string `xml:",omitempty"`
		DriftInformation    struct{ StackDriftStatus string }
	}
	out := struct {
		StackSummaries []summary `xml:"StackSummaries>member"`
	}{StackSummaries: []summary{}}
	for _, s := range list {
		x := summary{
			StackId: s.StackID, StackName: s.StackName, TemplateDescription: s.TemplateDescription,
			CreationTime: optTime(s.CreationTime), LastUpdatedTime: optTime(s.LastUpdatedTime), DeletionTime: optTime(s.DeletionTime),
			StackStatus: s.StackStatus, StackStatusReason: s.StackStatusReason, ParentId: s.ParentID, RootId: s.RootID,
		}
		x.DriftInformation.StackDriftStatus = "NOT_CHECKED"
		out.StackSummaries = append(out.StackSummaries, x)
	}
	return out, nil
}

func (h *Handler) cfnDescribeStackEvents(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("StackName")
	if f.err != nil {
		return nil, f.err
	}
	events, err := h.Stacks.DescribeStackEvents(ctx, name)
	if err != nil {
		return nil, err
	}
	type event struct {
		StackId, EventId, StackName string
		LogicalResourceId           string
		PhysicalResourceId          string `xml:",omitempty"`
		ResourceType                string
		Timestamp                   xmlTime
		ResourceStatus              string
		ResourceStatusReason        string `xml:",omitempty"`
		ResourceProperties          string `xml:",omitempty"`
	}
	out := struct {
		StackEvents []event `xml:"StackEvents>member"`
	}{StackEvents: []event{}}
	for _, e := range events {
		out.StackEvents = append(out.StackEvents, event{
			StackId: e.StackID, EventId: e.EventID, StackName: e.StackName, LogicalResourceId: e.LogicalResourceID,
			PhysicalResourceId: e.PhysicalResourceID, ResourceType: e.ResourceType, Timestamp: xmlTime{e.Timestamp},
			ResourceStatus: e.ResourceStatus, ResourceStatusReason: e.ResourceStatusReason, ResourceProperties: e.ResourceProperties,
		})
	}
	return out, nil
}

// xmlResource is a StackResource, and with LastUpdatedTimestamp and
// Metadata set instead of Timestamp, a StackResourceDetail or (without
// the stack) a StackResourceSummary.
type xmlResource struct {
	StackName            string   `xml:",omitempty"`
	StackId              string   `xml:",omitempty"`
	LogicalResourceId    string   `xml:"LogicalResourceId"`
	PhysicalResourceId   string   `xml:",omitempty"`
	ResourceType         string   `xml:"ResourceType"`
	Timestamp            *xmlTime `xml:",omitempty"`
	LastUpdatedTimestamp *xmlTime `xml:",omitempty"`
	ResourceStatus       string   `xml:"ResourceStatus"`
	ResourceStatusReason string   `xml:",omitempty"`
	Metadata             *string  `xml:",omitempty"`
	DriftInformation     struct {
		StackResourceDriftStatus string
	}
}

func newXMLResource(r stacks.ResourceInfo) xmlResource {
	x := xmlResource{
		StackName: r.StackName, StackId: r.StackID, LogicalResourceId: r.LogicalResourceID, PhysicalResourceId: r.PhysicalResourceID,
		ResourceType: r.ResourceType, Timestamp: optTime(r.Timestamp), ResourceStatus: r.ResourceStatus, ResourceStatusReason: r.ResourceStatusReason,
	}
	x.DriftInformation.StackResourceDriftStatus = "NOT_CHECKED"
	return x
}

func (h *Handler) cfnDescribeStackResources(ctx context.Context, f *queryForm) (any, error) {
	name, logical, physical := f.str("StackName"), f.str("LogicalResourceId"), f.str("PhysicalResourceId")
	if name == "" && physical == "" {
		return nil, cfnValidation("Either StackName or PhysicalResourceId must be specified.")
	}
	if name == "" {
		found, err := h.stackOfPhysical(ctx, physical)
		if err != nil {
			return nil, err
		}
		name = found
	}
	list, err := h.Stacks.DescribeStackResources(ctx, name)
	if err != nil {
		return nil, err
	}
	out := struct {
		StackResources []xmlResource `xml:"StackResources>member"`
	}{StackResources: []xmlResource{}}
	for _, r := range list {
		if (logical != "" && r.LogicalResourceID != logical) || (physical != "" && r.PhysicalResourceID != physical) {
			continue
		}
		out.StackResources = append(out.StackResources, newXMLResource(r))
	}
	return out, nil
}

// stackOfPhysical finds the live stack holding a resource of a physical id.
func (h *Handler) stackOfPhysical(ctx context.Context, physical string) (string, error) {
	list, err := h.Stacks.DescribeStacks(ctx, "")
	if err != nil {
		return "", err
	}
	for _, s := range list {
		rs, err := h.Stacks.DescribeStackResources(ctx, s.StackID)
		if err != nil {
			continue
		}
		for _, r := range rs {
			if r.PhysicalResourceID == physical {
				return s.StackID, nil
			}
		}
	}
	return "", cfnValidation("Stack for %s does not exist", physical)
}

func (h *Handler) cfnListStackResources(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("StackName")
	if f.err != nil {
		return nil, f.err
	}
	list, err := h.Stacks.ListStackResources(ctx, name)
	if err != nil {
		return nil, err
	}
	out := struct {
		StackResourceSummaries []xmlResource `xml:"StackResourceSummaries>member"`
	}{StackResourceSummaries: []xmlResource{}}
	for _, r := range list {
		x := newXMLResource(r)
		x.StackName, x.StackId = "", ""
		x.LastUpdatedTimestamp, x.Timestamp = x.Timestamp, nil
		out.StackResourceSummaries = append(out.StackResourceSummaries, x)
	}
	return out, nil
}

func (h *Handler) cfnDescribeStackResource(ctx context.Context, f *queryForm) (any, error) {
	name, logical := f.required("StackName"), f.required("LogicalResourceId")
	if f.err != nil {
		return nil, f.err
	}
	r, err := h.Stacks.DescribeStackResource(ctx, name, logical)
	if err != nil {
		return nil, err
	}
	x := newXMLResource(*r)
	x.LastUpdatedTimestamp, x.Timestamp = x.Timestamp, nil
	md := "{}"
	x.Metadata = &md
	return struct{ StackResourceDetail xmlResource }{x}, nil
}

func (h *Handler) cfnGetTemplate(ctx context.Context, f *queryForm) (any, error) {
	name, changeSet, stage := f.str("StackName"), f.str("ChangeSetName"), f.str("TemplateStage")
	if name == "" && changeSet == "" {
		return nil, cfnValidation("Either StackName or ChangeSetName must be specified.")
	}
	if stage == "" {
		stage = "Original"
	}
	if stage != "Original" && stage != "Processed" {
		return nil, cfnValidation("1 validation error detected: Value '%s' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]", stage)
	}
	var body string
	var err error
	if changeSet != "" {
		body, err = h.Stacks.GetChangeSetTemplate(ctx, changeSet, name, stage)
	} else {
		body, err = h.Stacks.GetTemplate(ctx, name, stage)
	}
	if err != nil {
		return nil, err
	}
	stages := []string{"Original", "Processed"}
	return struct {
		TemplateBody    string
		StagesAvailable []string `xml:"StagesAvailable>member"`
	}{body, stages}, nil
}

type xmlTemplateParameter struct {
	ParameterKey         string
	DefaultValue         string `xml:",omitempty"`
	ParameterType        string `xml:",omitempty"`
	NoEcho               bool
	Description          string    `xml:",omitempty"`
	ParameterConstraints *struct { // GetTemplateSummary only
		AllowedValues []string `xml:"AllowedValues>member"`
	} `xml:",omitempty"`
}

func (h *Handler) cfnValidateTemplate(ctx context.Context, f *queryForm) (any, error) {
	body := h.template(ctx, f, false)
	if f.err != nil {
		return nil, f.err
	}
	v, err := h.Stacks.ValidateTemplate(ctx, body)
	if err != nil {
		return nil, err
	}
	out := struct {
		Parameters         []xmlTemplateParameter `xml:"Parameters>member"`
		Description        string                 `xml:",omitempty"`
		Capabilities       []string               `xml:"Capabilities>member"`
		CapabilitiesReason string                 `xml:",omitempty"`
		DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
	}{Description: v.Description, Capabilities: v.Capabilities, CapabilitiesReason: v.CapabilitiesReason, DeclaredTransforms: v.DeclaredTransforms}
	for _, p := range v.Parameters {
		out.Parameters = append(out.Parameters, xmlTemplateParameter{ParameterKey: p.ParameterKey, DefaultValue: p.DefaultValue, NoEcho: p.NoEcho, Description: p.Description})
	}
	return out, nil
}

func (h *Handler) cfnGetTemplateSummary(ctx context.Context, f *queryForm) (any, error) {
	name := f.str("StackName")
	body := h.template(ctx, f, name != "")
	if f.err != nil {
		return nil, f.err
	}
	v, err := h.Stacks.GetTemplateSummary(ctx, body, name)
	if err != nil {
		return nil, err
	}
	out := struct {
		Parameters         []xmlTemplateParameter `xml:"Parameters>member"`
		Description        string                 `xml:",omitempty"`
		Capabilities       []string               `xml:"Capabilities>member"`
		CapabilitiesReason string                 `xml:",omitempty"`
		ResourceTypes      []string               `xml:"ResourceTypes>member"`
		Version            string                 `xml:",omitempty"`
		Metadata           string                 `xml:",omitempty"`
		DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
	}{Description: v.Description, Capabilities: v.Capabilities, CapabilitiesReason: v.CapabilitiesReason,
		ResourceTypes: v.ResourceTypes, Version: v.Version, Metadata: v.Metadata, DeclaredTransforms: v.DeclaredTransforms}
	for _, p := range v.Parameters {
		x := xmlTemplateParameter{ParameterKey: p.ParameterKey, DefaultValue: p.DefaultValue, ParameterType: p.ParameterType, NoEcho: p.NoEcho, Description: p.Description}
		x.ParameterConstraints = &struct {
			AllowedValues []string `xml:"AllowedValues>member"`
		}{p.AllowedValues}
		out.Parameters = append(out.Parameters, x)
	}
	return out, nil
}

func (h *Handler) cfnCreateChangeSet(ctx context.Context, f *queryForm) (any, error) {
	usePrev := f.boolean("UsePreviousTemplate")
	in := stacks.CreateChangeSetInput{
		StackName: f.required("StackName"), ChangeSetName: f.required("ChangeSetName"),
		TemplateBody: h.template(ctx, f, usePrev), UsePreviousTemplate: usePrev,
		Parameters: f.cfnParameters(), Capabilities: f.members("Capabilities"), Tags: f.cfnTags(),
		ChangeSetType: f.str("ChangeSetType"), Description: f.str("Description"),
	}
	if f.err != nil {
		return nil, f.err
	}
	id, stackID, err := h.Stacks.CreateChangeSet(ctx, in)
	if err != nil {
		return nil, err
	}
	return struct{ Id, StackId string }{id, stackID}, nil
}

func (h *Handler) cfnDescribeChangeSet(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("ChangeSetName")
	if f.err != nil {
		return nil, f.err
	}
	cs, err := h.Stacks.DescribeChangeSet(ctx, name, f.str("StackName"))
	if err != nil {
		return nil, err
	}
	type resourceChange struct {
		Action             string
		LogicalResourceId  string
		PhysicalResourceId string `xml:",omitempty"`
		ResourceType       string
		Replacement        string   `xml:",omitempty"`
		Scope              []string `xml:"Scope>member"`
		Details            []string `xml:"Details>member"`
	}
	type change struct {
		Type           string
		ResourceChange resourceChange
	}
	out := struct {
		ChangeSetName, ChangeSetId, StackId, StackName string
		Description                                    string         `xml:",omitempty"`
		Parameters                                     []xmlParameter `xml:"Parameters>member"`
		CreationTime                                   xmlTime
		ExecutionStatus, Status                        string
		StatusReason                                   string   `xml:",omitempty"`
		NotificationARNs                               []string `xml:"NotificationARNs>member"`
		RollbackConfiguration                          struct{}
		Capabilities                                   []string `xml:"Capabilities>member"`
		Tags                                           []xmlTag `xml:"Tags>member"`
		Changes                                        []change `xml:"Changes>member"`
		IncludeNestedStacks                            bool
	}{
		ChangeSetName: cs.ChangeSetName, ChangeSetId: cs.ChangeSetID, StackId: cs.StackID, StackName: cs.StackName,
		Description: cs.Description, Parameters: xmlParameters(cs.Parameters), CreationTime: xmlTime{cs.CreationTime},
		ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason,
		Capabilities: cs.Capabilities, Tags: xmlTags(cs.Tags), Changes: []change{},
	}
	for _, c := range cs.Changes {
		out.Changes = append(out.Changes, change{Type: "Resource", ResourceChange: resourceChange{
			Action: c.Action, LogicalResourceId: c.LogicalResourceID, PhysicalResourceId: c.PhysicalResourceID,
			ResourceType: c.ResourceType, Replacement: c.Replacement, Scope: c.Scope,
		}})
	}
	return out, nil
}

func (h *Handler) cfnExecuteChangeSet(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("ChangeSetName")
	disable := f.boolean("DisableRollback")
	if f.err != nil {
		return nil, f.err
	}
	// The model gives both an (empty) result, which clients expect.
	return struct{}{}, h.Stacks.ExecuteChangeSet(ctx, name, f.str("StackName"), disable)
}

func (h *Handler) cfnDeleteChangeSet(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("ChangeSetName")
	if f.err != nil {
		return nil, f.err
	}
	return struct{}{}, h.Stacks.DeleteChangeSet(ctx, name, f.str("StackName"))
}

func (h *Handler) cfnListChangeSets(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("StackName")
	if f.err != nil {
		return nil, f.err
	}
	list, err := h.Stacks.ListChangeSets(ctx, name)
	if err != nil {
		return nil, err
	}
	type summary struct {
		StackId, StackName, ChangeSetId, ChangeSetName string
		ExecutionStatus, Status                        string
		StatusReason                                   string `xml:",omitempty"`
		CreationTime                                   xmlTime
		Description                                    string `xml:",omitempty"`
		IncludeNestedStacks                            bool
	}
	out := struct {
		Summaries []summary `xml:"Summaries>member"`
	}{Summaries: []summary{}}
	for _, cs := range list {
		out.Summaries = append(out.Summaries, summary{
			StackId: cs.StackID, StackName: cs.StackName, ChangeSetId: cs.ChangeSetID, ChangeSetName: cs.ChangeSetName,
			ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason,
			CreationTime: xmlTime{cs.CreationTime}, Description: cs.Description,
		})
	}
	return out, nil
}

func (h *Handler) cfnListExports(ctx context.Context, f *queryForm) (any, error) {
	list, err := h.Stacks.ListExports(ctx)
	if err != nil {
		return nil, err
	}
	type export struct{ ExportingStackId, Name, Value string }
	out := struct {
		Exports []export `xml:"Exports>member"`
	}{Exports: []export{}}
	for _, e := range list {
		out.Exports = append(out.Exports, export{e.ExportingStackID, e.Name, e.Value})
	}
	return out, nil
}

func (h *Handler) cfnListImports(ctx context.Context, f *queryForm) (any, error) {
	name := f.required("ExportName")
	if f.err != nil {
		return nil, f.err
	}
	list, err := h.Stacks.ListImports(ctx, name)
	if err != nil {
		return nil, err
	}
	return struct {
		Imports []string `xml:"Imports>member"`
	}{list}, nil
}
