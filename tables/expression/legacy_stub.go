package expression

import "github.com/eddyserverless/eddy/tables/attrs"

// Placeholder declarations; replaced by legacy.go.

type ExpectedAttributeValue struct {
	Value              *attrs.Value
	Exists             *bool
	ComparisonOperator string
	AttributeValueList []attrs.Value
}
type LegacyCondition struct {
	ComparisonOperator string
	AttributeValueList []attrs.Value
}
type AttributeValueUpdate struct {
	Value  *attrs.Value
	Action string
}

func ExpectedCondition(expected map[string]ExpectedAttributeValue, conditionalOperator string) (*Condition, error) {
	return nil, validationError("legacy parameters are not supported")
}
func LegacyFilter(conds map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	return nil, validationError("legacy parameters are not supported")
}
func LegacyKeyConditions(conds map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	return nil, validationError("legacy parameters are not supported")
}
func AttributeUpdates(updates map[string]AttributeValueUpdate) (*Update, error) {
	return nil, validationError("legacy parameters are not supported")
}
func AttributesToGet(names []string) (*Projection, error) {
	return nil, validationError("legacy parameters are not supported")
}
func MixedParams(nonExpr, expr []string) error { return validationError("mixed") }
