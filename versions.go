package eddy

import (
	"context"
	"time"
)

// Alias names a version of a function, optionally routing a share of
// invocations to a second version.
type Alias struct {
	Name            string `json:"name"`
	FunctionName    string `json:"function_name"`
	FunctionVersion string `json:"function_version"` // a published version or $LATEST (then without routing)
	Description     string `json:"description,omitempty"`
	// AdditionalVersionWeights routes the given share (0–1) of invocations
	// to another version (RoutingConfig). At most one entry.
	AdditionalVersionWeights map[string]float64 `json:"additional_version_weights,omitempty"`
	RevisionID               string             `json:"revision_id"`
	Region                   string             `json:"region"`
	Account                  string             `json:"account"`
}

// ARN returns the alias's qualified function ARN.
func (a *Alias) ARN() string {
	return FunctionARN(a.Region, a.Account, a.FunctionName) + ":" + a.Name
}

// AliasUpdate holds the fields UpdateAlias changes; nil leaves a field.
type AliasUpdate struct {
	FunctionVersion          *string
	Description              *string
	AdditionalVersionWeights *map[string]float64
	RevisionID               string // when set, must match
}

// PublishVersionInput is what PublishVersion takes.
type PublishVersionInput struct {
	CodeSha256  string // when set, must equal $LATEST's
	Description string
	RevisionID  string // when set, must equal $LATEST's
}

// EventInvokeConfig configures asynchronous invocation of a function,
// version or alias.
type EventInvokeConfig struct {
	FunctionName string `json:"function_name"`
	Qualifier    string `json:"qualifier"` // "$LATEST", a version or an alias
	// MaximumRetryAttempts is 0–2; nil means Lambda's default, 2.
	MaximumRetryAttempts *int `json:"maximum_retry_attempts,omitempty"`
	// MaximumEventAgeInSeconds is 60–21600; nil means the default, 21600.
	MaximumEventAgeInSeconds *int      `json:"maximum_event_age_in_seconds,omitempty"`
	OnSuccess                string    `json:"on_success,omitempty"` // destination ARN
	OnFailure                string    `json:"on_failure,omitempty"` // destination ARN
	LastModified             time.Time `json:"last_modified"`
	Region                   string    `json:"region"`
	Account                  string    `json:"account"`
}

// Retries returns the effective retry limit.
func (c *EventInvokeConfig) Retries() int {
	if c == nil || c.MaximumRetryAttempts == nil {
		return 2
	}
	return *c.MaximumRetryAttempts
}

// MaxAge returns the effective maximum event age.
func (c *EventInvokeConfig) MaxAge() time.Duration {
	if c == nil || c.MaximumEventAgeInSeconds == nil {
		return 6 * time.Hour
	}
	return time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
}

// ProvisionedConcurrencyConfig asks for a number of instances of a version
// or alias to be kept initialised.
type ProvisionedConcurrencyConfig struct {
	FunctionName string    `json:"function_name"`
	Qualifier    string    `json:"qualifier"` // a version or an alias
	Requested    int       `json:"requested"`
	LastModified time.Time `json:"last_modified"`
	Region       string    `json:"region"`
	Account      string    `json:"account"`
}

