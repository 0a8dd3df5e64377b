package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	sartypes "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository/types"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// appStackPrefix begins the name of every stack the repository deploys.
const appStackPrefix = "serverlessrepo-"

// appCapabilities are acknowledged by `eddy apps deploy` unless
// --capabilities says otherwise.
var appCapabilities = []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_RESOURCE_POLICY", "CAPABILITY_AUTO_EXPAND"}

// appsCommand is `eddy apps`, a client of the Serverless Application
// Repository.
func appsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apps",
		Short: "Publish, inspect, deploy and share applications of the Serverless Application Repository",
	}
	cmd.AddCommand(appsPublishCommand(), appsShowCommand(), appsVersionsCommand(), appsListCommand(),
		appsDeployCommand(), appsShareCommand(), appsUnshareCommand(), appsKeygenCommand(),
		appsSourcesCommand(), appsAvailableCommand(), appsInstallCommand(), appsSearchCommand())
	return cmd
}

// appMetadata is a template's Metadata: AWS::ServerlessRepo::Application.
type appMetadata struct {
	Name, Description, Author, SpdxLicenseID, HomePageURL, SemanticVersion, SourceCodeURL string
	LicenseURL, LicenseBody, ReadmeURL, ReadmeBody                                        string
	Labels                                                                                []string
}

// readAppMetadata reads the repository's metadata of the template at path.
// A LicenseUrl or ReadmeUrl that is a local path (relative to the
// template's directory) gives the file's text as the body.
func readAppMetadata(path string) (*appMetadata, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: the template is empty", path)
	}
	m := mapGet(mapGet(doc.Content[0], "Metadata"), "AWS::ServerlessRepo::Application")
	if m == nil {
		return nil, fmt.Errorf("%s: the template has no Metadata: AWS::ServerlessRepo::Application", path)
	}
	md := &appMetadata{
		Name: scalar(mapGet(m, "Name")), Description: scalar(mapGet(m, "Description")),
		Author: scalar(mapGet(m, "Author")), SpdxLicenseID: scalar(mapGet(m, "SpdxLicenseId")),
		HomePageURL: scalar(mapGet(m, "HomePageUrl")), SemanticVersion: scalar(mapGet(m, "SemanticVersion")),
		SourceCodeURL: scalar(mapGet(m, "SourceCodeUrl")),
	}
	for _, f := range []struct{ name, value string }{{"Name", md.Name}, {"Description", md.Description}, {"Author", md.Author}} {
		if f.value == "" {
			return nil, fmt.Errorf("%s: AWS::ServerlessRepo::Application has no %s", path, f.name)
		}
	}
	if l := mapGet(m, "Labels"); l != nil {
		if l.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s: AWS::ServerlessRepo::Application: Labels is not a list", path)
		}
		for _, n := range l.Content {
			md.Labels = append(md.Labels, n.Value)
		}
	}
	dir := filepath.Dir(path)
	for _, f := range []struct {
		key       string
		url, body *string
	}{{"LicenseUrl", &md.LicenseURL, &md.LicenseBody}, {"ReadmeUrl", &md.ReadmeURL, &md.ReadmeBody}} {
		v := scalar(mapGet(m, f.key))
		if v == "" {
			continue
		}
		if strings.Contains(v, "://") {
			*f.url = v
			continue
		}
		if !filepath.IsAbs(v) {
			v = filepath.Join(dir, v)
		}
		data, err := os.ReadFile(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.key, err)
		}
		*f.body = string(data)
	}
	return md, nil
}

// findApp returns the id (ARN) of the application id names: an ARN is
// returned as it is, a name is looked up among the applications.
func findApp(ctx context.Context, c *sar.Client, id string) (string, bool, error) {
	if strings.HasPrefix(id, "arn:") {
		return id, true, nil
	}
	p := sar.NewListApplicationsPaginator(c, &sar.ListApplicationsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", false, apiMessage(err)
		}
		for _, a := range page.Applications {
			if aws.ToString(a.Name) == id {
				return aws.ToString(a.ApplicationId), true, nil
			}
		}
	}
	return "", false, nil
}

