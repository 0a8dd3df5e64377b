package tweets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// v1Status is a tweet as API v1.1 renders it.
type v1Status struct {
	CreatedAt            string      `json:"created_at"`
	ID                   int64       `json:"id"`
	IDStr                string      `json:"id_str"`
	Text                 *string     `json:"text,omitempty"`
	FullText             *string     `json:"full_text,omitempty"`
	Truncated            bool        `json:"truncated"`
	DisplayTextRange     []int       `json:"display_text_range,omitempty"`
	Entities             *v1Entities `json:"entities,omitempty"`
	Metadata             v1Metadata  `json:"metadata"`
	Source               string      `json:"source"`
	InReplyToStatusID    any         `json:"in_reply_to_status_id"`
	InReplyToStatusIDStr any         `json:"in_reply_to_status_id_str"`
	InReplyToUserID      any         `json:"in_reply_to_user_id"`
	InReplyToUserIDStr   any         `json:"in_reply_to_user_id_str"`
	InReplyToScreenName  any         `json:"in_reply_to_screen_name"`
	User                 v1User      `json:"user"`
	Geo                  any         `json:"geo"`
	Coordinates          any         `json:"coordinates"`
	Place                any         `json:"place"`
	Contributors         any         `json:"contributors"`
	RetweetedStatus      *v1Status   `json:"retweeted_status,omitempty"`
	IsQuoteStatus        bool        `json:"is_quote_status"`
	RetweetCount         int         `json:"retweet_count"`
	FavoriteCount        int         `json:"favorite_count"`
	Favorited            bool        `json:"favorited"`
	Retweeted            bool        `json:"retweeted"`
	Lang                 string      `json:"lang"`
}

type v1Entities struct {
	Hashtags     []v1Hashtag `json:"hashtags"`
	Symbols      []any       `json:"symbols"`
	UserMentions []v1Mention `json:"user_mentions"`
	URLs         []any       `json:"urls"`
}

type v1Hashtag struct {
	Text    string `json:"text"`
	Indices [2]int `json:"indices"`
}

type v1Mention struct {
	ScreenName string `json:"screen_name"`
	Name       string `json:"name"`
	ID         int64  `json:"id"`
	IDStr      string `json:"id_str"`
	Indices    [2]int `json:"indices"`
}

type v1Metadata struct {
	ISOLanguageCode string `json:"iso_language_code"`
	ResultType      string `json:"result_type"`
}

type v1User struct {
	ID                   int64  `json:"id"`
	IDStr                string `json:"id_str"`
	Name                 string `json:"name"`
	ScreenName           string `json:"screen_name"`
	Location             string `json:"location"`
	Description          string `json:"description"`
	URL                  any    `json:"url"`
	Protected            bool   `json:"protected"`
	FollowersCount       int    `json:"followers_count"`
	FriendsCount         int    `json:"friends_count"`
	ListedCount          int    `json:"listed_count"`
	CreatedAt            string `json:"created_at"`
	FavouritesCount      int    `json:"favourites_count"`
	UTCOffset            any    `json:"utc_offset"`
	TimeZone             any    `json:"time_zone"`
	GeoEnabled           bool   `json:"geo_enabled"`
	Verified             bool   `json:"verified"`
	StatusesCount        int    `json:"statuses_count"`
	Lang                 any    `json:"lang"`
	ProfileImageURLHTTPS string `json:"profile_image_url_https"`
	DefaultProfile       bool   `json:"default_profile"`
}

type v1SearchMetadata struct {
	CompletedIn float64 `json:"completed_in"`
	MaxID       int64   `json:"max_id"`
	MaxIDStr    string  `json:"max_id_str"`
	NextResults string  `json:"next_results,omitempty"`
	Query       string  `json:"query"`
	RefreshURL  string  `json:"refresh_url"`
	Count       int     `json:"count"`
	SinceID     int64   `json:"since_id"`
	SinceIDStr  string  `json:"since_id_str"`
}

type v1Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeV1Error answers with API v1.1's error body.
func writeV1Error(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string][]v1Error{"errors": {{code, message}}})
}

// v1Time formats t as API v1.1 does: "Mon Jan 02 15:04:05 +0000 2006".
func v1Time(t time.Time) string { return t.UTC().Format(time.RubyDate) }

// authV1 checks an API v1.1 request's OAuth 1.0a or bearer credentials and
// answers 401 when they fail, reporting whether they held.
func (s *Sim) authV1(w http.ResponseWriter, r *http.Request) bool {
	if tok, ok := bearer(r); ok {
		if s.bearerMatches(tok) {
			s.rateHeaders(w, "v1.1 app", 450)
			return true
		}
		writeV1Error(w, http.StatusUnauthorized, 89, "Invalid or expired token.")
		return false
	}
	if oauth, ok := parseOAuthHeader(r.Header.Get("Authorization")); ok && s.verifyOAuth(r, oauth) {
		s.rateHeaders(w, "v1.1 user", 180)
		return true
	}
	writeV1Error(w, http.StatusUnauthorized, 32, "Could not authenticate you.")
	return false
}