// VersionService is the part of the function registry that handles
// versions, aliases and per-function settings. Qualifiers are "" or
// "$LATEST", a version number, or an alias name.
type VersionService interface {
	// GetFunctionVersion returns the function at a qualifier; for an alias,
	// its primary version. ENOTFOUND for an unknown qualifier.
	GetFunctionVersion(ctx context.Context, region, name, qualifier string) (*Function, error)
	// ResolveInvoke returns the version an invocation at qualifier runs: for
	// an alias with a routing configuration, a version chosen by weight.
	ResolveInvoke(ctx context.Context, region, name, qualifier string) (*Function, error)
	PublishVersion(ctx context.Context, region, name string, in *PublishVersionInput) (*Function, error)
	ListVersionsByFunction(ctx context.Context, region, name, marker string, max int) ([]*Function, string, error)
	// DeleteFunctionVersion deletes one published version; ECONFLICT if an
	// alias routes to it.
	DeleteFunctionVersion(ctx context.Context, region, name, version string) error

	CreateAlias(ctx context.Context, region string, a *Alias) (*Alias, error)
	GetAlias(ctx context.Context, region, name, alias string) (*Alias, error)
	UpdateAlias(ctx context.Context, region, name, alias string, upd *AliasUpdate) (*Alias, error)
	DeleteAlias(ctx context.Context, region, name, alias string) error
	// ListAliases lists aliases in name order; version, when set, keeps
	// only the aliases that route to it.
	ListAliases(ctx context.Context, region, name, version, marker string, max int) ([]*Alias, string, error)

	// PutFunctionConcurrency sets reserved concurrency (0 throttles all).
	PutFunctionConcurrency(ctx context.Context, region, name string, reserved int) error
	// GetFunctionConcurrency returns the reserved concurrency, or nil.
	GetFunctionConcurrency(ctx context.Context, region, name string) (*int, error)
	DeleteFunctionConcurrency(ctx context.Context, region, name string) error

	// PutEventInvokeConfig stores cfg; with merge it keeps the fields cfg
	// leaves unset (UpdateFunctionEventInvokeConfig), else it replaces.
	PutEventInvokeConfig(ctx context.Context, region string, cfg *EventInvokeConfig, merge bool) (*EventInvokeConfig, error)
	// GetEventInvokeConfig returns ENOTFOUND if none is configured.
	GetEventInvokeConfig(ctx context.Context, region, name, qualifier string) (*EventInvokeConfig, error)
	ListEventInvokeConfigs(ctx context.Context, region, name, marker string, max int) ([]*EventInvokeConfig, string, error)
	DeleteEventInvokeConfig(ctx context.Context, region, name, qualifier string) error

	PutProvisionedConcurrency(ctx context.Context, region string, cfg *ProvisionedConcurrencyConfig) (*ProvisionedConcurrencyConfig, error)
	GetProvisionedConcurrency(ctx context.Context, region, name, qualifier string) (*ProvisionedConcurrencyConfig, error)
	DeleteProvisionedConcurrency(ctx context.Context, region, name, qualifier string) error
	ListProvisionedConcurrency(ctx context.Context, region, name, marker string, max int) ([]*ProvisionedConcurrencyConfig, string, error)
	// AllProvisionedConcurrency lists every configuration of every function,
	// for the runtime to keep instances warm.
	AllProvisionedConcurrency(ctx context.Context) ([]*ProvisionedConcurrencyConfig, error)
}

// Permission is one statement of a function's resource-based policy, as
// AddPermission grants it: Principal may do Action on the function (or on
// the version or alias the policy belongs to), under the conditions the
// other fields set. eddy stores policies and returns them; it does not
// enforce them, since it does no authorization at all.
type Permission struct {
	StatementID           string `json:"sid"`
	Action                string `json:"action"`
	Principal             string `json:"principal"`
	SourceArn             string `json:"source_arn,omitempty"`
	SourceAccount         string `json:"source_account,omitempty"`
	EventSourceToken      string `json:"event_source_token,omitempty"`
	PrincipalOrgID        string `json:"principal_org_id,omitempty"`
	FunctionURLAuthType   string `json:"function_url_auth_type,omitempty"`
	InvokedViaFunctionURL bool   `json:"invoked_via_function_url,omitempty"`
}

// Policy is the resource-based policy of a function at one qualifier: the
// unqualified function ($LATEST), a published version or an alias.
type Policy struct {
	FunctionName string       `json:"function_name"`
	Qualifier    string       `json:"qualifier"` // "$LATEST", a version or an alias
	Statements   []Permission `json:"statements"`
	// RevisionID changes with every added or removed statement.
	RevisionID string `json:"revision_id"`
	Region     string `json:"region"`
	Account    string `json:"account"`
}

// PolicyService stores the resource-based policies of functions. A
// qualifier of "" or "$LATEST" names the unqualified function. Deleting a
// function, version or alias deletes its policy.
type PolicyService interface {
	// AddPermission adds a statement to the policy at qualifier, creating
	// the policy if needed. ECONFLICT if the statement id is taken there;
	// EPRECOND if revisionID is set and is not the policy's (or, before
	// the first statement, the function version's or alias's).
	AddPermission(ctx context.Context, region, name, qualifier string, p *Permission, revisionID string) (*Policy, error)
	// RemovePermission removes a statement; ENOTFOUND if there is none with
	// that id. The policy goes with its last statement.
	RemovePermission(ctx context.Context, region, name, qualifier, statementID, revisionID string) error
	// GetPolicy returns ENOTFOUND if the qualifier has no policy.
	GetPolicy(ctx context.Context, region, name, qualifier string) (*Policy, error)
}
