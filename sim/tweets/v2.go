package tweets

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// v2Tweet is a tweet as API v2 renders it; fields not asked for are left out.
type v2Tweet struct {
	ID                  string         `json:"id"`
	Text                string         `json:"text"`
	EditHistoryTweetIDs []string       `json:"edit_history_tweet_ids"`
	AuthorID            string         `json:"author_id,omitempty"`
	CreatedAt           string         `json:"created_at,omitempty"`
	ConversationID      string         `json:"conversation_id,omitempty"`
	Lang                string         `json:"lang,omitempty"`
	PublicMetrics       *v2Metrics     `json:"public_metrics,omitempty"`
	ReferencedTweets    []v2Reference  `json:"referenced_tweets,omitempty"`
	Entities            *v2TweetEntity `json:"entities,omitempty"`
}

type v2Metrics struct {
	RetweetCount int `json:"retweet_count"`
	ReplyCount   int `json:"reply_count"`
	LikeCount    int `json:"like_count"`
	QuoteCount   int `json:"quote_count"`
}

type v2Reference struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type v2TweetEntity struct {
	Hashtags []v2Hashtag `json:"hashtags,omitempty"`
	Mentions []v2Mention `json:"mentions,omitempty"`
}

type v2Hashtag struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Tag   string `json:"tag"`
}

type v2Mention struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Username string `json:"username"`
	ID       string `json:"id"`
}

type v2User struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Username      string         `json:"username"`
	CreatedAt     string         `json:"created_at,omitempty"`
	Description   *string        `json:"description,omitempty"`
	Protected     *bool          `json:"protected,omitempty"`
	Verified      *bool          `json:"verified,omitempty"`
	PublicMetrics *v2UserMetrics `json:"public_metrics,omitempty"`
}

type v2UserMetrics struct {
	FollowersCount int `json:"followers_count"`
	FollowingCount int `json:"following_count"`
	TweetCount     int `json:"tweet_count"`
	ListedCount    int `json:"listed_count"`
}

type v2Meta struct {
	NewestID    string `json:"newest_id,omitempty"`
	OldestID    string `json:"oldest_id,omitempty"`
	ResultCount int    `json:"result_count"`
	NextToken   string `json:"next_token,omitempty"`
}

// v2ParamError is one invalid parameter of an Invalid Request problem.
type v2ParamError struct {
	Parameters map[string][]string `json:"parameters"`
	Message    string              `json:"message"`
}

// writeProblem answers with API v2's problem body.
func writeProblem(w http.ResponseWriter, status int, title, detail, typ string) {
	writeJSON(w, status, map[string]any{"title": title, "detail": detail, "type": typ, "status": status})
}

// The values API v2 accepts for each parameter that takes a list.
var (
	v2TweetFields = []string{"attachments", "author_id", "card_uri", "context_annotations", "conversation_id", "created_at",
		"edit_controls", "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
		"non_public_metrics", "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics",
		"public_metrics", "referenced_tweets", "reply_settings", "source", "text", "withheld"}
	v2UserFields = []string{"affiliation", "connection_status", "created_at", "description", "entities", "id", "location",
		"most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url", "profile_image_url", "protected",
		"public_metrics", "receives_your_dm", "subscription_type", "url", "username", "verified", "verified_type", "withheld"}
	v2Expansions = []string{"attachments.media_keys", "attachments.media_source_tweet", "attachments.poll_ids", "author_id",
		"edit_history_tweet_ids", "entities.mentions.username", "geo.place_id", "in_reply_to_user_id",
		"entities.note.mentions.username", "referenced_tweets.id", "referenced_tweets.id.author_id"}
	// v2Params are the parameters of recent search; those not listed in
	// the fields above are accepted and ignored.
	v2Params = []string{"query", "start_time", "end_time", "since_id", "until_id", "max_results", "next_token",
		"pagination_token", "sort_order", "tweet.fields", "user.fields", "expansions", "media.fields",
		"place.fields", "poll.fields"}
)

// nextToken and parseNextToken encode the id below which the next page
// starts.
func nextToken(id int64) string { return "b26v" + strconv.FormatInt(id, 36) }

