package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/spf13/cobra"
)

// appsSearchCommand is `eddy apps search`.
func appsSearchCommand() *cobra.Command {
	var (
		c        clientFlags
		labels   []string
		author   string
		maxItems int
	)
	cmd := &cobra.Command{
		Use:   "search [TERMS...]",
		Short: "Search the applications by name, labels, description, author and README, best first",
		Long: `search finds the applications whose name, labels, description, author or
README have the terms (or words they begin), best first: a word of the name
counts most, one of the README least, and an application named as the terms
comes first. --label keeps the applications with every label given, --author
those of the author. Without terms, the applications the filters keep are
listed by name. The applications the catalogs added with "eddy apps sources
add" offer are searched too; SOURCE names the catalog ("local": this eddy's).
Search is an eddy extension of the repository's API.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if maxItems < 1 || maxItems > 100 {
				return errors.New("--max must be between 1 and 100")
			}
			res, err := searchApps(cmd.Context(), c.endpoint, serverlessrepo.SearchInput{
				Terms: strings.Join(args, " "), Labels: labels, Author: author, MaxItems: maxItems,
			})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tVERSION\tAUTHOR\tSCORE\tSOURCE\tDESCRIPTION")
			for _, a := range res {
				v := a.SemanticVersion
				if v == "" {
					v = "-"
				}
				src := a.Source
				if src == "" {
					src = "local"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, v, a.Author, strconv.FormatFloat(a.Score, 'f', 2, 64), src, a.Description)
			}
			return tw.Flush()
		},
	}
	c.add(cmd)
	cmd.Flags().StringArrayVar(&labels, "label", nil, "keep the applications with this label (repeatable: every one)")
	cmd.Flags().StringVar(&author, "author", "", "keep the applications of this author")
	cmd.Flags().IntVar(&maxItems, "max", 20, "the most applications to show (1 to 100)")
	return cmd
}

// searchApps asks eddy at endpoint for the first page of a search.
func searchApps(ctx context.Context, endpoint string, in serverlessrepo.SearchInput) ([]serverlessrepo.SearchResult, error) {
	out, _, err := searchAppsPage(ctx, http.DefaultClient, endpoint, in)
	return out, err
}

// searchAppsPage asks eddy at endpoint for one page of a search, and
// returns it with the token of the next.
func searchAppsPage(ctx context.Context, hc *http.Client, endpoint string, in serverlessrepo.SearchInput) ([]serverlessrepo.SearchResult, string, error) {
	q := url.Values{}
	if in.Terms != "" {
		q.Set("q", in.Terms)
	}
	for _, l := range in.Labels {
		q.Add("label", l)
	}
	if in.Author != "" {
		q.Set("author", in.Author)
	}
	if in.MaxItems > 0 {
		q.Set("maxItems", strconv.Itoa(in.MaxItems))
	}
	if in.NextToken != "" {
		q.Set("nextToken", in.NextToken)
	}
	var page struct {
		Applications []serverlessrepo.SearchResult `json:"applications"`
		NextToken    string                        `json:"nextToken"`
	}
	path := strings.TrimPrefix(serverlessrepo.SearchPath, serverlessrepo.PathPrefix) + "?" + q.Encode()
	if err := callRepo(ctx, hc, endpoint, http.MethodGet, path, nil, &page); err != nil {
		return nil, "", fmt.Errorf("search: %w", err)
	}
	return page.Applications, page.NextToken, nil
}
