package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/spf13/cobra"
)

// repoObjects are the objects of eddy's S3 that the repository's
// artifacts are, read as streams (ReadURL reads whole documents).
type repoObjects struct{ m *Main }

// Open opens an artifact's object.
func (o repoObjects) Open(ctx context.Context, a serverlessrepo.Artifact) (io.ReadCloser, error) {
	out, err := o.m.Buckets.GetObject(ctx, &buckets.GetObjectInput{Bucket: a.Bucket, Key: a.Key})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

// Put stores an artifact's object, creating its bucket if missing.
func (o repoObjects) Put(ctx context.Context, a serverlessrepo.Artifact, body io.Reader) error {
	if _, err := o.m.Buckets.HeadBucket(ctx, a.Bucket); eddy.ErrorCode(err) == eddy.ENOTFOUND {
		if err := o.m.Buckets.CreateBucket(ctx, a.Bucket, o.m.Config.Region); err != nil {
			if e := eddy.AsError(err); e == nil || e.Type != "BucketAlreadyOwnedByYou" {
				return err
			}
		}
	} else if err != nil {
		return err
	}
	_, err := o.m.Buckets.PutObject(ctx, &buckets.PutObjectInput{Bucket: a.Bucket, Key: a.Key, Body: body, Size: -1})
	return err
}

// Delete removes an artifact's object.
func (o repoObjects) Delete(ctx context.Context, a serverlessrepo.Artifact) error {
	return o.m.Buckets.DeleteObject(ctx, a.Bucket, a.Key)
}

// repoObjectsOf returns m's artifact store; nil without S3.
func repoObjectsOf(m *Main) serverlessrepo.Objects {
	if m.Buckets == nil {
		return nil
	}
	return repoObjects{m}
}

// appsSourcesCommand is `eddy apps sources`.
func appsSourcesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "Manage the catalogs of other eddies that applications are installed from",
	}
	cmd.AddCommand(sourcesAddCommand(), sourcesListCommand(), sourcesRemoveCommand(), sourcesRefreshCommand())
	return cmd
}

// printSources prints sources as a table.
func printSources(w io.Writer, srcs []serverlessrepo.SourceSummary) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tAPPLICATIONS\tREFRESHED")
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", s.URL, s.Applications, s.Refreshed)
	}
	return tw.Flush()
}

// sourcesAddCommand is `eddy apps sources add`.
func sourcesAddCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "add URL",
		Short: "Add another eddy's catalog as a source, fetching its index",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out serverlessrepo.SourceSummary
			if err := callRepo(cmd.Context(), http.DefaultClient, c.endpoint, http.MethodPost, "sources", map[string]string{"url": args[0]}, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Added source %s: %d applications\n", out.URL, out.Applications)
			return nil
		},
	}
	c.add(cmd)
	return cmd
}

// sourcesListCommand is `eddy apps sources list`.
func sourcesListCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the sources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				Sources []serverlessrepo.SourceSummary
			}
			if err := callRepo(cmd.Context(), http.DefaultClient, c.endpoint, http.MethodGet, "sources", nil, &out); err != nil {
				return err
			}
			return printSources(cmd.OutOrStdout(), out.Sources)
		},
	}
	c.add(cmd)
	return cmd
}

// sourcesRemoveCommand is `eddy apps sources remove`.
func sourcesRemoveCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "remove URL",
		Short: "Remove a source; what was installed from it stays",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := callRepo(cmd.Context(), http.DefaultClient, c.endpoint, http.MethodDelete, "sources?url="+url.QueryEscape(args[0]), nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed source %s\n", args[0])
			return nil
		},
	}
	c.add(cmd)
	return cmd
}

// sourcesRefreshCommand is `eddy apps sources refresh`.
func sourcesRefreshCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "refresh [URL]",
		Short: "Fetch the index of a source again, or of every source",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := map[string]string{"url": ""}
			if len(args) == 1 {
				in["url"] = args[0]
			}
			var out struct {
				Sources []serverlessrepo.SourceSummary
			}
			if err := callRepo(cmd.Context(), http.DefaultClient, c.endpoint, http.MethodPost, "sources/refresh", in, &out); err != nil {
				return err
			}
			return printSources(cmd.OutOrStdout(), out.Sources)
		},
	}
	c.add(cmd)
	return cmd
}

