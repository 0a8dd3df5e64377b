package tables

import (
	"context"
	"fmt"
	"strings"

	"github.com/eddyserverless/eddy"
)

// TransactionCanceled is TransactionCanceledException with its reasons.
type TransactionCanceled struct {
	Reasons []CancellationReason
}

func (e *TransactionCanceled) Error() string { return e.Unwrap().Error() }

// Unwrap returns the eddy error.
func (e *TransactionCanceled) Unwrap() error {
	codes := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		codes[i] = r.Code
	}
	return eddy.TypedErrorf(eddy.EPRECOND, "TransactionCanceledException",
		"Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
}

func (s *Service) TransactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	return nil, fmt.Errorf("not yet")
}

func (s *Service) TransactGetItems(ctx context.Context, in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	return nil, fmt.Errorf("not yet")
}
