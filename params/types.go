package params

import (
	"strconv"
	"time"
)

// The request and result types are SSM's wire shapes (AWS JSON 1.1): the
// edge decodes a request body into an input and encodes an output as the
// result. Optional members are pointers, so that absent and empty differ
// where SSM makes them differ.

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Time is a timestamp as the JSON protocols write it: seconds since the
// epoch, with milliseconds.
type Time time.Time

// MarshalJSON writes t as epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads epoch seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*t = Time(time.UnixMilli(int64(f * 1000)))
	return nil
}

// PutParameterInput is PutParameter's request.
type PutParameterInput struct {
	Name           *string `json:"Name"`
	Description    *string `json:"Description"`
	Value          *string `json:"Value"`
	Type           *string `json:"Type"`
	KeyId          *string `json:"KeyId"`
	Overwrite      *bool   `json:"Overwrite"`
	AllowedPattern *string `json:"AllowedPattern"`
	Tags           []Tag   `json:"Tags"`
	Tier           *string `json:"Tier"`
	Policies       *string `json:"Policies"`
	DataType       *string `json:"DataType"`
}

// PutParameterOutput is PutParameter's result.
type PutParameterOutput struct {
	Version int64  `json:"Version"`
	Tier    string `json:"Tier"`
}

// Parameter is a parameter with its value, as GetParameter and its
// relatives return it.
type Parameter struct {
	Name             string `json:"Name"`
	Type             string `json:"Type"`
	Value            string `json:"Value"`
	Version          int64  `json:"Version"`
	Selector         string `json:"Selector,omitempty"`
	SourceResult     string `json:"SourceResult,omitempty"`
	LastModifiedDate Time   `json:"LastModifiedDate"`
	ARN              string `json:"ARN"`
	DataType         string `json:"DataType"`
}

// GetParameterInput is GetParameter's request.
type GetParameterInput struct {
	Name           *string `json:"Name"`
	WithDecryption *bool   `json:"WithDecryption"`
}

// GetParameterOutput is GetParameter's result.
type GetParameterOutput struct {
	Parameter *Parameter `json:"Parameter"`
}

// GetParametersInput is GetParameters' request.
type GetParametersInput struct {
	Names          []string `json:"Names"`
	WithDecryption *bool    `json:"WithDecryption"`
}

// GetParametersOutput is GetParameters' result.
type GetParametersOutput struct {
	Parameters        []Parameter `json:"Parameters"`
	InvalidParameters []string    `json:"InvalidParameters"`
}

// ParameterStringFilter is one of DescribeParameters' and
// GetParametersByPath's ParameterFilters.
type ParameterStringFilter struct {
	Key    *string  `json:"Key"`
	Option *string  `json:"Option"`
	Values []string `json:"Values"`
}

// GetParametersByPathInput is GetParametersByPath's request.
type GetParametersByPathInput struct {
	Path             *string                 `json:"Path"`
	Recursive        *bool                   `json:"Recursive"`
	ParameterFilters []ParameterStringFilter `json:"ParameterFilters"`
	WithDecryption   *bool                   `json:"WithDecryption"`
	MaxResults       *int                    `json:"MaxResults"`
	NextToken        *string                 `json:"NextToken"`
}

// GetParametersByPathOutput is GetParametersByPath's result.
type GetParametersByPathOutput struct {
	Parameters []Parameter `json:"Parameters"`
	NextToken  string      `json:"NextToken,omitempty"`
}

// DeleteParameterInput is DeleteParameter's request.
type DeleteParameterInput struct {
	Name *string `json:"Name"`
}

// DeleteParametersInput is DeleteParameters' request.
type DeleteParametersInput struct {
	Names []string `json:"Names"`
}

// DeleteParametersOutput is DeleteParameters' result.
type DeleteParametersOutput struct {
	DeletedParameters []string `json:"DeletedParameters"`
	InvalidParameters []string `json:"InvalidParameters"`
}

// ParametersFilter is one of DescribeParameters' (legacy) Filters.
type ParametersFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

// DescribeParametersInput is DescribeParameters' request.
type DescribeParametersInput struct {
	Filters          []ParametersFilter      `json:"Filters"`
	ParameterFilters []ParameterStringFilter `json:"ParameterFilters"`
	MaxResults       *int                    `json:"MaxResults"`
	NextToken        *string                 `json:"NextToken"`
	Shared           *bool                   `json:"Shared"`
}

