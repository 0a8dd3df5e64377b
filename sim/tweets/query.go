package tweets

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// query is a parsed search query: every term must occur in a tweet's text,
// none of the excluded ones may, and retweets are kept, dropped or required.
type query struct {
	terms    []string // lower case
	exclude  []string // lower case
	retweets int      // 0 either, 1 only retweets, -1 no retweets
}

// parseQuery parses a search query: terms separated by spaces (a hashtag
// keeps its '#'), "quoted phrases", -term to exclude, and the operators
// filter:retweets, is:retweet and their negations. It reports false for a
// query with nothing to search for.
func parseQuery(q string) (query, bool) {
	var p query
	fields := strings.Fields(q)
	for k := 0; k < len(fields); k++ {
		f := fields[k]
		neg := len(f) > 1 && f[0] == '-'
		if neg {
			f = f[1:]
		}
		if strings.HasPrefix(f, `"`) {
			// A phrase runs to the field that ends with a quote.
			phrase := []string{f[1:]}
			for !strings.HasSuffix(phrase[len(phrase)-1], `"`) && k+1 < len(fields) {
				k++
				phrase = append(phrase, fields[k])
			}
			f = strings.TrimSuffix(strings.Join(phrase, " "), `"`)
		}
		switch lf := strings.ToLower(f); {
		case lf == "filter:retweets" || lf == "is:retweet":
			p.retweets = 1
			if neg {
				p.retweets = -1
			}
		case lf == "":
		case neg:
			p.exclude = append(p.exclude, lf)
		default:
			p.terms = append(p.terms, lf)
		}
	}
	return p, len(p.terms) > 0 || p.retweets != 0
}

// matches reports whether t answers the query.
func (p query) matches(t *tweet) bool {
	if p.retweets == 1 && t.retweetOf == nil || p.retweets == -1 && t.retweetOf != nil {
		return false
	}
	text := strings.ToLower(t.text)
	for _, term := range p.terms {
		if !containsWord(text, term) {
			return false
		}
	}
	for _, term := range p.exclude {
		if containsWord(text, term) {
			return false
		}
	}
	return true
}

// containsWord reports whether term occurs in text with no letter, digit or
// '_' just before or after it, so that "#eddy" matches "#eddy!" but not
// "#eddyconf", and "eddy" matches "#eddy" as Twitter's search does.
func containsWord(text, term string) bool {
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], term)
		if i < 0 {
			return false
		}
		i += from
		j := i + len(term)
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[j:])
		if (i == 0 || !isWordRune(before)) && (j == len(text) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		from = i + max(size, 1)
	}
	return false
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
