package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// defaultCapabilities are acknowledged unless --capabilities says otherwise:
// a SAM template needs CAPABILITY_AUTO_EXPAND, and most create roles.
var defaultCapabilities = []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}

// deployCommand is `eddy deploy`.
func deployCommand() *cobra.Command {
	var (
		c         clientFlags
		template  string
		stackName string
		params    []string
		caps      []string
	)
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Build a SAM or CloudFormation template's code, upload it and create or update its stack",
		Long: `deploy builds the local code of the template's functions the way
"sam build" does, uploads it to eddy's S3, then creates or updates the stack
through a change set, as "aws cloudformation deploy" does, and follows the
stack's events until it settles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := findTemplate(template)
			if err != nil {
				return err
			}
			if stackName == "" {
				abs, err := filepath.Abs(path)
				if err != nil {
					return err
				}
				stackName = stackNameFor(filepath.Dir(abs))
			}
			overrides, err := parseParams(params)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			up := newS3Uploader(c.s3(), "eddy-deploy-artifacts-"+c.region, c.region)
			body, err := buildArtifacts(ctx, path, up.upload)
			if err != nil {
				return err
			}
			d := &deployer{cfn: c.cloudformation(), out: cmd.OutOrStdout(), poll: stackPollInterval}
			return d.deploy(ctx, stackName, body, overrides, caps)
		},
	}
	c.add(cmd)
	cmd.Flags().StringVarP(&template, "template", "t", "", "the template (default template.yaml, then template.yml)")
	cmd.Flags().StringVar(&stackName, "stack-name", "", "the stack's name (default: the template directory's name)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "a parameter value, KEY=VALUE (repeatable)")
	cmd.Flags().StringSliceVar(&caps, "capabilities", defaultCapabilities, "the capabilities to acknowledge")
	return cmd
}

// findTemplate returns the template to read: the one named, or
// template.yaml or template.yml in the current directory.
func findTemplate(named string) (string, error) {
	if named != "" {
		return named, nil
	}
	for _, name := range []string{"template.yaml", "template.yml"} {
		if _, err := os.Stat(name); err == nil {
			return name, nil
		}
	}
	return "", errors.New("no template.yaml or template.yml here; name one with -t")
}

// stackNameFor turns a directory's name into a valid stack name
// ([a-zA-Z][-a-zA-Z0-9]*, at most 128 characters): other characters become
// hyphens and anything before the first letter is dropped.
func stackNameFor(dir string) string {
	var b strings.Builder
	for _, r := range filepath.Base(dir) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case b.Len() == 0:
			// a stack name starts with a letter
		case r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if len(name) > 128 {
		name = strings.TrimRight(name[:128], "-")
	}
	if name == "" {
		return "eddy-stack"
	}
	return name
}

// parseParams turns KEY=VALUE arguments into a map.
func parseParams(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--param %q: want KEY=VALUE", a)
		}
		out[k] = v
	}
	return out, nil
}

// templateParameters returns the names a template declares under
// Parameters.
func templateParameters(body []byte) []string {
	var doc yaml.Node
	if yaml.Unmarshal(body, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	params := mapGet(doc.Content[0], "Parameters")
	if params == nil {
		return nil
	}
	var names []string
	for i := 0; i < len(params.Content); i += 2 {
		names = append(names, params.Content[i].Value)
	}
	return names
}

// deployer creates or updates a stack through a change set.
type deployer struct {
	cfn  *cloudformation.Client
	out  io.Writer
	poll time.Duration
}

// deploy creates or updates stack with the template body, the way
// `aws cloudformation deploy` does: a change set, executed, followed until
// the stack settles. A parameter not overridden keeps its previous value on
// an update.
func (d *deployer) deploy(ctx context.Context, stack string, body []byte, overrides map[string]string, caps []string) error {
	kind := types.ChangeSetTypeCreate
	var previous map[string]bool
	if st, err := describeStack(ctx, d.cfn, stack); err != nil {
		if !isNotFound(err) {
			return apiMessage(err)
		}
	} else if st.StackStatus != types.StackStatusReviewInProgress {
		kind = types.ChangeSetTypeUpdate
		previous = map[string]bool{}
		for _, p := range st.Parameters {
			previous[aws.ToString(p.ParameterKey)] = true
		}
	}
	var parameters []types.Parameter
	for _, name := range templateParameters(body) {
		if v, ok := overrides[name]; ok {
			parameters = append(parameters, types.Parameter{ParameterKey: aws.String(name), ParameterValue: aws.String(v)})
			delete(overrides, name)
		} else if previous[name] {
			parameters = append(parameters, types.Parameter{ParameterKey: aws.String(name), UsePreviousValue: aws.Bool(true)})
		}
	}
	// Parameters the template does not declare are passed on, so that
	// CloudFormation names them in its error.
	for k, v := range overrides {
		parameters = append(parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	var capabilities []types.Capability
	for _, c := range caps {
		capabilities = append(capabilities, types.Capability(c))
	}

	fmt.Fprintf(d.out, "Creating a change set for stack %s\n", stack)
	created, err := d.cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(stack),
		ChangeSetName: aws.String(fmt.Sprintf("eddy-deploy-%d", time.Now().UnixNano())),
		ChangeSetType: kind,
		TemplateBody:  aws.String(string(body)),
		Parameters:    parameters,
		Capabilities:  capabilities,
		Description:   aws.String("Created by eddy deploy"),
	})
	if err != nil {
		return apiMessage(err)
	}
	return d.execute(ctx, stack, aws.ToString(created.StackId), aws.ToString(created.Id))
}

// execute waits for the change set id of the stack stackID to be created,
// executes it and follows the stack until it settles.
func (d *deployer) execute(ctx context.Context, stack, stackID, id string) error {
	cs, err := d.waitChangeSet(ctx, stackID, id)
	if err != nil {
		return err
	}
	if cs.Status == types.ChangeSetStatusFailed {
		reason := aws.ToString(cs.StatusReason)
		if strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed") {
			// The empty change set is of no further use; failing to
			// delete it changes nothing for the stack.
			_, _ = d.cfn.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{StackName: aws.String(stackID), ChangeSetName: aws.String(id)})
			fmt.Fprintf(d.out, "No changes to deploy. Stack %s is up to date\n", stack)
			return d.printOutputs(ctx, stackID)
		}
		return fmt.Errorf("change set failed: %s", reason)
	}
	printChanges(d.out, cs.Changes)

	follow := newEventFollower(d.cfn, stackID, d.out)
	follow.total = len(cs.Changes)
	if err := follow.prime(ctx); err != nil {
		return apiMessage(err)
	}
	// eddy answers ExecuteChangeSet once a quick stack has settled; the
	// events are followed meanwhile, so that they show as they happen.
	executed := make(chan error, 1)
	go func() {
		_, err := d.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{
			StackName: aws.String(stackID), ChangeSetName: aws.String(id),
		})
		executed <- err
	}()
	fmt.Fprintf(d.out, "Waiting for stack %s to settle\n", stack)
	st, err := d.waitStack(ctx, follow, stackID, executed)
	if err != nil {
		return err
	}
	switch st.StackStatus {
	case types.StackStatusCreateComplete, types.StackStatusUpdateComplete, types.StackStatusImportComplete:
		fmt.Fprintf(d.out, "Stack %s: %s\n", stack, st.StackStatus)
		return d.printOutputs(ctx, stackID)
	}
	return stackFailure(d.out, stack, st, follow)
}

// stackFailure reports why a stack operation failed, and returns the error
// the command ends with.
func stackFailure(out io.Writer, stack string, st *types.Stack, follow *eventFollower) error {
	if len(follow.failures) > 0 {
		fmt.Fprintln(out, "Failed:")
		for _, f := range follow.failures {
			fmt.Fprintln(out, "  "+f)
		}
	}
	if r := aws.ToString(st.StackStatusReason); r != "" {
		return fmt.Errorf("stack %s: %s: %s", stack, st.StackStatus, r)
	}
	return fmt.Errorf("stack %s: %s", stack, st.StackStatus)
}

// waitChangeSet polls a change set until it is created or has failed.
func (d *deployer) waitChangeSet(ctx context.Context, stackID, id string) (*cloudformation.DescribeChangeSetOutput, error) {
	for {
		cs, err := d.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{
			StackName: aws.String(stackID), ChangeSetName: aws.String(id),
		})
		if err != nil {
			return nil, apiMessage(err)
		}
		switch cs.Status {
		case types.ChangeSetStatusCreateComplete, types.ChangeSetStatusFailed, types.ChangeSetStatusDeleteComplete:
			return cs, nil
		}
		if err := sleepCtx(ctx, d.poll); err != nil {
			return nil, err
		}
	}
}

// waitStack prints the stack's events until it settles, and returns it as
// it settled.
func (d *deployer) waitStack(ctx context.Context, follow *eventFollower, stackID string, executed <-chan error) (*types.Stack, error) {
	defer follow.done()
	// Until ExecuteChangeSet has answered, a settled status is the one
	// before the change set's.
	started := false
	for {
		if !started {
			select {
			case err := <-executed:
				if err != nil {
					return nil, apiMessage(err)
				}
				started = true
			default:
			}
		}
		st, err := describeStack(ctx, d.cfn, stackID)
		if err != nil {
			return nil, apiMessage(err)
		}
		// Events are read after the status, so that the events that led
		// to a settled status are all printed.
		if err := follow.poll(ctx); err != nil {
			return nil, apiMessage(err)
		}
		if started && st.StackStatus != types.StackStatusReviewInProgress && stackSettled(st.StackStatus) {
			return st, nil
		}
		if started {
			if err := sleepCtx(ctx, d.poll); err != nil {
				return nil, err
			}
			continue
		}
		// Look again as soon as ExecuteChangeSet answers.
		select {
		case err := <-executed:
			if err != nil {
				return nil, apiMessage(err)
			}
			started = true
		case <-time.After(d.poll):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// printChanges lists what a change set is about to do.
func printChanges(out io.Writer, changes []types.Change) {
	if len(changes) == 0 {
		return
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tLOGICAL ID\tTYPE\tREPLACEMENT")
	for _, c := range changes {
		if rc := c.ResourceChange; rc != nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rc.Action, aws.ToString(rc.LogicalResourceId), aws.ToString(rc.ResourceType), rc.Replacement)
		}
	}
	tw.Flush()
}

// printOutputs prints a stack's outputs.
func (d *deployer) printOutputs(ctx context.Context, stack string) error {
	st, err := describeStack(ctx, d.cfn, stack)
	if err != nil {
		return apiMessage(err)
	}
	writeOutputs(d.out, aws.ToString(d.cfn.Options().BaseEndpoint), st.Outputs)
	return nil
}
