package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	sartypes "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository/types"
	"github.com/eddyserverless/eddy/serverlessrepo"
)

// upgradeDiff is what deploying a version of an application over its stack
// changes: resources, by action, and what the version asks of its deployer.
type upgradeDiff struct {
	stack, from, to string
	// fromUnknown is why the stack's current version is not known, when
	// it is not.
	fromUnknown string
	// Resources as "LogicalId (Type)".
	added, replaced, modified, removed []string
	// noChanges is set when the change set has nothing to do.
	noChanges bool
	// Parameters added and removed, and capabilities the new version needs
	// that the current one did not.
	paramsAdded, paramsRemoved, newCapabilities []string
}

// existingAppStack returns the stack the repository deployed as name, or
// nil when there is none yet.
func existingAppStack(ctx context.Context, cfn *cloudformation.Client, name string) (*types.Stack, error) {
	st, err := describeStack(ctx, cfn, name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, apiMessage(err)
	}
	if st.StackStatus == types.StackStatusReviewInProgress || st.StackStatus == types.StackStatusDeleteComplete {
		return nil, nil
	}
	return st, nil
}

// stackTag returns the value of a stack's tag, "" when it has none.
func stackTag(st *types.Stack, key string) string {
	for _, t := range st.Tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// showUpgrade prints what the change set id of the stack stackID (the
// application arn's version to, over the stack prev) changes, once it is
// created.
func (d *deployer) showUpgrade(ctx context.Context, repo *sar.Client, arn string, prev *types.Stack, to, stackID, id string) error {
	cs, err := d.waitChangeSet(ctx, stackID, id)
	if err != nil {
		return err
	}
	diff := &upgradeDiff{stack: aws.ToString(prev.StackName), to: to}
	switch {
	case cs.Status == types.ChangeSetStatusCreateComplete:
		diff.resourceChanges(cs.Changes)
	case strings.Contains(aws.ToString(cs.StatusReason), "didn't contain changes") || strings.Contains(aws.ToString(cs.StatusReason), "No updates are to be performed"):
		diff.noChanges = true
	default:
		return nil // execute reports why the change set failed
	}
	diff.from = stackTag(prev, serverlessrepo.TagSemanticVersion)
	switch {
	case diff.from == "":
		diff.fromUnknown = "the stack has no " + serverlessrepo.TagSemanticVersion + " tag"
	case stackTag(prev, serverlessrepo.TagApplicationID) != arn:
		diff.fromUnknown = "the stack was deployed from " + stackTag(prev, serverlessrepo.TagApplicationID)
	default:
		old, err := repo.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(arn), SemanticVersion: aws.String(diff.from)})
		if err != nil {
			diff.fromUnknown = "version " + diff.from + ": " + apiMessage(err).Error()
			break
		}
		cur, err := repo.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(arn), SemanticVersion: aws.String(to)})
		if err != nil {
			return apiMessage(err)
		}
		diff.versionChanges(old.Version, cur.Version)
	}
	diff.render(d.out)
	return nil
}

// resourceChanges sorts a change set's changes by action.
func (u *upgradeDiff) resourceChanges(changes []types.Change) {
	for _, c := range changes {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		name := aws.ToString(rc.LogicalResourceId) + " (" + aws.ToString(rc.ResourceType) + ")"
		switch rc.Action {
		case types.ChangeActionAdd:
			u.added = append(u.added, name)
		case types.ChangeActionRemove:
			u.removed = append(u.removed, name)
		case types.ChangeActionModify:
			if rc.Replacement == types.ReplacementTrue || rc.Replacement == types.ReplacementConditional {
				u.replaced = append(u.replaced, name+replacementNote(rc.Replacement))
			} else {
				u.modified = append(u.modified, name)
			}
		default:
			u.modified = append(u.modified, name)
		}
	}
	u.noChanges = len(u.added)+len(u.replaced)+len(u.modified)+len(u.removed) == 0
}

func replacementNote(r types.Replacement) string {
	if r == types.ReplacementConditional {
		return ", may be replaced"
	}
	return ""
}

// versionChanges compares the parameters and capabilities of two versions.
func (u *upgradeDiff) versionChanges(old, cur *sartypes.Version) {
	if old == nil || cur == nil {
		return
	}
	names := func(v *sartypes.Version) []string {
		var out []string
		for _, p := range v.ParameterDefinitions {
			out = append(out, aws.ToString(p.Name))
		}
		return out
	}
	oldNames, curNames := names(old), names(cur)
	for _, n := range curNames {
		if !slices.Contains(oldNames, n) {
			u.paramsAdded = append(u.paramsAdded, n)
		}
	}
	for _, n := range oldNames {
		if !slices.Contains(curNames, n) {
			u.paramsRemoved = append(u.paramsRemoved, n)
		}
	}
	for _, c := range cur.RequiredCapabilities {
		if !slices.Contains(old.RequiredCapabilities, c) {
			u.newCapabilities = append(u.newCapabilities, string(c))
		}
	}
	sort.Strings(u.paramsAdded)
	sort.Strings(u.paramsRemoved)
	sort.Strings(u.newCapabilities)
}

// render prints the diff.
func (u *upgradeDiff) render(out io.Writer) {
	if u.fromUnknown != "" {
		fmt.Fprintf(out, "Upgrading %s to version %s (its current version is not known: %s)\n", u.stack, u.to, u.fromUnknown)
	} else {
		fmt.Fprintf(out, "Upgrading %s from version %s to version %s\n", u.stack, u.from, u.to)
	}
	if u.noChanges {
		fmt.Fprintln(out, "  Resources: no resource changes")
	} else {
		for _, g := range []struct {
			label string
			items []string
		}{{"Added", u.added}, {"Replaced", u.replaced}, {"Modified", u.modified}, {"Removed", u.removed}} {
			for _, it := range g.items {
				fmt.Fprintf(out, "  Resource %-9s  %s\n", strings.ToLower(g.label)+":", it)
			}
		}
	}
	if u.fromUnknown != "" {
		return
	}
	for _, p := range u.paramsAdded {
		fmt.Fprintf(out, "  Parameter added:    %s\n", p)
	}
	for _, p := range u.paramsRemoved {
		fmt.Fprintf(out, "  Parameter removed:  %s\n", p)
	}
	if len(u.newCapabilities) > 0 {
		fmt.Fprintf(out, "  Capabilities newly required: %s\n", strings.Join(u.newCapabilities, ", "))
	}
	if len(u.paramsAdded)+len(u.paramsRemoved)+len(u.newCapabilities) == 0 {
		fmt.Fprintln(out, "  Parameters and capabilities: unchanged")
	}
}
