package triggers_test

import (
	"slices"
	"testing"

	"github.com/eddyserverless/eddy/triggers"
)

func TestESMBatchItemFailures(t *testing.T) {
	for _, tc := range []struct {
		payload string
		ids     []string
		ok      bool
	}{
		{``, nil, true},
		{`null`, nil, true},
		{`{}`, nil, true},
		{`{"batchItemFailures": null}`, nil, true},
		{`{"batchItemFailures": []}`, nil, true},
		{`{"Records": [{"eventID": "1"}]}`, nil, true},
		{`{"batchItemFailures": [{"itemIdentifier": "100000000000000000007"}]}`, []string{"100000000000000000007"}, true},
		{`{"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "a"}]}`, []string{"b", "a"}, true},
		{`{"batchItemFailures": [{"itemIdentifier": ""}]}`, nil, false},
		{`{"batchItemFailures": [{"itemIdentifier": null}]}`, nil, false},
		{`{"batchItemFailures": [{"itemId": "1"}]}`, nil, false},
		{`{"batchItemFailures": [{"itemIdentifier": 7}]}`, nil, false},
		{`{"batchItemFailures": {"itemIdentifier": "1"}}`, nil, false},
		{`{"batchItemFailures": ["1"]}`, nil, false},
		{`"ok"`, nil, false},
		{`[1]`, nil, false},
		{`{not json`, nil, false},
	} {
		ids, ok := triggers.BatchItemFailures([]byte(tc.payload))
		if ok != tc.ok || !slices.Equal(ids, tc.ids) {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.payload, ids, ok, tc.ids, tc.ok)
		}
	}
}
