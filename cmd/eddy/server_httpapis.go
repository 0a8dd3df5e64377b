package main

import "context"

// openHTTPAPIs opens the service and sets its field of m.API.
func (m *Main) openHTTPAPIs(ctx context.Context) error { return nil }

// closeHTTPAPIs closes what openHTTPAPIs opened; safe when it did not.
func (m *Main) closeHTTPAPIs() error { return nil }