// resolveApp is findApp for an application that must exist.
func resolveApp(ctx context.Context, c *sar.Client, id string) (string, error) {
	arn, ok, err := findApp(ctx, c, id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("no application named %s", id)
	}
	return arn, nil
}

// splitAppVersion splits NAME@VERSION.
func splitAppVersion(s string) (string, string) {
	if i := strings.LastIndex(s, "@"); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// appsPublishCommand is `eddy apps publish`.
func appsPublishCommand() *cobra.Command {
	var (
		c        clientFlags
		template string
		version  string
		signKey  string
	)
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Publish a template as an application, or as a new version of it, as \"sam publish\" does",
		Long: `publish reads the template's Metadata: AWS::ServerlessRepo::Application,
builds and uploads its local code as "eddy deploy" does, and creates the
application with the version, or adds the version to the application and
updates its metadata. Versions are immutable. Without a SemanticVersion
only the metadata is published.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := findTemplate(template)
			if err != nil {
				return err
			}
			md, err := readAppMetadata(path)
			if err != nil {
				return err
			}
			if version != "" {
				md.SemanticVersion = version
			}
			if signKey != "" && md.SemanticVersion == "" {
				return errors.New("--sign signs a version: give the template a SemanticVersion, or --version")
			}
			ctx := cmd.Context()
			var body []byte
			if md.SemanticVersion != "" {
				up := newS3Uploader(c.s3(), "eddy-deploy-artifacts-"+c.region, c.region)
				if body, err = buildArtifacts(ctx, path, up.upload); err != nil {
					return err
				}
			}
			arn, err := publishApp(ctx, c.repo(), md, string(body))
			if err != nil {
				return err
			}
			if md.SemanticVersion == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "Published %s's metadata, with no new version\nApplication: %s\n", md.Name, arn)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Published %s version %s\nApplication: %s\n", md.Name, md.SemanticVersion, arn)
			}
			if signKey != "" {
				signer, err := signVersion(ctx, &c, signKey, md.Name, md.SemanticVersion, string(body))
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Signed by: %s\n", signer)
			}
			return nil
		},
	}
	c.add(cmd)
	cmd.Flags().StringVarP(&template, "template", "t", "", "the template (default template.yaml, then template.yml)")
	cmd.Flags().StringVar(&version, "version", "", "the semantic version to publish (default: the metadata's SemanticVersion)")
	cmd.Flags().StringVar(&signKey, "sign", "", "sign the version's package with this private key (eddy apps keygen's FILE)")
	return cmd
}

// publishApp creates the application md describes with its version, or
// adds the version to it and updates its changed metadata; with no version,
// only the metadata is published. It returns the application's id.
func publishApp(ctx context.Context, c *sar.Client, md *appMetadata, body string) (string, error) {
	arn, exists, err := findApp(ctx, c, md.Name)
	if err != nil {
		return "", err
	}
	if !exists {
		out, err := c.CreateApplication(ctx, &sar.CreateApplicationInput{
			Name: aws.String(md.Name), Author: aws.String(md.Author), Description: aws.String(md.Description),
			SpdxLicenseId: optional(md.SpdxLicenseID), LicenseUrl: optional(md.LicenseURL), LicenseBody: optional(md.LicenseBody),
			ReadmeUrl: optional(md.ReadmeURL), ReadmeBody: optional(md.ReadmeBody), HomePageUrl: optional(md.HomePageURL),
			Labels: md.Labels, SemanticVersion: optional(md.SemanticVersion), SourceCodeUrl: optional(md.SourceCodeURL),
			TemplateBody: optional(body),
		})
		if err != nil {
			return "", apiMessage(err)
		}
		return aws.ToString(out.ApplicationId), nil
	}
	if md.SemanticVersion != "" {
		_, err = c.CreateApplicationVersion(ctx, &sar.CreateApplicationVersionInput{
			ApplicationId: aws.String(arn), SemanticVersion: aws.String(md.SemanticVersion),
			SourceCodeUrl: optional(md.SourceCodeURL), TemplateBody: aws.String(body),
		})
		var conflict *sartypes.ConflictException
		if errors.As(err, &conflict) {
			return "", fmt.Errorf("version %s of %s already exists; versions are immutable", md.SemanticVersion, md.Name)
		}
		if err != nil {
			return "", apiMessage(err)
		}
	}
	app, err := c.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(arn)})
	if err != nil {
		return "", apiMessage(err)
	}
	in := &sar.UpdateApplicationInput{ApplicationId: aws.String(arn)}
	changed := false
	set := func(dst **string, have, want string) {
		if want != "" && want != have {
			*dst, changed = aws.String(want), true
		}
	}
	set(&in.Author, aws.ToString(app.Author), md.Author)
	set(&in.Description, aws.ToString(app.Description), md.Description)
	set(&in.HomePageUrl, aws.ToString(app.HomePageUrl), md.HomePageURL)
	set(&in.ReadmeUrl, aws.ToString(app.ReadmeUrl), md.ReadmeURL)
	if md.ReadmeBody != "" {
		// The repository does not give a README's text back to compare.
		in.ReadmeBody, changed = aws.String(md.ReadmeBody), true
	}
	if md.Labels != nil && !slices.Equal(md.Labels, app.Labels) {
		in.Labels, changed = md.Labels, true
	}
	if changed {
		if _, err := c.UpdateApplication(ctx, in); err != nil {
			return "", apiMessage(err)
		}
	}
	return arn, nil
}

// optional is nil for an empty string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// appsShowCommand is `eddy apps show`.
func appsShowCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "show NAME[@VERSION]",
		Short: "Show an application: its metadata, parameters, capabilities, versions and README",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			repo := c.repo()
			name, version := splitAppVersion(args[0])
			arn, err := resolveApp(ctx, repo, name)
			if err != nil {
				return err
			}
			app, err := repo.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: aws.String(arn), SemanticVersion: optional(version)})
			if err != nil {
				return apiMessage(err)
			}
			out := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, f := range []struct{ k, v string }{
				{"Name", aws.ToString(app.Name)}, {"Application", aws.ToString(app.ApplicationId)},
				{"Author", aws.ToString(app.Author)}, {"Description", aws.ToString(app.Description)},
				{"License", aws.ToString(app.SpdxLicenseId)}, {"Home page", aws.ToString(app.HomePageUrl)},
				{"Labels", strings.Join(app.Labels, ", ")}, {"Created", aws.ToString(app.CreationTime)},
			} {
				if f.v != "" {
					fmt.Fprintf(tw, "%s:\t%s\n", f.k, f.v)
				}
			}
			if v := app.Version; v != nil {
				fmt.Fprintf(tw, "Version:\t%s\n", aws.ToString(v.SemanticVersion))
				if s := aws.ToString(v.SourceCodeUrl); s != "" {
					fmt.Fprintf(tw, "Source code:\t%s\n", s)
				}
				caps := make([]string, len(v.RequiredCapabilities))
				for i, c := range v.RequiredCapabilities {
					caps[i] = string(c)
				}
				if len(caps) == 0 {
					caps = []string{"none"}
				}
				fmt.Fprintf(tw, "Capabilities:\t%s\n", strings.Join(caps, ", "))
				digest, signer := "unknown", "unknown"
				if pkg, err := describePackage(ctx, c.endpoint, aws.ToString(app.Name), aws.ToString(v.SemanticVersion)); err == nil {
					digest, signer = "-", "unsigned"
					if pkg.Digest != "" {
						digest = pkg.Digest
					}
					if pkg.Signature != nil {
						signer = pkg.Signature.Signer
					}
				}
				fmt.Fprintf(tw, "Digest:\t%s\n", digest)
				fmt.Fprintf(tw, "Signed by:\t%s\n", signer)
			}
			tw.Flush()
			if v := app.Version; v != nil && len(v.ParameterDefinitions) > 0 {
				fmt.Fprintln(out, "\nParameters:")
				tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tTYPE\tDEFAULT\tALLOWED\tDESCRIPTION")
				for _, p := range v.ParameterDefinitions {
					def := "-"
					if p.DefaultValue != nil {
						def = aws.ToString(p.DefaultValue)
					}
					allowed := "-"
					if len(p.AllowedValues) > 0 {
						allowed = strings.Join(p.AllowedValues, ",")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(p.Name), aws.ToString(p.Type), def, allowed, aws.ToString(p.Description))
				}
				tw.Flush()
			}
			fmt.Fprintln(out, "\nVersions:")
			if err := listAppVersions(ctx, repo, out, arn); err != nil {
				return err
			}
			if readme := fetchReadme(ctx, c.endpoint, aws.ToString(app.ReadmeUrl)); readme != "" {
				fmt.Fprintln(out, "\nREADME:")
				fmt.Fprintln(out, strings.TrimRight(readme, "\n"))
			}
			return nil
		},
	}
	c.add(cmd)
	return cmd
}

// fetchReadme reads a README the repository serves at u, when u is on
// eddy's endpoint; "" otherwise or when it cannot be read.
func fetchReadme(ctx context.Context, endpoint, u string) string {
	if u == "" || !strings.HasPrefix(u, strings.TrimRight(endpoint, "/")+"/") {
		return ""
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return ""
	}
	return string(data)
}

// listAppVersions prints an application's versions.
func listAppVersions(ctx context.Context, c *sar.Client, out io.Writer, arn string) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tCREATED\tSOURCE CODE")
	p := sar.NewListApplicationVersionsPaginator(c, &sar.ListApplicationVersionsInput{ApplicationId: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return apiMessage(err)
		}
		for _, v := range page.Versions {
			src := aws.ToString(v.SourceCodeUrl)
			if src == "" {
				src = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", aws.ToString(v.SemanticVersion), aws.ToString(v.CreationTime), src)
		}
	}
	return tw.Flush()
}

// appsVersionsCommand is `eddy apps versions`.
func appsVersionsCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "versions NAME",
		Short: "List an application's versions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo := c.repo()
			arn, err := resolveApp(cmd.Context(), repo, args[0])
			if err != nil {
				return err
			}
			return listAppVersions(cmd.Context(), repo, cmd.OutOrStdout(), arn)
		},
	}
	c.add(cmd)
	return cmd
}

// appsListCommand is `eddy apps list`.
func appsListCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the applications",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tAUTHOR\tLICENSE\tCREATED\tDESCRIPTION")
			p := sar.NewListApplicationsPaginator(c.repo(), &sar.ListApplicationsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(cmd.Context())
				if err != nil {
					return apiMessage(err)
				}
				for _, a := range page.Applications {
					lic := aws.ToString(a.SpdxLicenseId)
					if lic == "" {
						lic = "-"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(a.Name), aws.ToString(a.Author), lic,
						aws.ToString(a.CreationTime), aws.ToString(a.Description))
				}
			}
			return tw.Flush()
		},
	}
	c.add(cmd)
	return cmd
}

// appsDeployCommand is `eddy apps deploy`.
func appsDeployCommand() *cobra.Command {
	var (
		c         clientFlags
		stackName string
		params    []string
		caps      []string
	)
	cmd := &cobra.Command{
		Use:   "deploy NAME[@VERSION]",
		Short: "Deploy a version of an application (the latest by default) as the stack serverlessrepo-STACK",
		Long: `deploy makes a change set of the application's version through the
repository, executes it and follows the stack's events until it settles, as
"eddy deploy" does. The repository names the stack serverlessrepo-STACK.
When the stack exists, deploy first prints what the upgrade changes: the
resources added, replaced, modified and removed, and the parameters and
capabilities of the new version against those of the stack's.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			overrides, err := parseParams(params)
			if err != nil {
				return err
			}
			return deployApp(cmd.Context(), &c, cmd.OutOrStdout(), args[0], stackName, overrides, caps)
		},
	}
	c.add(cmd)
	cmd.Flags().StringVar(&stackName, "stack-name", "", "the stack's name, after serverlessrepo- (default: the application's name)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "a parameter value, KEY=VALUE (repeatable)")
	cmd.Flags().StringSliceVar(&caps, "capabilities", appCapabilities, "the capabilities to acknowledge")
	return cmd
}