// parseID returns a positive tweet id, or 0 for anything else.
func parseID(v string) int64 {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// escapeQuery escapes a query as search_metadata shows it.
func escapeQuery(q string) string { return strings.ReplaceAll(url.QueryEscape(q), "+", "%20") }

// searchV1 answers GET /1.1/search/tweets.json.
func (s *Sim) searchV1(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	if s.fault(w, r, false) || !s.authV1(w, r) {
		return
	}
	p := r.URL.Query()
	q := p.Get("q")
	if strings.TrimSpace(q) == "" {
		writeV1Error(w, http.StatusBadRequest, 25, "Query parameters are missing.")
		return
	}
	parsed, _ := parseQuery(q)
	count := 15
	if n, err := strconv.Atoi(p.Get("count")); err == nil {
		count = min(max(n, 1), 100)
	}
	sinceID, maxID := parseID(p.Get("since_id")), parseID(p.Get("max_id"))
	extended := p.Get("tweet_mode") == "extended"
	entities := true
	switch strings.ToLower(p.Get("include_entities")) {
	case "false", "0", "f":
		entities = false
	}
	resultType := p.Get("result_type")
	switch resultType {
	case "mixed", "recent", "popular":
	default:
		resultType = "mixed"
	}

	now := s.clock()
	page, more := s.find(now, parsed, sinceID, maxID, count)
	statuses := make([]v1Status, len(page))
	for k, t := range page {
		statuses[k] = s.v1Status(t, now, extended, entities)
		s.record(t, statuses[k].RetweetCount, statuses[k].FavoriteCount, true)
	}
	ie := 0
	if entities {
		ie = 1
	}
	md := v1SearchMetadata{
		CompletedIn: time.Since(began).Seconds(),
		MaxID:       sinceID,
		Query:       escapeQuery(q),
		Count:       count,
		SinceID:     sinceID,
		SinceIDStr:  strconv.FormatInt(sinceID, 10),
	}
	if len(page) > 0 {
		md.MaxID = page[0].id
	}
	md.MaxIDStr = strconv.FormatInt(md.MaxID, 10)
	md.RefreshURL = fmt.Sprintf("?since_id=%d&q=%s&result_type=%s&include_entities=%d", md.MaxID, md.Query, resultType, ie)
	if more {
		md.NextResults = fmt.Sprintf("?max_id=%d&q=%s&count=%d&include_entities=%d&result_type=%s",
			page[len(page)-1].id-1, md.Query, count, ie, resultType)
	}
	writeJSON(w, http.StatusOK, struct {
		Statuses       []v1Status       `json:"statuses"`
		SearchMetadata v1SearchMetadata `json:"search_metadata"`
	}{statuses, md})
}

// find returns up to limit tweets that answer q, newest first, among those
// that exist at now, are within the search window and have an id above
// after and at most atMost (0: no bound), and whether more older ones do.
// It generates only the tweets between those bounds, newest first, and
// stops one past the page.
func (s *Sim) find(now time.Time, q query, after, atMost int64, limit int) ([]*tweet, bool) {
	n := s.count(now)
	lo, hi := s.firstSince(now.Add(-searchWindow), n), n-1
	if atMost > 0 {
		hi = min(hi, s.indexAtMost(atMost, n))
	}
	if after > 0 {
		lo = max(lo, s.indexAtMost(after, n)+1)
	}
	var page []*tweet
	for i := hi; i >= lo; i-- {
		t := s.tweet(i)
		if !q.matches(t) {
			continue
		}
		if len(page) == limit {
			return page, true
		}
		page = append(page, t)
	}
	return page, false
}

// v1Status renders t as it is at now.
func (s *Sim) v1Status(t *tweet, now time.Time, extended, entities bool) v1Status {
	rt, fav := t.counts(now)
	st := v1Status{
		CreatedAt:     v1Time(t.created),
		ID:            t.id,
		IDStr:         strconv.FormatInt(t.id, 10),
		Metadata:      v1Metadata{ISOLanguageCode: "en", ResultType: "recent"},
		Source:        `<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>`,
		User:          v1UserOf(t.user),
		RetweetCount:  rt,
		FavoriteCount: fav,
		Lang:          "en",
	}
	text, limit := t.text, utf8.RuneCountInString(t.text)
	if extended {
		st.FullText = &text
		st.DisplayTextRange = []int{0, limit}
	} else {
		if limit > 140 {
			// The compatibility mode cuts a long text to 140 characters.
			text, limit = string([]rune(text)[:139])+"…", 139
			st.Truncated = t.retweetOf == nil
		}
		st.Text = &text
	}
	if entities {
		e := &v1Entities{Hashtags: []v1Hashtag{}, Symbols: []any{}, UserMentions: []v1Mention{}, URLs: []any{}}
		for _, h := range t.hashtags {
			if h.end <= limit {
				e.Hashtags = append(e.Hashtags, v1Hashtag{h.text, [2]int{h.start, h.end}})
			}
		}
		if o := t.retweetOf; o != nil {
			e.UserMentions = append(e.UserMentions, v1Mention{
				ScreenName: o.user.screenName, Name: o.user.name, ID: o.user.id,
				IDStr: strconv.FormatInt(o.user.id, 10), Indices: [2]int{3, 4 + utf8.RuneCountInString(o.user.screenName)},
			})
		}
		st.Entities = e
	}
	if t.retweetOf != nil {
		o := s.v1Status(t.retweetOf, now, extended, entities)
		st.RetweetedStatus = &o
	}
	return st
}

func v1UserOf(u *user) v1User {
	return v1User{
		ID:                   u.id,
		IDStr:                strconv.FormatInt(u.id, 10),
		Name:                 u.name,
		ScreenName:           u.screenName,
		Description:          u.description,
		FollowersCount:       u.followers,
		FriendsCount:         u.friends,
		CreatedAt:            v1Time(u.createdAt),
		FavouritesCount:      u.statuses / 3,
		StatusesCount:        u.statuses,
		ProfileImageURLHTTPS: "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png",
		DefaultProfile:       true,
	}
}
