package serverlessrepo

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
)

// SearchPath is where eddy's main port serves Search, an eddy extension
// of the repository: GET SearchPath?q=TERMS&label=L&author=A&maxItems=N&nextToken=T.
const SearchPath = PathPrefix + "search"

// Search limits: a query longer than maxQuery bytes is refused; past
// maxQueryTerms terms the rest are ignored; a term matches at most
// maxExpansions words of which it is a prefix.
const (
	maxQuery      = 1024
	maxQueryTerms = 32
	maxExpansions = 128
)

// SearchInput is a search of the applications.
type SearchInput struct {
	// Terms are words to find in the applications' names, labels,
	// descriptions, authors and READMEs; a term also matches the words it
	// begins. Without terms, the applications the filters keep are listed
	// by name.
	Terms string
	// Labels keeps the applications that have every one of them.
	Labels []string
	// Author keeps the applications of this author (any case).
	Author string
	// MaxItems bounds a page (1 to 100, default 100); NextToken is the
	// token of the page before.
	MaxItems  int
	NextToken string
}

// SearchResult is one application Search found, with its score (higher is
// better) and its latest version.
type SearchResult struct {
	ApplicationSummary
	Score           float64 `json:"score"`
	SemanticVersion string  `json:"semanticVersion,omitempty"`
	// Source is the catalog that offers the application (see AddSource);
	// empty for an application of this repository.
	Source string `json:"source,omitempty"`
}

// Fields of an application Search looks into, and their weights: a word
// of the name counts most, one of the README least.
const (
	fieldName = iota
	fieldLabels
	fieldDescription
	fieldAuthor
	fieldReadme
	nFields
)

var fieldWeights = [nFields]float64{fieldName: 6, fieldLabels: 4, fieldDescription: 2, fieldAuthor: 1.5, fieldReadme: 1}

// BM25's parameters; prefixWeight is what a word a term only begins counts
// for, against a word equal to it; exactNameBoost puts an application whose
// name is the query first.
const (
	bm25K1         = 1.2
	bm25B          = 0.75
	prefixWeight   = 0.6
	exactNameBoost = 1000
)