func parseNextToken(tok string) int64 {
	rest, ok := strings.CutPrefix(tok, "b26v")
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(rest, 36, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// searchV2 answers GET /2/tweets/search/recent.
func (s *Sim) searchV2(w http.ResponseWriter, r *http.Request) {
	if s.fault(w, r, true) {
		return
	}
	if tok, ok := bearer(r); !ok || !s.bearerMatches(tok) {
		writeProblem(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "about:blank")
		return
	}
	s.rateHeaders(w, "v2 app", 450)
	p := r.URL.Query()
	var errs []v2ParamError
	bad := func(param, value, msg string) {
		errs = append(errs, v2ParamError{map[string][]string{param: {value}}, msg})
	}
	for k, vs := range p {
		if !slices.Contains(v2Params, k) {
			bad(k, vs[0], fmt.Sprintf("The query parameter [%s] is not one of [%s]", k, strings.Join(v2Params, ",")))
		}
	}
	q := p.Get("query")
	parsed, ok := parseQuery(q)
	if strings.TrimSpace(q) == "" {
		bad("query", q, "The `query` query parameter can not be empty")
	} else if !ok {
		bad("query", q, "There were errors processing your request: No positive terms in query")
	}
	maxResults := 10
	if v := p.Get("max_results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > 100 {
			bad("max_results", v, fmt.Sprintf("The `max_results` query parameter value [%s] is not between 10 and 100", v))
		}
		maxResults = n
	}
	ids := map[string]int64{}
	for _, k := range []string{"since_id", "until_id"} {
		if v := p.Get(k); v != "" {
			if ids[k] = parseID(v); ids[k] == 0 {
				bad(k, v, fmt.Sprintf("The `%s` query parameter value [%s] does not match ^[0-9]{1,19}$", k, v))
			}
		}
	}
	var next int64
	for _, k := range []string{"next_token", "pagination_token"} {
		if v := p.Get(k); v != "" {
			if next = parseNextToken(v); next == 0 {
				bad(k, v, fmt.Sprintf("The `%s` query parameter value [%s] is not valid", k, v))
			}
		}
	}
	tweetFields := listParam(p.Get("tweet.fields"), "tweet.fields", v2TweetFields, bad)
	userFields := listParam(p.Get("user.fields"), "user.fields", v2UserFields, bad)
	expansions := listParam(p.Get("expansions"), "expansions", v2Expansions, bad)
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"errors": errs,
			"title":  "Invalid Request",
			"detail": "One or more parameters to your request was invalid.",
			"type":   "https://api.twitter.com/2/problems/invalid-request",
			"status": http.StatusBadRequest,
		})
		return
	}

	// until_id and the next page's bound are exclusive.
	atMost := int64(0)
	if u := ids["until_id"]; u > 0 {
		atMost = u - 1
	}
	if next > 0 && (atMost == 0 || next < atMost) {
		atMost = next
	}
	if ids["until_id"] == 1 {
		writeJSON(w, http.StatusOK, map[string]any{"meta": v2Meta{}})
		return
	}
	now := s.clock()
	page, more := s.find(now, parsed, ids["since_id"], atMost, maxResults)
	if len(page) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"meta": v2Meta{}})
		return
	}
	data := make([]v2Tweet, len(page))
	var users []v2User
	seenUser := map[int64]bool{}
	for k, t := range page {
		data[k] = v2TweetOf(t, now, tweetFields)
		rt, fav := t.counts(now)
		s.record(t, rt, fav, tweetFields["public_metrics"])
		if expansions["author_id"] && !seenUser[t.user.id] {
			seenUser[t.user.id] = true
			users = append(users, v2UserOf(t.user, userFields))
		}
	}
	meta := v2Meta{
		NewestID:    data[0].ID,
		OldestID:    data[len(data)-1].ID,
		ResultCount: len(data),
	}
	if more {
		meta.NextToken = nextToken(page[len(page)-1].id - 1)
	}
	body := map[string]any{"data": data, "meta": meta}
	if len(users) > 0 {
		body["includes"] = map[string]any{"users": users}
	}
	writeJSON(w, http.StatusOK, body)
}

// listParam parses a comma-separated list parameter, noting values that are
// not allowed.
func listParam(v, param string, allowed []string, bad func(param, value, msg string)) map[string]bool {
	set := map[string]bool{}
	if v == "" {
		return set
	}
	for _, f := range strings.Split(v, ",") {
		if !slices.Contains(allowed, f) {
			bad(param, f, fmt.Sprintf("The `%s` query parameter value [%s] is not one of [%s]", param, f, strings.Join(allowed, ",")))
			continue
		}
		set[f] = true
	}
	return set
}

// v2Time formats t as API v2 does: "2006-01-02T15:04:05.000Z".
func v2Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// v2TweetOf renders t as it is at now, with the fields asked for.
func v2TweetOf(t *tweet, now time.Time, fields map[string]bool) v2Tweet {
	id := strconv.FormatInt(t.id, 10)
	out := v2Tweet{ID: id, Text: t.text, EditHistoryTweetIDs: []string{id}}
	if fields["author_id"] {
		out.AuthorID = strconv.FormatInt(t.user.id, 10)
	}
	if fields["created_at"] {
		out.CreatedAt = v2Time(t.created)
	}
	if fields["conversation_id"] {
		out.ConversationID = id
	}
	if fields["lang"] {
		out.Lang = "en"
	}
	if fields["public_metrics"] {
		rt, fav := t.counts(now)
		out.PublicMetrics = &v2Metrics{RetweetCount: rt, LikeCount: fav}
	}
	if fields["referenced_tweets"] && t.retweetOf != nil {
		out.ReferencedTweets = []v2Reference{{"retweeted", strconv.FormatInt(t.retweetOf.id, 10)}}
	}
	if fields["entities"] {
		e := &v2TweetEntity{}
		for _, h := range t.hashtags {
			e.Hashtags = append(e.Hashtags, v2Hashtag{h.start, h.end, h.text})
		}
		if o := t.retweetOf; o != nil {
			e.Mentions = []v2Mention{{3, 4 + len([]rune(o.user.screenName)), o.user.screenName, strconv.FormatInt(o.user.id, 10)}}
		}
		out.Entities = e
	}
	return out
}

// v2UserOf renders u with the fields asked for besides id, name and username.
func v2UserOf(u *user, fields map[string]bool) v2User {
	out := v2User{ID: strconv.FormatInt(u.id, 10), Name: u.name, Username: u.screenName}
	if fields["created_at"] {
		out.CreatedAt = v2Time(u.createdAt)
	}
	if fields["description"] {
		out.Description = &u.description
	}
	if fields["protected"] {
		f := false
		out.Protected = &f
	}
	if fields["verified"] {
		f := false
		out.Verified = &f
	}
	if fields["public_metrics"] {
		out.PublicMetrics = &v2UserMetrics{FollowersCount: u.followers, FollowingCount: u.friends, TweetCount: u.statuses}
	}
	return out
}