// deployApp deploys NAME[@VERSION] of the repository as the stack
// serverlessrepo-STACK (STACK defaults to the application's name) with
// eddy apps deploy's output: the upgrade's changes when the stack exists,
// its events, its outputs.
func deployApp(ctx context.Context, c *clientFlags, out io.Writer, app, stackName string, overrides map[string]string, caps []string) error {
	repo := c.repo()
	name, version := splitAppVersion(app)
	arn, err := resolveApp(ctx, repo, name)
	if err != nil {
		return err
	}
	if stackName == "" {
		stackName = stackNameFor(arn[strings.LastIndex(arn, "/")+1:])
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var values []sartypes.ParameterValue
	for _, k := range keys {
		values = append(values, sartypes.ParameterValue{Name: aws.String(k), Value: aws.String(overrides[k])})
	}
	stack := appStackPrefix + stackName
	d := &deployer{cfn: c.cloudformation(), out: out, poll: stackPollInterval}
	prev, err := existingAppStack(ctx, d.cfn, stack)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Creating a change set for stack %s\n", stack)
	created, err := repo.CreateCloudFormationChangeSet(ctx, &sar.CreateCloudFormationChangeSetInput{
		ApplicationId: aws.String(arn), StackName: aws.String(stackName), SemanticVersion: optional(version),
		ParameterOverrides: values, Capabilities: caps, Description: aws.String("Created by eddy apps deploy"),
	})
	if err != nil {
		return apiMessage(err)
	}
	if prev != nil {
		if err := d.showUpgrade(ctx, repo, arn, prev, aws.ToString(created.SemanticVersion), aws.ToString(created.StackId), aws.ToString(created.ChangeSetId)); err != nil {
			return err
		}
	}
	return d.execute(ctx, stack, aws.ToString(created.StackId), aws.ToString(created.ChangeSetId))
}

// appsShareCommand is `eddy apps share`.
func appsShareCommand() *cobra.Command {
	var (
		c         clientFlags
		principal string
		actions   []string
		orgs      []string
	)
	cmd := &cobra.Command{
		Use:   "share NAME",
		Short: "Let an account (or everyone, *) use an application: a statement added to its policy",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if principal == "" && len(orgs) == 0 {
				return errors.New("--principal or --org is required: an account id, * for everyone, or an organization id")
			}
			if principal == "" {
				principal = "*" // the organizations' accounts
			}
			ctx := cmd.Context()
			repo := c.repo()
			arn, err := resolveApp(ctx, repo, args[0])
			if err != nil {
				return err
			}
			cur, err := repo.GetApplicationPolicy(ctx, &sar.GetApplicationPolicyInput{ApplicationId: aws.String(arn)})
			if err != nil {
				return apiMessage(err)
			}
			sts := append(cur.Statements, sartypes.ApplicationPolicyStatement{Actions: actions, Principals: []string{principal}, PrincipalOrgIDs: orgs})
			if _, err := repo.PutApplicationPolicy(ctx, &sar.PutApplicationPolicyInput{ApplicationId: aws.String(arn), Statements: sts}); err != nil {
				return apiMessage(err)
			}
			with := principal
			if len(orgs) > 0 {
				with = "organization " + strings.Join(orgs, ", ")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Shared %s with %s: %s\n", args[0], with, strings.Join(actions, ", "))
			return nil
		},
	}
	c.add(cmd)
	cmd.Flags().StringVar(&principal, "principal", "", "the account id to share with, or * for everyone")
	cmd.Flags().StringSliceVar(&orgs, "org", nil, "the AWS Organizations id to share with (o-…); unshare undoes it")
	cmd.Flags().StringSliceVar(&actions, "action", []string{"Deploy"}, "the actions to allow")
	return cmd
}

// appsUnshareCommand is `eddy apps unshare`.
func appsUnshareCommand() *cobra.Command {
	var (
		c   clientFlags
		org string
	)
	cmd := &cobra.Command{
		Use:   "unshare NAME",
		Short: "Stop sharing an application with an AWS Organization",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if org == "" {
				return errors.New("--org is required")
			}
			ctx := cmd.Context()
			repo := c.repo()
			arn, err := resolveApp(ctx, repo, args[0])
			if err != nil {
				return err
			}
			if _, err := repo.UnshareApplication(ctx, &sar.UnshareApplicationInput{ApplicationId: aws.String(arn), OrganizationId: aws.String(org)}); err != nil {
				return apiMessage(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Unshared %s from %s\n", args[0], org)
			return nil
		},
	}
	c.add(cmd)
	cmd.Flags().StringVar(&org, "org", "", "the organization's id")
	return cmd
}
