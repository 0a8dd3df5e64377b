package awsapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/eddyserverless/eddy"
)

// A function's resource-based policy (AddPermission, RemovePermission,
// GetPolicy) is stored and rendered as Lambda renders it, but not enforced:
// eddy does no authorization, so any caller may invoke any function
// whatever its policy says.

type addPermissionRequest struct {
	StatementID           string `json:"StatementId"`
	Action                string `json:"Action"`
	Principal             string `json:"Principal"`
	SourceArn             string `json:"SourceArn"`
	SourceAccount         string `json:"SourceAccount"`
	EventSourceToken      string `json:"EventSourceToken"`
	PrincipalOrgID        string `json:"PrincipalOrgID"`
	FunctionURLAuthType   string `json:"FunctionUrlAuthType"`
	InvokedViaFunctionURL bool   `json:"InvokedViaFunctionUrl"`
	RevisionID            string `json:"RevisionId"`
}

// policyDocument and policyStatement are a policy as GetPolicy returns it
// (as a JSON string), members in Lambda's order.
type policyDocument struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Patterns of AddPermission's members in Lambda's model.
var (
	statementIDPattern       = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
	statementIDRemovePattern = regexp.MustCompile(`^[a-zA-Z0-9-_.]+$`)
	permissionActionPattern  = regexp.MustCompile(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	sourceArnPattern         = regexp.MustCompile(`^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$`)
	accountIDPattern         = regexp.MustCompile(`^\d{12}$`)
	eventSourceTokenPattern  = regexp.MustCompile(`^[a-zA-Z0-9._\-]+$`)
	principalOrgIDPattern    = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	iamARNPattern            = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:iam::\d{12}:\S+$`)
)

// validatePermission checks AddPermission's members against Lambda's model.
func validatePermission(in *addPermissionRequest) error {
	switch {
	case in.StatementID == "":
		return eddy.ValidationError("null", "statementId", "Member must not be null")
	case len(in.StatementID) > 100:
		return eddy.ValidationError(in.StatementID, "statementId", "Member must have length less than or equal to 100")
	case !statementIDPattern.MatchString(in.StatementID):
		return eddy.ValidationError(in.StatementID, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")
	case in.Action == "":
		return eddy.ValidationError("null", "action", "Member must not be null")
	case !permissionActionPattern.MatchString(in.Action):
		return eddy.ValidationError(in.Action, "action", "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")
	case in.Principal == "":
		return eddy.ValidationError("null", "principal", "Member must not be null")
	case strings.ContainsAny(in.Principal, " \t\r\n"):
		return eddy.ValidationError(in.Principal, "principal", `Member must satisfy regular expression pattern: [^\s]+`)
	case in.SourceArn != "" && !sourceArnPattern.MatchString(in.SourceArn):
		return eddy.ValidationError(in.SourceArn, "sourceArn", `Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`)
	case in.SourceAccount != "" && !accountIDPattern.MatchString(in.SourceAccount):
		return eddy.ValidationError(in.SourceAccount, "sourceAccount", `Member must satisfy regular expression pattern: \d{12}`)
	case in.EventSourceToken != "" && (len(in.EventSourceToken) > 256 || !eventSourceTokenPattern.MatchString(in.EventSourceToken)):
		return eddy.ValidationError(in.EventSourceToken, "eventSourceToken", `Member must satisfy regular expression pattern: [a-zA-Z0-9._\-]+`)
	case in.PrincipalOrgID != "" && !principalOrgIDPattern.MatchString(in.PrincipalOrgID):
		return eddy.ValidationError(in.PrincipalOrgID, "principalOrgID", "Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}")
	case in.FunctionURLAuthType != "" && in.FunctionURLAuthType != "NONE" && in.FunctionURLAuthType != "AWS_IAM":
		return eddy.ValidationError(in.FunctionURLAuthType, "functionUrlAuthType", "Member must satisfy enum value set: [NONE, AWS_IAM]")
	}
	if renderPrincipal(in.Principal) == nil {
		return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException",
			"The provided principal was invalid. Please check the principal and try again.")
	}
	return nil
}

// renderPrincipal returns a Principal as a policy states it: "*", an
// account as its root user's ARN, an IAM ARN as it is, a service by name;
// nil for anything else.
func renderPrincipal(p string) any {
	switch {
	case p == "*":
		return "*"
	case accountIDPattern.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case iamARNPattern.MatchString(p):
		return map[string]string{"AWS": p}
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazon.com"):
		return map[string]string{"Service": p}
	}
	return nil
}

// renderStatement returns a permission as a statement of the policy of
// resource (the function's ARN, qualified unless the policy is $LATEST's).
func renderStatement(p *eddy.Permission, resource string) policyStatement {
	st := policyStatement{
		Sid: p.StatementID, Effect: "Allow", Principal: renderPrincipal(p.Principal),
		Action: p.Action, Resource: resource,
	}
	cond := func(op, key, value string) {
		if value == "" {
			return
		}
		if st.Condition == nil {
			st.Condition = map[string]map[string]string{}
		}
		if st.Condition[op] == nil {
			st.Condition[op] = map[string]string{}
		}
		st.Condition[op][key] = value
	}
	cond("ArnLike", "AWS:SourceArn", p.SourceArn)
	cond("StringEquals", "AWS:SourceAccount", p.SourceAccount)
	cond("StringEquals", "lambda:EventSourceToken", p.EventSourceToken)
	cond("StringEquals", "aws:PrincipalOrgID", p.PrincipalOrgID)
	cond("StringEquals", "lambda:FunctionUrlAuthType", p.FunctionURLAuthType)
	if p.InvokedViaFunctionURL {
		cond("Bool", "lambda:InvokedViaFunctionUrl", "true")
	}
	return st
}

// policyResource returns the ARN a policy's statements name.
func policyResource(pol *eddy.Policy) string {
	arn := eddy.FunctionARN(pol.Region, pol.Account, pol.FunctionName)
	if pol.Qualifier != "" && pol.Qualifier != eddy.LatestVersion {
		arn += ":" + pol.Qualifier
	}
	return arn
}

// policyRef resolves the FunctionName and Qualifier of a policy request;
// ok is false once an error has been written.
func (h *Handler) policyRef(w http.ResponseWriter, r *http.Request, raw string) (eddy.FunctionRef, bool) {
	ref, err := h.functionRef(r, raw)
	if err == nil && h.Policies == nil {
		err = eddy.TypedErrorf(eddy.EUNSUPPORT, "InvalidParameterValueException", "Function policies are not supported by this eddy.")
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return ref, false
	}
	return ref, true
}

func (h *Handler) addPermission(w http.ResponseWriter, r *http.Request, raw string) {
	ref, ok := h.policyRef(w, r, raw)
	if !ok {
		return
	}
	data, err := readBody(r, maxConfigRequest, codeTooLarge("AddPermission"))
	var in addPermissionRequest
	if err == nil {
		err = decodeJSON(data, &in)
	}
	if err == nil {
		err = validatePermission(&in)
	}
	if err == nil && ref.Qualifier == eddy.LatestVersion {
		err = eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "We currently do not support adding policies for $LATEST.")
	}
	var pol *eddy.Policy
	if err == nil {
		pol, err = h.Policies.AddPermission(r.Context(), h.regionOf(r), ref.Name, ref.Qualifier, &eddy.Permission{
			StatementID: in.StatementID, Action: in.Action, Principal: in.Principal, SourceArn: in.SourceArn,
			SourceAccount: in.SourceAccount, EventSourceToken: in.EventSourceToken, PrincipalOrgID: in.PrincipalOrgID,
			FunctionURLAuthType: in.FunctionURLAuthType, InvokedViaFunctionURL: in.InvokedViaFunctionURL,
		}, in.RevisionID)
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	added := pol.Statements[len(pol.Statements)-1]
	st, err := json.Marshal(renderStatement(&added, policyResource(pol)))
	if err != nil {
		h.writeLambdaError(w, r, fmt.Errorf("add permission: %w", err))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"Statement": string(st)})
}

func (h *Handler) removePermission(w http.ResponseWriter, r *http.Request, raw, sid string) {
	ref, ok := h.policyRef(w, r, raw)
	if !ok {
		return
	}
	var err error
	if len(sid) > 100 || !statementIDRemovePattern.MatchString(sid) {
		err = eddy.ValidationError(sid, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)")
	} else {
		err = h.Policies.RemovePermission(r.Context(), h.regionOf(r), ref.Name, ref.Qualifier, sid, r.URL.Query().Get("RevisionId"))
	}
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getPolicy(w http.ResponseWriter, r *http.Request, raw string) {
	ref, ok := h.policyRef(w, r, raw)
	if !ok {
		return
	}
	pol, err := h.Policies.GetPolicy(r.Context(), h.regionOf(r), ref.Name, ref.Qualifier)
	if err != nil {
		h.writeLambdaError(w, r, err)
		return
	}
	doc := policyDocument{Version: "2012-10-17", ID: "default", Statement: make([]policyStatement, 0, len(pol.Statements))}
	resource := policyResource(pol)
	for i := range pol.Statements {
		doc.Statement = append(doc.Statement, renderStatement(&pol.Statements[i], resource))
	}
	data, err := json.Marshal(doc)
	if err != nil {
		h.writeLambdaError(w, r, fmt.Errorf("get policy: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"Policy": string(data), "RevisionId": pol.RevisionID})
}