// Tokenize returns the words of s Search indexes and looks for: runs of
// letters and digits, in lower case, of at least two characters.
func Tokenize(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && utf8.RuneCountInString(s[start:end]) >= 2 {
			out = append(out, strings.Map(unicode.ToLower, s[start:end]))
		}
		start = -1
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// parseQuery returns the distinct terms of a query, in their order, at
// most maxQueryTerms.
func parseQuery(q string) []string {
	var terms []string
	seen := map[string]bool{}
	for _, t := range Tokenize(q) {
		if seen[t] {
			continue
		}
		seen[t] = true
		terms = append(terms, t)
		if len(terms) == maxQueryTerms {
			break
		}
	}
	return terms
}

// searchDoc is one application as the index holds it.
type searchDoc struct {
	key     string
	rev     uint64
	summary ApplicationSummary
	version string
	source  string
	// nameKey is the name's words joined by spaces, to find an exact
	// name match whatever the punctuation.
	nameKey string
	// tf counts each word in each field; length is each field's words.
	tf     map[string]*[nFields]int32
	length [nFields]int
}

// index is the in-memory search index of the applications.
type index struct {
	mu sync.RWMutex // guards the fields below; vocab also under vmu
	// docs holds the applications by KV key; revs the revision of each
	// key last seen, deleted ones included, so that a late watch update
	// does not undo a newer write.
	docs     map[string]*searchDoc
	revs     map[string]uint64
	postings map[string]map[*searchDoc]struct{}
	total    [nFields]int

	// vocab is the sorted words of postings, rebuilt by a search after a
	// change (stale): a writer holds mu, a reader holds mu.RLock and vmu.
	vmu        sync.Mutex
	vocab      []string
	vocabStale bool
}

func newIndex() *index {
	return &index{docs: map[string]*searchDoc{}, revs: map[string]uint64{}, postings: map[string]map[*searchDoc]struct{}{}}
}

// newSearchDoc makes the document of a record.
func newSearchDoc(key string, rev uint64, rec *record) *searchDoc {
	a := rec.App
	version := ""
	if n := len(rec.Versions); n > 0 {
		version = rec.Versions[n-1].SemanticVersion
	}
	return makeSearchDoc(key, rev, ApplicationSummary{
		ApplicationID: a.ApplicationID, Name: a.Name, Author: a.Author, Description: a.Description,
		CreationTime: a.CreationTime, HomePageURL: a.HomePageURL, Labels: a.Labels, SpdxLicenseID: a.SpdxLicenseID,
	}, version, rec.ReadmeBody)
}

// sourceDoc makes the document of an application a source offers.
func sourceDoc(key string, rev uint64, src string, a *CatalogApp) *searchDoc {
	version := ""
	if v := a.Latest(); v != nil {
		version = v.SemanticVersion
	}
	d := makeSearchDoc(key, rev, ApplicationSummary{
		Name: a.Name, Author: a.Author, Description: a.Description, HomePageURL: a.HomePageURL,
		Labels: a.Labels, SpdxLicenseID: a.SpdxLicenseID,
	}, version, a.Readme)
	d.source = src
	return d
}

// makeSearchDoc counts the words of an application's fields.
func makeSearchDoc(key string, rev uint64, a ApplicationSummary, version, readme string) *searchDoc {
	d := &searchDoc{
		key: key, rev: rev, tf: map[string]*[nFields]int32{}, summary: a, version: version,
		nameKey: strings.Join(Tokenize(a.Name), " "),
	}
	for f, text := range [nFields]string{
		fieldName: a.Name, fieldLabels: strings.Join(a.Labels, " "), fieldDescription: a.Description,
		fieldAuthor: a.Author, fieldReadme: readme,
	} {
		for _, w := range Tokenize(text) {
			c := d.tf[w]
			if c == nil {
				c = &[nFields]int32{}
				d.tf[w] = c
			}
			c[f]++
			d.length[f]++
		}
	}
	return d
}

// put indexes a record at revision rev, unless the index has seen a newer
// revision of its key. A nil index ignores it.
func (ix *index) put(key string, rev uint64, rec *record) {
	if ix == nil {
		return
	}
	d := newSearchDoc(key, rev, rec)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if rev != 0 && rev < ix.revs[key] {
		return
	}
	ix.removeLocked(key)
	ix.revs[key] = rev
	ix.addLocked(d)
}

// putSource indexes the applications a source's cached index offers, at
// revision rev of its key, in place of those it offered before; nil src
// removes them.
func (ix *index) putSource(key string, rev uint64, src *Source) {
	if ix == nil {
		return
	}
	var docs []*searchDoc
	if src != nil {
		for i := range src.Index.Applications {
			a := &src.Index.Applications[i]
			docs = append(docs, sourceDoc(key+"/"+a.Name, rev, src.URL, a))
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	switch {
	case src == nil && rev == 0:
		// A delete on this node, whose revision the watch brings later.
	case rev < ix.revs[key]:
		return
	default:
		ix.revs[key] = rev
	}
	for k := range ix.docs {
		if strings.HasPrefix(k, key+"/") {
			ix.removeLocked(k)
		}
	}
	for _, d := range docs {
		ix.addLocked(d)
	}
}

// addLocked adds a document whose key the index does not hold; the caller
// holds mu.
func (ix *index) addLocked(d *searchDoc) {
	ix.docs[d.key] = d
	for w := range d.tf {
		p := ix.postings[w]
		if p == nil {
			p = map[*searchDoc]struct{}{}
			ix.postings[w] = p
			ix.vocabStale = true
		}
		p[d] = struct{}{}
	}
	for f := range nFields {
		ix.total[f] += d.length[f]
	}
}

// remove drops the application of key, deleted at revision rev, unless the
// index has seen a newer revision of it.
func (ix *index) remove(key string, rev uint64) {
	if ix == nil {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if rev < ix.revs[key] {
		return
	}
	ix.revs[key] = rev
	ix.removeLocked(key)
}

func (ix *index) removeLocked(key string) {
	d := ix.docs[key]
	if d == nil {
		return
	}
	delete(ix.docs, key)
	for w := range d.tf {
		p := ix.postings[w]
		delete(p, d)
		if len(p) == 0 {
			delete(ix.postings, w)
			ix.vocabStale = true
		}
	}
	for f := range nFields {
		ix.total[f] -= d.length[f]
	}
}

// vocabulary returns the sorted words of the index; the caller holds
// mu.RLock.
func (ix *index) vocabulary() []string {
	ix.vmu.Lock()
	defer ix.vmu.Unlock()
	if ix.vocab == nil || ix.vocabStale {
		ix.vocab = make([]string, 0, len(ix.postings))
		for w := range ix.postings {
			ix.vocab = append(ix.vocab, w)
		}
		sort.Strings(ix.vocab)
		ix.vocabStale = false
	}
	return ix.vocab
}

// expand returns the words of vocab that term is or begins, the word equal
// to it first.
func expand(vocab []string, term string) []string {
	i := sort.SearchStrings(vocab, term)
	var out []string
	for ; i < len(vocab) && strings.HasPrefix(vocab[i], term) && len(out) < maxExpansions; i++ {
		out = append(out, vocab[i])
	}
	return out
}

// keep reports whether d passes the filters.
func keep(d *searchDoc, labels []string, author string) bool {
	if author != "" && !strings.EqualFold(d.summary.Author, author) {
		return false
	}
	for _, l := range labels {
		found := false
		for _, have := range d.summary.Labels {
			if strings.EqualFold(have, l) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// search returns every application that matches in, best first.
func (ix *index) search(in SearchInput) []SearchResult {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	terms := parseQuery(in.Terms)
	var out []SearchResult
	if len(terms) == 0 {
		for _, d := range ix.docs {
			if keep(d, in.Labels, in.Author) {
				out = append(out, SearchResult{ApplicationSummary: d.summary, SemanticVersion: d.version, Source: d.source})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	}
	n := float64(len(ix.docs))
	var avg [nFields]float64
	for f := range nFields {
		avg[f] = max(float64(ix.total[f])/max(n, 1), 1)
	}
	vocab := ix.vocabulary()
	scores := map[*searchDoc]float64{}
	matched := map[*searchDoc]int{}
	for _, t := range terms {
		best := map[*searchDoc]float64{}
		for _, w := range expand(vocab, t) {
			p := ix.postings[w]
			idf := math.Log(1 + (n-float64(len(p))+0.5)/(float64(len(p))+0.5))
			factor := 1.0
			if w != t {
				factor = prefixWeight
			}
			for d := range p {
				c := d.tf[w]
				tf := 0.0
				for f := range nFields {
					if c[f] > 0 {
						tf += fieldWeights[f] * float64(c[f]) / (1 - bm25B + bm25B*float64(d.length[f])/avg[f])
					}
				}
				if s := factor * idf * tf / (bm25K1 + tf); s > best[d] {
					best[d] = s
				}
			}
		}
		for d, s := range best {
			scores[d] += s
			matched[d]++
		}
	}
	nameKey := strings.Join(terms, " ")
	for d, s := range scores {
		if !keep(d, in.Labels, in.Author) {
			continue
		}
		// Applications that match more of the terms come first.
		s *= float64(matched[d]) / float64(len(terms))
		if d.nameKey == nameKey || strings.EqualFold(d.summary.Name, strings.TrimSpace(in.Terms)) {
			s += exactNameBoost
		}
		out = append(out, SearchResult{ApplicationSummary: d.summary, SemanticVersion: d.version, Source: d.source, Score: math.Round(s*1000) / 1000})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Search finds applications by their words, best first, from the index
// the service keeps in memory: its own writes show at once, those of other
// eddy servers sharing the engine as soon as the watch brings them.
func (s *Service) Search(_ context.Context, in SearchInput) ([]SearchResult, string, error) {
	if len(in.Terms) > maxQuery {
		return nil, "", badRequest("The search terms are longer than %d bytes.", maxQuery)
	}
	if in.MaxItems < 0 || in.MaxItems > 100 {
		return nil, "", badRequest("Invalid maxItems: %d. maxItems must be between 1 and 100.", in.MaxItems)
	}
	if s.index == nil {
		return nil, "", badRequest("Search is not available.")
	}
	all := s.index.search(in)
	start, end, next, err := page(len(all), in.MaxItems, in.NextToken)
	if err != nil {
		return nil, "", err
	}
	return append([]SearchResult{}, all[start:end]...), next, nil
}

// openIndex builds the search index from the bucket and keeps it current
// with a watch of its applications, until Close.
func (s *Service) openIndex(ctx context.Context) error {
	wctx, cancel := context.WithCancel(context.Background())
	w, err := s.kv.WatchFiltered(wctx, []string{"a.>", "src.>"})
	if err != nil {
		cancel()
		return err
	}
	s.index = newIndex()
	// The watch gives every application, then nil, then the changes.
	for initial := true; initial; {
		select {
		case <-ctx.Done():
			_ = w.Stop()
			cancel()
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				cancel()
				return errors.New("serverlessrepo: the watch of the applications closed")
			}
			if e == nil {
				initial = false
				continue
			}
			s.indexEntry(e)
		}
	}
	done := make(chan struct{})
	s.stopIndex = func() {
		_ = w.Stop()
		cancel()
		<-done
	}
	go func() {
		defer close(done)
		for {
			select {
			case <-wctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil {
					s.indexEntry(e)
				}
			}
		}
	}()
	return nil
}

// indexEntry applies one watched change to the index: of an application,
// or of a source's cached index.
func (s *Service) indexEntry(e jetstream.KeyValueEntry) {
	if strings.HasPrefix(e.Key(), "src.") {
		var src *Source
		if e.Operation() == jetstream.KeyValuePut {
			src = &Source{}
			if err := json.Unmarshal(e.Value(), src); err != nil {
				s.cfg.Logger.Warn("serverlessrepo: unreadable source", "key", e.Key(), "err", err)
				return
			}
		}
		s.index.putSource(e.Key(), e.Revision(), src)
		return
	}
	if e.Operation() != jetstream.KeyValuePut {
		s.index.remove(e.Key(), e.Revision())
		return
	}
	rec := &record{}
	if err := json.Unmarshal(e.Value(), rec); err != nil {
		s.cfg.Logger.Warn("serverlessrepo: unreadable application", "key", e.Key(), "err", err)
		return
	}
	s.index.put(e.Key(), e.Revision(), rec)
}

// closeIndex stops the watch openIndex started and waits for it; safe
// twice.
func (s *Service) closeIndex() {
	s.closeOnce.Do(func() {
		if s.stopIndex != nil {
			s.stopIndex()
		}
	})
}
