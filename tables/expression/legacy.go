package expression

import (
	"slices"
	"strings"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// The legacy parameters that came before expressions: Expected and
// ConditionalOperator, QueryFilter and ScanFilter, KeyConditions,
// AttributeUpdates and AttributesToGet. Each converts into the type its
// expression counterpart parses into, so that one evaluator serves both.
// Legacy conditions name top-level attributes only, taken literally: a name
// holding a dot or a bracket is one attribute name, not a document path.

// ExpectedAttributeValue is one entry of the Expected map of PutItem,
// UpdateItem and DeleteItem: either Value with an optional Exists, or
// ComparisonOperator with AttributeValueList (or Value as its one argument).
type ExpectedAttributeValue struct {
	Value              *attrs.Value  `json:",omitempty"`
	Exists             *bool         `json:",omitempty"`
	ComparisonOperator string        `json:",omitempty"`
	AttributeValueList []attrs.Value `json:",omitempty"`
}

// LegacyCondition is one entry of a QueryFilter, ScanFilter or KeyConditions
// map (the Condition shape of DynamoDB's API).
type LegacyCondition struct {
	ComparisonOperator string
	AttributeValueList []attrs.Value `json:",omitempty"`
}

// AttributeValueUpdate is one entry of UpdateItem's AttributeUpdates map.
// Action is PUT (the default when empty), ADD or DELETE.
type AttributeValueUpdate struct {
	Value  *attrs.Value `json:",omitempty"`
	Action string       `json:",omitempty"`
}

// Messages of the legacy parameters.
const (
	msgInvalidParam    = "One or more parameter values were invalid: "
	msgEmptyValue      = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgTypeMismatch    = "Type mismatch for attribute to update"
	comparisonOpSet    = "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
	conditionalOpSet   = "[OR, AND]"
	attributeActionSet = "[ADD, DELETE, PUT]"
)

func invalidParam(format string, args ...any) error {
	return validationError(msgInvalidParam+format, args...)
}

// modelError is the error DynamoDB returns when a member fails a constraint
// of the API model; value is already quoted, or "null".
func modelError(value, member, constraint string) error {
	return validationError("1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func enumError(value, member, set string) error {
	return modelError("'"+value+"'", member, "Member must satisfy enum value set: "+set)
}

var (
	sortable = []attrs.Kind{attrs.S, attrs.N, attrs.B}
	scalar   = []attrs.Kind{attrs.S, attrs.N, attrs.B, attrs.BOOL, attrs.NULL}
)

// legacyOps gives each comparison operator its number of arguments (-1: one
// or more) and the kinds its arguments may have (nil: any).
var legacyOps = map[string]struct {
	args  int
	kinds []attrs.Kind
}{
	"EQ": {1, nil}, "NE": {1, nil},
	"LE": {1, sortable}, "LT": {1, sortable}, "GE": {1, sortable}, "GT": {1, sortable},
	"NOT_NULL": {0, nil}, "NULL": {0, nil},
	"CONTAINS": {1, scalar}, "NOT_CONTAINS": {1, scalar},
	"BEGINS_WITH": {1, []attrs.Kind{attrs.S, attrs.B}},
	"IN":          {-1, sortable},
	"BETWEEN":     {2, sortable},
}

// legacyCmp maps the comparison operators that are comparisons to the
// expression language's comparators.
var legacyCmp = map[string]string{"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}

func knownOp(op string) bool { _, ok := legacyOps[op]; return ok }

func validKind(k attrs.Kind) bool { return k >= attrs.S && k <= attrs.BOOL }

// checkArgs validates an AttributeValueList for op, a known operator.
func checkArgs(op string, args []attrs.Value) error {
	for _, a := range args {
		if !validKind(a.Kind) {
			return validationError(msgEmptyValue)
		}
	}
	spec := legacyOps[op]
	if spec.args >= 0 && len(args) != spec.args || spec.args < 0 && len(args) == 0 {
		return invalidParam("Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	for _, a := range args {
		if spec.kinds != nil && !slices.Contains(spec.kinds, a.Kind) {
			return invalidParam("ComparisonOperator %s is not valid for %s AttributeValue type", op, a.Kind)
		}
		if a.Kind != args[0].Kind {
			return invalidParam("AttributeValues inside AttributeValueList must be of same type")
		}
	}
	if op == "BETWEEN" {
		if c, _ := attrs.Compare(args[0], args[1]); c > 0 {
			return validationError("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return nil
}

// legacyCond returns the condition op places on attribute name; args have
// passed checkArgs.
func legacyCond(name, op string, args []attrs.Value) cond {
	path := Path{{Name: name}}
	attr := opPath{path}
	vals := make([]operand, len(args))
	for i, a := range args {
		vals[i] = opValue{v: a}
	}
	if c, ok := legacyCmp[op]; ok {
		return cmpCond{c, attr, vals[0]}
	}
	switch op {
	case "NOT_NULL":
		return funcCond{name: "attribute_exists", path: path}
	case "NULL":
		return funcCond{name: "attribute_not_exists", path: path}
	case "CONTAINS":
		return funcCond{name: "contains", path: path, arg: vals[0]}
	case "NOT_CONTAINS":
		// An attribute that does not exist does not satisfy NOT_CONTAINS.
		return andCond{funcCond{name: "attribute_exists", path: path}, notCond{funcCond{name: "contains", path: path, arg: vals[0]}}}
	case "BEGINS_WITH":
		return funcCond{name: "begins_with", path: path, arg: vals[0]}
	case "IN":
		return inCond{attr, vals}
	}
	return betweenCond{attr, vals[0], vals[1]} // BETWEEN
}

// conditionalOp validates ConditionalOperator for a map of n conditions and
// reports whether it is OR.
func conditionalOp(op string, n int) (bool, error) {
	switch {
	case op == "":
		return false, nil
	case op != "AND" && op != "OR":
		return false, enumError(op, "conditionalOperator", conditionalOpSet)
	case n == 0:
		return false, validationError("ConditionalOperator cannot be used without Filter or Expected")
	case n == 1:
		return false, validationError("ConditionalOperator can only be used when Filter or Expected has two or more elements")
	}
	return op == "OR", nil
}

// joinConds joins conditions with AND, or OR; nil when there are none.
func joinConds(conds []cond, or bool) *Condition {
	if len(conds) == 0 {
		return nil
	}
	root := conds[0]
	for _, c := range conds[1:] {
		if or {
			root = orCond{root, c}
		} else {
			root = andCond{root, c}
		}
	}
	return &Condition{root: root}
}

// ExpectedCondition converts the legacy Expected map and ConditionalOperator
// ("", AND or OR) into a Condition. It returns nil and no error when both
// are empty. Value alone means EQ, Exists false alone means NULL; the
// ValidationExceptions are DynamoDB's.
func ExpectedCondition(expected map[string]ExpectedAttributeValue, conditionalOperator string) (*Condition, error) {
	keys := sortedKeys(expected)
	for _, k := range keys {
		if op := expected[k].ComparisonOperator; op != "" && !knownOp(op) {
			return nil, enumError(op, "expected."+k+".member.comparisonOperator", comparisonOpSet)
		}
	}
	or, err := conditionalOp(conditionalOperator, len(expected))
	if err != nil {
		return nil, err
	}
	conds := make([]cond, 0, len(keys))
	for _, k := range keys {
		e := expected[k]
		op, args, err := e.resolve(k)
		if err != nil {
			return nil, err
		}
		if err := checkArgs(op, args); err != nil {
			return nil, err
		}
		conds = append(conds, legacyCond(k, op, args))
	}
	return joinConds(conds, or), nil
}

// resolve checks how e combines its members and returns the comparison it
// stands for.
func (e ExpectedAttributeValue) resolve(name string) (string, []attrs.Value, error) {
	op, args := e.ComparisonOperator, e.AttributeValueList
	switch {
	case e.Exists != nil && op != "":
		return "", nil, invalidParam("Exists and ComparisonOperator cannot be used together for Attribute: %s", name)
	case e.Value != nil && args != nil:
		return "", nil, invalidParam("Value and AttributeValueList cannot be used together for Attribute: %s", name)
	case op == "" && args != nil:
		return "", nil, invalidParam("AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", name)
	case e.Exists != nil && !*e.Exists && e.Value != nil:
		return "", nil, invalidParam("Value cannot be used when Exists is false for Attribute: %s", name)
	case e.Value == nil && args == nil && op != "" && op != "NULL" && op != "NOT_NULL":
		return "", nil, invalidParam("Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", op, name)
	case e.Value == nil && op == "" && e.Exists == nil:
		return "", nil, invalidParam("Value must be provided when Exists is null for Attribute: %s", name)
	case e.Value == nil && op == "" && *e.Exists:
		return "", nil, invalidParam("Value must be provided when Exists is true for Attribute: %s", name)
	}
	if e.Value != nil {
		args = []attrs.Value{*e.Value}
	}
	switch {
	case op != "":
	case e.Value == nil: // Exists false
		op = "NULL"
	default:
		op = "EQ"
	}
	return op, args, nil
}

// checkOperators returns DynamoDB's model error for the first condition
// (in name order) whose ComparisonOperator is missing or unknown. member
// returns the member path DynamoDB names for a condition.
func checkOperators(conds map[string]LegacyCondition, member func(name string) string) error {
	for _, k := range sortedKeys(conds) {
		switch op := conds[k].ComparisonOperator; {
		case op == "":
			return modelError("null", member(k), "Member must not be null")
		case !knownOp(op):
			return enumError(op, member(k), comparisonOpSet)
		}
	}
	return nil
}

// LegacyFilter converts a QueryFilter or ScanFilter map and the request's
// ConditionalOperator into a Condition. It returns nil and no error when
// both are empty; call it whenever either is present, since a
// ConditionalOperator without a filter is an error. Model errors name the
// member as "comparisonOperator", without the map's name (which differs
// between Query and Scan).
func LegacyFilter(conds map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	if err := checkOperators(conds, func(string) string { return "comparisonOperator" }); err != nil {
		return nil, err
	}
	or, err := conditionalOp(conditionalOperator, len(conds))
	if err != nil {
		return nil, err
	}
	out := make([]cond, 0, len(conds))
	for _, k := range sortedKeys(conds) {
		c := conds[k]
		if err := checkArgs(c.ComparisonOperator, c.AttributeValueList); err != nil {
			return nil, err
		}
		out = append(out, legacyCond(k, c.ComparisonOperator, c.AttributeValueList))
	}
	return joinConds(out, or), nil
}

// legacyRangeOps maps the operators KeyConditions allows on a sort key to
// RangeCondition.Op.
var legacyRangeOps = map[string]string{"EQ": "=", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">", "BEGINS_WITH": "begins_with", "BETWEEN": "BETWEEN"}

// LegacyKeyConditions converts Query's KeyConditions for a table or index
// whose partition key is hashKey and sort key rangeKey ("" if none): EQ on
// the partition key, and optionally EQ, LE, LT, GE, GT, BEGINS_WITH or
// BETWEEN on the sort key. As with ParseKeyCondition, checking the values'
// types against the key schema is left to the caller.
func LegacyKeyConditions(conds map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	if err := checkOperators(conds, func(k string) string { return "keyConditions." + k + ".member.comparisonOperator" }); err != nil {
		return nil, err
	}
	keys := sortedKeys(conds)
	for _, k := range keys {
		if err := checkArgs(conds[k].ComparisonOperator, conds[k].AttributeValueList); err != nil {
			return nil, err
		}
	}
	if len(conds) != 1 && len(conds) != 2 {
		return nil, validationError("Conditions can be of length 1 or 2 only")
	}
	h, ok := conds[hashKey]
	if !ok {
		return nil, validationError("Query condition missed key schema element: %s", hashKey)
	}
	for _, k := range keys {
		switch conds[k].ComparisonOperator {
		case "NULL", "NOT_NULL", "CONTAINS", "NOT_CONTAINS", "IN":
			return nil, validationError("Attempted conditional constraint is not an indexable operation")
		}
	}
	if h.ComparisonOperator != "EQ" || len(conds) == 2 && rangeKey == "" {
		return nil, validationError("Query key condition not supported")
	}
	kc := &KeyCondition{HashKey: hashKey, HashValue: h.AttributeValueList[0]}
	if len(conds) == 1 {
		return kc, nil
	}
	r, ok := conds[rangeKey]
	if !ok {
		return nil, validationError("Query condition missed key schema element: %s", rangeKey)
	}
	op, ok := legacyRangeOps[r.ComparisonOperator]
	if !ok {
		return nil, validationError("Query key condition not supported")
	}
	kc.Range = &RangeCondition{Key: rangeKey, Op: op, Values: slices.Clone(r.AttributeValueList)}
	return kc, nil
}

// AttributeUpdates converts UpdateItem's AttributeUpdates into an Update.
// PUT sets the attribute; DELETE without a value removes it, DELETE with a
// set removes those elements (and the attribute when none are left); ADD
// adds a number to a number (an absent attribute counts as 0), unites a set
// with a set of the same type and appends a list to a list. Applying ADD or
// DELETE to an attribute of another type fails with "Type mismatch for
// attribute to update".
func AttributeUpdates(updates map[string]AttributeValueUpdate) (*Update, error) {
	keys := sortedKeys(updates)
	for _, k := range keys {
		switch a := updates[k].Action; a {
		case "", "PUT", "ADD", "DELETE":
		default:
			return nil, enumError(a, "attributeUpdates."+k+".member.action", attributeActionSet)
		}
	}
	u := &Update{legacy: true}
	for _, k := range keys {
		a, path := updates[k], Path{{Name: k}}
		if a.Value != nil && !validKind(a.Value.Kind) {
			return nil, validationError(msgEmptyValue)
		}
		switch {
		case a.Value == nil && a.Action != "DELETE":
			return nil, invalidParam("Only DELETE action is allowed when no attribute value is specified")
		case a.Value == nil:
			u.removes = append(u.removes, path)
		case a.Action == "DELETE":
			if !a.Value.Kind.IsSet() {
				return nil, invalidParam("DELETE action with value is not supported for the type %s", a.Value.Kind)
			}
			u.deletes = append(u.deletes, valueAction{path, *a.Value})
		case a.Action == "ADD":
			if k := a.Value.Kind; k != attrs.N && k != attrs.L && !k.IsSet() {
				return nil, invalidParam("ADD action is not supported for the type %s", k)
			}
			u.adds = append(u.adds, valueAction{path, *a.Value})
		default: // PUT
			u.sets = append(u.sets, setAction{path, uValue{*a.Value}})
		}
		u.paths = append(u.paths, path)
	}
	return u, nil
}

// AttributesToGet converts the legacy AttributesToGet list into a
// Projection of top-level attributes. It returns nil and no error for a nil
// list (the parameter is absent); an empty list is a ValidationException.
func AttributesToGet(names []string) (*Projection, error) {
	if names == nil {
		return nil, nil
	}
	if len(names) == 0 {
		return nil, modelError("'[]'", "attributesToGet", "Member must have length greater than or equal to 1")
	}
	p := &Projection{paths: make([]Path, 0, len(names))}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, invalidParam("Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
		p.paths = append(p.paths, Path{{Name: n}})
	}
	return p, nil
}

// MixedParams returns DynamoDB's ValidationException for a request that
// carries both legacy parameters (nonExpr, such as Expected) and expression
// parameters (expr, such as ConditionExpression), listing each in the order
// given; it returns nil when either list is empty.
func MixedParams(nonExpr, expr []string) error {
	if len(nonExpr) == 0 || len(expr) == 0 {
		return nil
	}
	return validationError("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
		strings.Join(nonExpr, ", "), strings.Join(expr, ", "))
}
