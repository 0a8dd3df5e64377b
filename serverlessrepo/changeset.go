package serverlessrepo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/stacks"
)

// missingCapabilities returns the capabilities of required that given
// does not acknowledge; CAPABILITY_NAMED_IAM acknowledges CAPABILITY_IAM.
func missingCapabilities(required, given []string) []string {
	var out []string
	for _, c := range required {
		if slices.Contains(given, c) || c == CapIAM && slices.Contains(given, CapNamedIAM) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// CreateCloudFormationChangeSet makes a change set that deploys a version
// of an application as the stack serverlessrepo-STACKNAME: a change set of
// type CREATE when the stack does not exist yet, else of type UPDATE.
func (s *Service) CreateCloudFormationChangeSet(ctx context.Context, in CreateChangeSetInput) (*CreateChangeSetOutput, error) {
	if s.cfg.Stacks == nil {
		return nil, eddy.TypedErrorf(eddy.EUNSUPPORT, "BadRequestException", "Deploying applications is not available.")
	}
	if in.StackName == "" {
		return nil, badRequest("Missing required parameter: stackName.")
	}
	rec, _, err := s.load(ctx, in.ApplicationID)
	if err != nil {
		return nil, err
	}
	semver := in.SemanticVersion
	if in.TemplateID != "" {
		t, err := s.storedTemplate(ctx, in.TemplateID)
		if err != nil {
			return nil, err
		}
		if t.ApplicationID != rec.App.ApplicationID || semver != "" && semver != t.SemanticVersion {
			return nil, badRequest("The template %s is not of the application %s at the requested version.", in.TemplateID, in.ApplicationID)
		}
		semver = t.SemanticVersion
	}
	v, err := s.version(rec, semver)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, badRequest("The application %s has no versions.", in.ApplicationID)
	}
	if err := s.verify(ctx, rec, v); err != nil {
		return nil, err
	}
	if missing := missingCapabilities(v.RequiredCapabilities, in.Capabilities); len(missing) > 0 {
		return nil, badRequest("Requires capabilities : [%s]", strings.Join(missing, ", "))
	}
	var caps []string
	for _, c := range in.Capabilities {
		switch c {
		case CapIAM, CapNamedIAM, CapAutoExpand:
			caps = append(caps, c) // CloudFormation's own; CAPABILITY_RESOURCE_POLICY is the repository's
		case CapResourcePolicy:
		default:
			return nil, badRequest("Invalid capability: %s. Supported capabilities: [%s, %s, %s, %s].", c, CapIAM, CapNamedIAM, CapResourcePolicy, CapAutoExpand)
		}
	}
	stackName := StackPrefix + in.StackName
	typ := "CREATE"
	var current []stacks.Tag
	if infos, err := s.cfg.Stacks.DescribeStacks(ctx, stackName); err == nil && len(infos) > 0 {
		if st := infos[0].Status; st != "REVIEW_IN_PROGRESS" && st != "DELETE_COMPLETE" {
			typ, current = "UPDATE", infos[0].Tags
		}
	}
	name := in.ChangeSetName
	if name == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		name = "a" + hex.EncodeToString(b[:])
	}
	params := make([]stacks.Parameter, 0, len(in.ParameterOverrides))
	for _, p := range in.ParameterOverrides {
		params = append(params, stacks.Parameter{Key: p.Name, Value: p.Value})
	}
	tags := stackTags(current, in.Tags, rec.App.ApplicationID, v.SemanticVersion)
	csID, stackID, err := s.cfg.Stacks.CreateChangeSet(ctx, stacks.CreateChangeSetInput{
		StackName: stackName, ChangeSetName: name, TemplateBody: v.Template, Parameters: params,
		Capabilities: caps, Tags: tags, ChangeSetType: typ, Description: in.Description,
	})
	if err != nil {
		return nil, stackError(err)
	}
	return &CreateChangeSetOutput{ApplicationID: rec.App.ApplicationID, ChangeSetID: csID, SemanticVersion: v.SemanticVersion, StackID: stackID}, nil
}

// Tags the repository puts on the stacks it deploys, as AWS does.
const (
	TagApplicationID   = "serverlessrepo:applicationId"
	TagSemanticVersion = "serverlessrepo:semanticVersion"
)

// stackTags returns the tags of a stack a change set deploys: the stack's
// current ones, those the request gives over them, and the application's
// id and version.
func stackTags(current []stacks.Tag, given []Tag, appID, semver string) []stacks.Tag {
	var out []stacks.Tag
	set := func(k, v string) {
		for i := range out {
			if out[i].Key == k {
				out[i].Value = v
				return
			}
		}
		out = append(out, stacks.Tag{Key: k, Value: v})
	}
	for _, t := range current {
		set(t.Key, t.Value)
	}
	for _, t := range given {
		set(t.Key, t.Value)
	}
	set(TagApplicationID, appID)
	set(TagSemanticVersion, semver)
	return out
}

// stackError renders CloudFormation's refusal as the repository's error.
func stackError(err error) error {
	switch eddy.ErrorCode(err) {
	case eddy.EINTERNAL, eddy.EUNAVAIL:
		return err
	case eddy.ENOTFOUND:
		return notFound("%s", eddy.ErrorMessage(err))
	case eddy.ECONFLICT:
		return conflict("%s", eddy.ErrorMessage(err))
	case eddy.ETHROTTLED:
		return eddy.TypedErrorf(eddy.ETHROTTLED, "TooManyRequestsException", "%s", eddy.ErrorMessage(err))
	}
	return badRequest("%s", eddy.ErrorMessage(err))
}