// ParameterInlinePolicy is a parameter policy as SSM reports it.
type ParameterInlinePolicy struct {
	PolicyText   string `json:"PolicyText"`
	PolicyType   string `json:"PolicyType"`
	PolicyStatus string `json:"PolicyStatus"`
}

// ParameterMetadata is a parameter without its value, as
// DescribeParameters returns it.
type ParameterMetadata struct {
	Name             string                  `json:"Name"`
	ARN              string                  `json:"ARN"`
	Type             string                  `json:"Type"`
	KeyId            string                  `json:"KeyId,omitempty"`
	LastModifiedDate Time                    `json:"LastModifiedDate"`
	LastModifiedUser string                  `json:"LastModifiedUser"`
	Description      string                  `json:"Description,omitempty"`
	AllowedPattern   string                  `json:"AllowedPattern,omitempty"`
	Version          int64                   `json:"Version"`
	Tier             string                  `json:"Tier"`
	Policies         []ParameterInlinePolicy `json:"Policies"`
	DataType         string                  `json:"DataType"`
}

// DescribeParametersOutput is DescribeParameters' result.
type DescribeParametersOutput struct {
	Parameters []ParameterMetadata `json:"Parameters"`
	NextToken  string              `json:"NextToken,omitempty"`
}

// GetParameterHistoryInput is GetParameterHistory's request.
type GetParameterHistoryInput struct {
	Name           *string `json:"Name"`
	WithDecryption *bool   `json:"WithDecryption"`
	MaxResults     *int    `json:"MaxResults"`
	NextToken      *string `json:"NextToken"`
}

// ParameterHistory is one version of a parameter.
type ParameterHistory struct {
	Name             string                  `json:"Name"`
	Type             string                  `json:"Type"`
	KeyId            string                  `json:"KeyId,omitempty"`
	LastModifiedDate Time                    `json:"LastModifiedDate"`
	LastModifiedUser string                  `json:"LastModifiedUser"`
	Description      string                  `json:"Description,omitempty"`
	Value            string                  `json:"Value"`
	AllowedPattern   string                  `json:"AllowedPattern,omitempty"`
	Version          int64                   `json:"Version"`
	Labels           []string                `json:"Labels"`
	Tier             string                  `json:"Tier"`
	Policies         []ParameterInlinePolicy `json:"Policies"`
	DataType         string                  `json:"DataType"`
}

// GetParameterHistoryOutput is GetParameterHistory's result.
type GetParameterHistoryOutput struct {
	Parameters []ParameterHistory `json:"Parameters"`
	NextToken  string             `json:"NextToken,omitempty"`
}

// LabelParameterVersionInput is LabelParameterVersion's request.
type LabelParameterVersionInput struct {
	Name             *string  `json:"Name"`
	ParameterVersion *int64   `json:"ParameterVersion"`
	Labels           []string `json:"Labels"`
}

// LabelParameterVersionOutput is LabelParameterVersion's result.
type LabelParameterVersionOutput struct {
	InvalidLabels    []string `json:"InvalidLabels"`
	ParameterVersion int64    `json:"ParameterVersion"`
}

// UnlabelParameterVersionInput is UnlabelParameterVersion's request.
type UnlabelParameterVersionInput struct {
	Name             *string  `json:"Name"`
	ParameterVersion *int64   `json:"ParameterVersion"`
	Labels           []string `json:"Labels"`
}

// UnlabelParameterVersionOutput is UnlabelParameterVersion's result.
type UnlabelParameterVersionOutput struct {
	RemovedLabels []string `json:"RemovedLabels"`
	InvalidLabels []string `json:"InvalidLabels"`
}

// AddTagsToResourceInput is AddTagsToResource's request.
type AddTagsToResourceInput struct {
	ResourceType *string `json:"ResourceType"`
	ResourceId   *string `json:"ResourceId"`
	Tags         []Tag   `json:"Tags"`
}

// RemoveTagsFromResourceInput is RemoveTagsFromResource's request.
type RemoveTagsFromResourceInput struct {
	ResourceType *string  `json:"ResourceType"`
	ResourceId   *string  `json:"ResourceId"`
	TagKeys      []string `json:"TagKeys"`
}

// ListTagsForResourceInput is ListTagsForResource's request.
type ListTagsForResourceInput struct {
	ResourceType *string `json:"ResourceType"`
	ResourceId   *string `json:"ResourceId"`
}

// ListTagsForResourceOutput is ListTagsForResource's result.
type ListTagsForResourceOutput struct {
	TagList []Tag `json:"TagList"`
}

// Empty is the result of the operations that return nothing.
type Empty struct{}