// catalogMatches reports whether an application matches every term: each
// a case-insensitive substring of its name, description, author or a
// label.
func catalogMatches(a serverlessrepo.CatalogApp, terms []string) bool {
	text := strings.ToLower(strings.Join(append([]string{a.Name, a.Description, a.Author}, a.Labels...), "\n"))
	for _, t := range terms {
		if !strings.Contains(text, strings.ToLower(t)) {
			return false
		}
	}
	return true
}

// availableApps returns the applications the sources offer.
func availableApps(ctx context.Context, c *clientFlags) ([]serverlessrepo.CatalogEntry, error) {
	var out struct{ Applications []serverlessrepo.CatalogEntry }
	if err := callRepo(ctx, http.DefaultClient, c.endpoint, http.MethodGet, "available", nil, &out); err != nil {
		return nil, err
	}
	return out.Applications, nil
}

// appsAvailableCommand is `eddy apps available`.
func appsAvailableCommand() *cobra.Command {
	var c clientFlags
	cmd := &cobra.Command{
		Use:   "available [TERMS...]",
		Short: "List the applications the sources offer, those matching every term",
		RunE: func(cmd *cobra.Command, args []string) error {
			apps, err := availableApps(cmd.Context(), &c)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLATEST\tSOURCE\tDIGEST\tDESCRIPTION")
			for _, a := range apps {
				if !catalogMatches(a.CatalogApp, args) {
					continue
				}
				latest, digest := "-", "-"
				if v := a.Latest(); v != nil {
					latest, digest = v.SemanticVersion, v.Digest
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, latest, a.Source, digest, a.Description)
			}
			return tw.Flush()
		},
	}
	c.add(cmd)
	return cmd
}

// appsInstallCommand is `eddy apps install`.
func appsInstallCommand() *cobra.Command {
	var (
		c      clientFlags
		source string
		digest string
	)
	cmd := &cobra.Command{
		Use:   "install NAME[@VERSION]",
		Short: "Install a version of an application a source offers (the latest by default), verified by its digest",
		Long: `install fetches the version's template and artifacts from the source,
stores the artifacts in this eddy's S3, and adds the version to the local
application only when the package digest of what was stored is the one the
source's index gives (and --digest, when given), and its signature, when it
has one, verifies. The installed version deploys with eddy apps deploy
without the source.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			name, version := splitAppVersion(args[0])
			if version == "" {
				apps, err := availableApps(ctx, &c)
				if err != nil {
					return err
				}
				for _, a := range apps {
					if a.Name != name || (source != "" && strings.TrimRight(source, "/") != a.Source) {
						continue
					}
					if v := a.Latest(); v != nil {
						if version != "" && version != v.SemanticVersion {
							return fmt.Errorf("several sources offer %s: give NAME@VERSION or --source", name)
						}
						version = v.SemanticVersion
					}
				}
				if version == "" {
					return fmt.Errorf("no source offers %s", name)
				}
			}
			var out serverlessrepo.InstallOutput
			in := serverlessrepo.InstallInput{Source: source, Name: name, Version: version, Digest: digest}
			if err := callRepo(ctx, http.DefaultClient, c.endpoint, http.MethodPost, "install", in, &out); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out.Installed {
				fmt.Fprintf(w, "Installed %s@%s from %s\n", out.Name, out.Version, out.Source)
			} else {
				fmt.Fprintf(w, "%s@%s is installed already\n", out.Name, out.Version)
			}
			fmt.Fprintf(w, "Digest: %s\n", out.Digest)
			if out.Signer != "" {
				fmt.Fprintf(w, "Signed by: %s\n", out.Signer)
			}
			fmt.Fprintf(w, "Application: %s\n", out.ApplicationID)
			return nil
		},
	}
	c.add(cmd)
	cmd.Flags().StringVar(&source, "source", "", "the source to install from (default: the one that offers the version)")
	cmd.Flags().StringVar(&digest, "digest", "", "the package digest the version must have (sha256:...)")
	return cmd
}
