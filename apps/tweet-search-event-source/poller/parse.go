package poller

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// errMalformed marks a search response that is not what the API documents.
var errMalformed = errors.New("malformed search response")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// ParseSearchV1 reads the tweets of a v1.1 search/tweets response, each
// kept as the API gave it. Every tweet must have a positive id.
func ParseSearchV1(body []byte) ([]Tweet, error) {
	var r struct {
		Statuses *[]json.RawMessage `json:"statuses"`
	}
	if !isObject(body) {
		return nil, malformed("not a JSON object")
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, malformed("%v", err)
	}
	if r.Statuses == nil {
		return nil, malformed("no statuses")
	}
	tweets := make([]Tweet, 0, len(*r.Statuses))
	for i, raw := range *r.Statuses {
		if !isObject(raw) {
			return nil, malformed("status %d is not an object", i)
		}
		var t struct {
			IDStr    string          `json:"id_str"`
			ID       json.RawMessage `json:"id"`
			Metadata struct {
				ResultType string `json:"result_type"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, malformed("status %d: %v", i, err)
		}
		s := t.IDStr
		if s == "" {
			s = string(t.ID) // a JSON number, which only id_str keeps exact past 2^53
		}
		id, err := parseID(s)
		if err != nil {
			return nil, malformed("status %d: %v", i, err)
		}
		tweets = append(tweets, Tweet{ID: id, Raw: compact(raw), Popular: t.Metadata.ResultType == "popular"})
	}
	return tweets, nil
}

// v2Page is a page of the v2 recent search.
type v2Page struct {
	Data     []v2Tweet `json:"data"`
	Includes struct {
		Users []v2User `json:"users"`
	} `json:"includes"`
	Meta struct {
		NextToken string `json:"next_token"`
	} `json:"meta"`
}

type v2Tweet struct {
	ID            string `json:"id"`
	Text          string `json:"text"`
	CreatedAt     string `json:"created_at"`
	AuthorID      string `json:"author_id"`
	PublicMetrics struct {
		RetweetCount int64 `json:"retweet_count"`
		ReplyCount   int64 `json:"reply_count"`
		LikeCount    int64 `json:"like_count"`
		QuoteCount   int64 `json:"quote_count"`
	} `json:"public_metrics"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Entities struct {
		Hashtags []struct {
			Start int    `json:"start"`
			End   int    `json:"end"`
			Tag   string `json:"tag"`
		} `json:"hashtags"`
	} `json:"entities"`
}

type v2User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// v1Tweet is the v1.1 tweet object a v2 result is mapped to.
type v1Tweet struct {
	CreatedAt       string      `json:"created_at"`
	ID              json.Number `json:"id"`
	IDStr           string      `json:"id_str"`
	FullText        string      `json:"full_text"`
	Text            string      `json:"text"`
	Truncated       bool        `json:"truncated"`
	User            v1User      `json:"user"`
	RetweetedStatus *v1Ref      `json:"retweeted_status,omitempty"`
	RetweetCount    int64       `json:"retweet_count"`
	FavoriteCount   int64       `json:"favorite_count"`
	Entities        v1Entities  `json:"entities"`
}

type v1User struct {
	ID         json.Number `json:"id,omitempty"`
	IDStr      string      `json:"id_str"`
	ScreenName string      `json:"screen_name"`
	Name       string      `json:"name"`
}

type v1Ref struct {
	ID    json.Number `json:"id,omitempty"`
	IDStr string      `json:"id_str"`
}

type v1Entities struct {
	Hashtags []v1Hashtag `json:"hashtags"`
}

type v1Hashtag struct {
	Text    string `json:"text"`
	Indices [2]int `json:"indices"`
}

// ParseSearchV2 reads a page of the v2 recent search and maps each result
// to the v1.1 tweet object, so that a processor gets the same tweets from
// either API. It also returns the page's next_token ("" on the last page).
func ParseSearchV2(body []byte) ([]Tweet, string, error) {
	if !isObject(body) {
		return nil, "", malformed("not a JSON object")
	}
	var page v2Page
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, "", malformed("%v", err)
	}
	users := make(map[string]v2User, len(page.Includes.Users))
	for _, u := range page.Includes.Users {
		users[u.ID] = u
	}
	tweets := make([]Tweet, 0, len(page.Data))
	for i, d := range page.Data {
		id, err := parseID(d.ID)
		if err != nil {
			return nil, "", malformed("tweet %d: %v", i, err)
		}
		raw, err := json.Marshal(mapV2(d, users))
		if err != nil {
			return nil, "", malformed("tweet %d: %v", i, err)
		}
		tweets = append(tweets, Tweet{ID: id, Raw: raw})
	}
	return tweets, page.Meta.NextToken, nil
}

// mapV2 returns the v1.1 tweet object of a v2 result.
func mapV2(d v2Tweet, users map[string]v2User) v1Tweet {
	t := v1Tweet{
		ID: number(d.ID), IDStr: d.ID, FullText: d.Text, Text: d.Text,
		RetweetCount: d.PublicMetrics.RetweetCount, FavoriteCount: d.PublicMetrics.LikeCount,
		Entities: v1Entities{Hashtags: []v1Hashtag{}},
	}
	if c, err := time.Parse(time.RFC3339Nano, d.CreatedAt); err == nil {
		t.CreatedAt = c.UTC().Format(time.RubyDate)
	}
	u := users[d.AuthorID]
	t.User = v1User{IDStr: d.AuthorID, ScreenName: u.Username, Name: u.Name}
	t.User.ID = number(d.AuthorID)
	for _, r := range d.ReferencedTweets {
		if r.Type == "retweeted" {
			t.RetweetedStatus = &v1Ref{ID: number(r.ID), IDStr: r.ID}
			break
		}
	}
	for _, h := range d.Entities.Hashtags {
		t.Entities.Hashtags = append(t.Entities.Hashtags, v1Hashtag{Text: h.Tag, Indices: [2]int{h.Start, h.End}})
	}
	return t
}

// parseID reads a tweet id: a positive decimal integer.
func parseID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("tweet id %q is not a positive integer", s)
	}
	return id, nil
}

// number returns an id as a JSON number, "" (left out) if it is not one.
func number(s string) json.Number {
	id, err := parseID(s)
	if err != nil {
		return ""
	}
	return json.Number(strconv.FormatUint(id, 10))
}

func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return raw
	}
	return buf.Bytes()
}
