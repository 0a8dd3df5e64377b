package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// stackPollInterval is how often the stack commands ask for a change set's
// or a stack's progress.
const stackPollInterval = 200 * time.Millisecond

// stackEventsAPI is the call an eventFollower makes.
type stackEventsAPI interface {
	DescribeStackEvents(context.Context, *cloudformation.DescribeStackEventsInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
}

// eventFollower prints a stack's new events as they appear, oldest first
// and each once. DescribeStackEvents returns them newest first, so every
// poll reads pages until it meets an event it has already seen.
type eventFollower struct {
	api   stackEventsAPI
	stack string // the stack's name or id
	out   io.Writer
	tty   bool // out is a terminal: keep a progress line under the events
	total int  // resources the operation is expected to touch, when known

	seen     map[string]bool
	status   map[string]string // the latest status of each resource, by logical id
	failures []string          // "LogicalId: reason" of each failed event
	progress bool              // a progress line is on screen
}

// newEventFollower returns a follower of stack's events that prints to out.
func newEventFollower(api stackEventsAPI, stack string, out io.Writer) *eventFollower {
	return &eventFollower{api: api, stack: stack, out: out, tty: isTerminal(out),
		seen: map[string]bool{}, status: map[string]string{}}
}

// prime marks the stack's current events as seen, so that only what the
// coming operation does is printed. A stack without events (or none yet)
// leaves nothing to mark.
func (f *eventFollower) prime(ctx context.Context) error {
	out, err := f.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(f.stack)})
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	for _, e := range out.StackEvents {
		f.seen[aws.ToString(e.EventId)] = true
	}
	return nil
}

// newEvents returns the events not seen before, oldest first, and marks
// them seen.
func (f *eventFollower) newEvents(ctx context.Context) ([]types.StackEvent, error) {
	var fresh []types.StackEvent // newest first
	in := &cloudformation.DescribeStackEventsInput{StackName: aws.String(f.stack)}
pages:
	for {
		out, err := f.api.DescribeStackEvents(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, e := range out.StackEvents {
			if f.seen[aws.ToString(e.EventId)] {
				break pages
			}
			fresh = append(fresh, e)
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for i, j := 0, len(fresh)-1; i < j; i, j = i+1, j-1 {
		fresh[i], fresh[j] = fresh[j], fresh[i]
	}
	for _, e := range fresh {
		f.seen[aws.ToString(e.EventId)] = true
	}
	return fresh, nil
}

// poll prints the events that appeared since the last poll and redraws the
// progress line.
func (f *eventFollower) poll(ctx context.Context) error {
	events, err := f.newEvents(ctx)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	f.clearProgress()
	for _, e := range events {
		f.record(e)
		fmt.Fprintln(f.out, formatEvent(e))
	}
	f.drawProgress()
	return nil
}

// record keeps what the progress line and the failure report need.
func (f *eventFollower) record(e types.StackEvent) {
	reason := aws.ToString(e.ResourceStatusReason)
	if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") && reason != "" {
		f.failures = append(f.failures, aws.ToString(e.LogicalResourceId)+": "+reason)
	}
	if aws.ToString(e.ResourceType) == "AWS::CloudFormation::Stack" {
		return
	}
	f.status[aws.ToString(e.LogicalResourceId)] = string(e.ResourceStatus)
}

// done ends the progress line, leaving the cursor on a fresh line.
func (f *eventFollower) done() {
	f.clearProgress()
}

// clearProgress erases the progress line, if one is shown.
func (f *eventFollower) clearProgress() {
	if f.progress {
		fmt.Fprint(f.out, "\r\033[K")
		f.progress = false
	}
}

// drawProgress shows, on a terminal, how many resources are complete.
func (f *eventFollower) drawProgress() {
	if !f.tty {
		return
	}
	complete := 0
	for _, s := range f.status {
		if strings.HasSuffix(s, "_COMPLETE") {
			complete++
		}
	}
	total := max(f.total, len(f.status))
	fmt.Fprintf(f.out, "%d/%d resources complete", complete, total)
	f.progress = true
}

// formatEvent is one line of the event log.
func formatEvent(e types.StackEvent) string {
	at := ""
	if e.Timestamp != nil {
		at = e.Timestamp.Local().Format("15:04:05")
	}
	line := fmt.Sprintf("%-8s  %-36s  %-34s  %s", at, e.ResourceStatus, aws.ToString(e.ResourceType), aws.ToString(e.LogicalResourceId))
	if r := aws.ToString(e.ResourceStatusReason); r != "" {
		line += "  " + r
	}
	return line
}

// isTerminal reports whether w is a terminal, where a progress line can be
// redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// stackSettled reports whether a stack status is one no operation is still
// working towards.
func stackSettled(status types.StackStatus) bool {
	return !strings.HasSuffix(string(status), "_IN_PROGRESS")
}
