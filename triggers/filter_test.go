package triggers_test

import (
	"testing"

	"github.com/eddyserverless/eddy/triggers"
)

// record is a DynamoDB stream record as a mapping's filters see it.
const record = `{
  "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
  "awsRegion": "us-east-1",
  "dynamodb": {
    "Keys": {"pk": {"S": "user-42"}},
    "NewImage": {"pk": {"S": "user-42"}, "status": {"S": "Active"}, "n": {"N": "7"}, "tags": {"SS": ["a", "b"]}},
    "SequenceNumber": "100000000000000000001", "SizeBytes": 40, "StreamViewType": "NEW_AND_OLD_IMAGES"
  },
  "score": 12.5, "count": 3, "flag": true, "nothing": null, "list": [1, 2, 30], "empty": "",
  "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024"
}`

func TestFilterMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{"eventName": ["INSERT"]}`, true},
		{`{"eventName": ["MODIFY", "REMOVE"]}`, false},
		{`{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["Active"]}}}}`, true},
		{`{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["active"]}}}}`, false},
		{`{"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "ACTIVE"}]}}}}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "user-"}]}}}}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "USER-"}]}}}}`, false},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": {"equals-ignore-case": "USER-"}}]}}}}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "-42"}]}}}}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"suffix": {"equals-ignore-case": "-42"}}]}}}}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "-43"}]}}}}`, false},
		{`{"eventName": [{"anything-but": "REMOVE"}]}`, true},
		{`{"eventName": [{"anything-but": ["INSERT", "MODIFY"]}]}`, false},
		{`{"eventName": [{"anything-but": {"prefix": "INS"}}]}`, false},
		{`{"eventName": [{"anything-but": {"suffix": "VE"}}]}`, true},
		{`{"eventName": [{"anything-but": {"equals-ignore-case": ["insert"]}}]}`, false},
		{`{"missing": [{"anything-but": "x"}]}`, false},
		{`{"score": [{"numeric": [">", 10, "<=", 12.5]}]}`, true},
		{`{"score": [{"numeric": [">", 12.5]}]}`, false},
		{`{"score": [{"numeric": ["=", 12.5]}]}`, true},
		{`{"count": [{"numeric": [">=", 3, "<", 4]}]}`, true},
		{`{"count": [3]}`, true},
		{`{"count": [3.0]}`, true},
		{`{"count": ["3"]}`, false},
		{`{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}`, false}, // "7" is a string
		{`{"flag": [true]}`, true},
		{`{"flag": [false]}`, false},
		{`{"nothing": [null]}`, true},
		{`{"empty": [""]}`, true},
		{`{"list": [30]}`, true},
		{`{"list": [{"numeric": [">", 25]}]}`, true},
		{`{"list": [4]}`, false},
		{`{"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}}`, true},
		{`{"eventName": [{"exists": true}]}`, true},
		{`{"missing": [{"exists": true}]}`, false},
		{`{"missing": [{"exists": false}]}`, true},
		{`{"eventName": [{"exists": false}]}`, false},
		{`{"dynamodb": [{"exists": true}]}`, false}, // exists applies to values, not objects
		{`{"dynamodb": {"OldImage": {"status": [{"exists": false}]}}}`, true},
		{`{"$or": [{"eventName": ["REMOVE"]}, {"count": [3]}]}`, true},
		{`{"$or": [{"eventName": ["REMOVE"]}, {"count": [4]}]}`, false},
		{`{"eventName": ["INSERT"], "$or": [{"flag": [false]}, {"dynamodb": {"Keys": {"pk": {"S": ["user-42"]}}}}]}`, true},
		{`{"dynamodb": {"$or": [{"StreamViewType": ["KEYS_ONLY"]}, {"SizeBytes": [40]}]}}`, true},
		{`{"eventName": ["INSERT"], "flag": [false]}`, false},
	} {
		p, err := triggers.ParsePattern(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		if got := p.Match([]byte(record)); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestFilterInvalid(t *testing.T) {
	for _, pattern := range []string{
		``, `[]`, `"x"`, `{}`, `{"a": "b"}`, `{"a": 1}`, `{"a": []}`, `{"a": {}}`, `{"a": [{}]}`,
		`{"a": [[1]]}`, `{"a": [{"prefix": 1}]}`, `{"a": [{"prefix": "x", "suffix": "y"}]}`,
		`{"a": [{"wildcard": "*"}]}`, `{"a": [{"cidr": "10.0.0.0/8"}]}`, `{"a": [{"exists": "yes"}]}`,
		`{"a": [{"numeric": [">"]}]}`, `{"a": [{"numeric": ["!", 1]}]}`, `{"a": [{"numeric": [">", 5, "<", 1]}]}`,
		`{"a": [{"numeric": [">", 1, ">", 2]}]}`, `{"a": [{"numeric": ["=", 1, "<", 2]}]}`,
		`{"a": [{"numeric": [">", 6e9]}]}`, `{"a": [{"numeric": [">", "1"]}]}`,
		`{"a": [{"anything-but": []}]}`, `{"a": [{"anything-but": null}]}`, `{"a": [{"anything-but": true}]}`,
		`{"a": [{"anything-but": {"numeric": [">", 1]}}]}`, `{"a": [{"anything-but": [{"prefix": "x"}]}]}`,
		`{"$or": [{"a": [1]}]}`, `{"$or": {"a": [1]}}`, `{"$or": [{"a": [1]}, 5]}`,
		`{"a": [1]} {"b": [2]}`, `{"a": [1e999]}`,
	} {
		if _, err := triggers.ParsePattern(pattern); err == nil {
			t.Errorf("%s: got no error, want an invalid pattern", pattern)
		}
	}
}

func TestFilterNonObjectEvents(t *testing.T) {
	p, err := triggers.ParsePattern(`{"a": [{"exists": false}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, event := range []string{``, `[]`, `"a"`, `1`, `{`, `null`} {
		if p.Match([]byte(event)) {
			t.Errorf("%q: got a match, want none for an event that is not an object", event)
		}
	}
	if !p.Match([]byte(`{}`)) {
		t.Errorf("{}: got no match, want one")
	}
}

func FuzzFilterPattern(f *testing.F) {
	for _, s := range []string{
		`{"eventName": ["INSERT"]}`,
		`{"dynamodb": {"NewImage": {"status": {"S": [{"prefix": "a"}, {"anything-but": ["b", 1]}]}}}}`,
		`{"$or": [{"a": [{"numeric": [">", 0, "<=", 5]}]}, {"b": [{"exists": false}]}]}`,
		`{"a": [{"anything-but": {"equals-ignore-case": ["x", "y"]}}, null, true, 1.5]}`,
		`{"a": [{"suffix": {"equals-ignore-case": "Z"}}]}`,
	} {
		f.Add(s, record)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := triggers.ParsePattern(pattern)
		if err != nil {
			return
		}
		// Matching never fails, on any event, and is deterministic.
		for _, e := range []string{event, record, pattern} {
			first := p.Match([]byte(e))
			if again := p.Match([]byte(e)); again != first {
				t.Fatalf("%s on %s: got %v, then %v", pattern, e, first, again)
			}
		}
	})
}
