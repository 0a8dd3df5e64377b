package serverlessrepo

// The types' JSON is the wire form of the Serverless Application
// Repository's REST-JSON API (2017-09-08).

// Application is an application's metadata, with the version a request
// asked for (or the latest) when it has one.
type Application struct {
	ApplicationID     string   `json:"applicationId"`
	Name              string   `json:"name"`
	Author            string   `json:"author,omitempty"`
	Description       string   `json:"description,omitempty"`
	CreationTime      string   `json:"creationTime,omitempty"`
	HomePageURL       string   `json:"homePageUrl,omitempty"`
	Labels            []string `json:"labels,omitempty"`
	LicenseURL        string   `json:"licenseUrl,omitempty"`
	ReadmeURL         string   `json:"readmeUrl,omitempty"`
	SpdxLicenseID     string   `json:"spdxLicenseId,omitempty"`
	IsVerifiedAuthor  bool     `json:"isVerifiedAuthor"`
	VerifiedAuthorURL string   `json:"verifiedAuthorUrl,omitempty"`
	Version           *Version `json:"version,omitempty"`
}

// ApplicationSummary is one application of ListApplications.
type ApplicationSummary struct {
	ApplicationID string   `json:"applicationId"`
	Name          string   `json:"name"`
	Author        string   `json:"author,omitempty"`
	Description   string   `json:"description,omitempty"`
	CreationTime  string   `json:"creationTime,omitempty"`
	HomePageURL   string   `json:"homePageUrl,omitempty"`
	Labels        []string `json:"labels,omitempty"`
	SpdxLicenseID string   `json:"spdxLicenseId,omitempty"`
}

// Version is one immutable version of an application.
type Version struct {
	ApplicationID        string                `json:"applicationId"`
	CreationTime         string                `json:"creationTime"`
	ParameterDefinitions []ParameterDefinition `json:"parameterDefinitions"`
	RequiredCapabilities []string              `json:"requiredCapabilities"`
	ResourcesSupported   bool                  `json:"resourcesSupported"`
	SemanticVersion      string                `json:"semanticVersion"`
	SourceCodeArchiveURL string                `json:"sourceCodeArchiveUrl,omitempty"`
	SourceCodeURL        string                `json:"sourceCodeUrl,omitempty"`
	TemplateURL          string                `json:"templateUrl"`
}

// VersionSummary is one version of ListApplicationVersions.
type VersionSummary struct {
	ApplicationID   string `json:"applicationId"`
	CreationTime    string `json:"creationTime"`
	SemanticVersion string `json:"semanticVersion"`
	SourceCodeURL   string `json:"sourceCodeUrl,omitempty"`
}

// ParameterDefinition is one parameter of a version's template.
type ParameterDefinition struct {
	Name                  string   `json:"name"`
	Type                  string   `json:"type,omitempty"`
	DefaultValue          *string  `json:"defaultValue,omitempty"`
	Description           string   `json:"description,omitempty"`
	AllowedValues         []string `json:"allowedValues,omitempty"`
	AllowedPattern        string   `json:"allowedPattern,omitempty"`
	ConstraintDescription string   `json:"constraintDescription,omitempty"`
	MaxLength             *int     `json:"maxLength,omitempty"`
	MinLength             *int     `json:"minLength,omitempty"`
	MaxValue              *int     `json:"maxValue,omitempty"`
	MinValue              *int     `json:"minValue,omitempty"`
	NoEcho                bool     `json:"noEcho,omitempty"`
	ReferencedByResources []string `json:"referencedByResources"`
}

// Dependency is one nested application of a version's template.
type Dependency struct {
	ApplicationID   string `json:"applicationId"`
	SemanticVersion string `json:"semanticVersion"`
}

// Statement is one statement of an application's policy.
type Statement struct {
	Actions         []string `json:"actions"`
	PrincipalOrgIDs []string `json:"principalOrgIDs,omitempty"`
	Principals      []string `json:"principals"`
	StatementID     string   `json:"statementId,omitempty"`
}

// CloudFormationTemplate is a template made for one version of an
// application, served at TemplateURL until ExpirationTime.
type CloudFormationTemplate struct {
	ApplicationID   string `json:"applicationId"`
	CreationTime    string `json:"creationTime"`
	ExpirationTime  string `json:"expirationTime"`
	SemanticVersion string `json:"semanticVersion"`
	Status          string `json:"status"`
	TemplateID      string `json:"templateId"`
	TemplateURL     string `json:"templateUrl"`
}

// CreateApplicationInput is CreateApplication's request body.
type CreateApplicationInput struct {
	Name                 string   `json:"name"`
	Author               string   `json:"author"`
	Description          string   `json:"description"`
	HomePageURL          string   `json:"homePageUrl"`
	Labels               []string `json:"labels"`
	LicenseBody          string   `json:"licenseBody"`
	LicenseURL           string   `json:"licenseUrl"`
	ReadmeBody           string   `json:"readmeBody"`
	ReadmeURL            string   `json:"readmeUrl"`
	SemanticVersion      string   `json:"semanticVersion"`
	SourceCodeArchiveURL string   `json:"sourceCodeArchiveUrl"`
	SourceCodeURL        string   `json:"sourceCodeUrl"`
	SpdxLicenseID        string   `json:"spdxLicenseId"`
	TemplateBody         string   `json:"templateBody"`
	TemplateURL          string   `json:"templateUrl"`
}

// CreateApplicationVersionInput is CreateApplicationVersion's request
// body; the application and version come from the path.
type CreateApplicationVersionInput struct {
	ApplicationID        string `json:"-"`
	SemanticVersion      string `json:"-"`
	SourceCodeArchiveURL string `json:"sourceCodeArchiveUrl"`
	SourceCodeURL        string `json:"sourceCodeUrl"`
	TemplateBody         string `json:"templateBody"`
	TemplateURL          string `json:"templateUrl"`
}

// UpdateApplicationInput is UpdateApplication's request body; nil members
// are left as they are.
type UpdateApplicationInput struct {
	ApplicationID string    `json:"-"`
	Author        *string   `json:"author"`
	Description   *string   `json:"description"`
	HomePageURL   *string   `json:"homePageUrl"`
	Labels        *[]string `json:"labels"`
	ReadmeBody    *string   `json:"readmeBody"`
	ReadmeURL     *string   `json:"readmeUrl"`
}

// ParameterValue is one parameter override of a change set.
type ParameterValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Tag is one tag of a change set's stack.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CreateChangeSetInput is CreateCloudFormationChangeSet's request body.
type CreateChangeSetInput struct {
	ApplicationID      string           `json:"-"`
	Capabilities       []string         `json:"capabilities"`
	ChangeSetName      string           `json:"changeSetName"`
	ClientToken        string           `json:"clientToken"`
	Description        string           `json:"description"`
	NotificationArns   []string         `json:"notificationArns"`
	ParameterOverrides []ParameterValue `json:"parameterOverrides"`
	ResourceTypes      []string         `json:"resourceTypes"`
	SemanticVersion    string           `json:"semanticVersion"`
	StackName          string           `json:"stackName"`
	Tags               []Tag            `json:"tags"`
	TemplateID         string           `json:"templateId"`
}

// CreateChangeSetOutput is CreateCloudFormationChangeSet's response.
type CreateChangeSetOutput struct {
	ApplicationID   string `json:"applicationId"`
	ChangeSetID     string `json:"changeSetId"`
	SemanticVersion string `json:"semanticVersion"`
	StackID         string `json:"stackId"`
}
