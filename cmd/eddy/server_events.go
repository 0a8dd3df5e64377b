package main

import (
	"context"
	"fmt"

	"github.com/eddyserverless/eddy/eventbus"
)

// openEvents opens the service and sets its field of m.API.
func (m *Main) openEvents(ctx context.Context) error {
	m.Events = eventbus.NewService(eventbus.Config{
		Engine: m.Engine, Invoker: m.Invoker, Queues: m.Queues,
		Account: m.Config.AccountID, Region: m.Config.Region, Logger: m.Logger,
		NodeID: m.Engine.NodeID(), LeaseTTL: m.Config.LeaseTTL, Clock: m.Config.EventsClock,
	})
	if err := m.Events.Open(ctx); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	m.API.Events = m.Events
	m.API.Scheduler = m.Events
	return nil
}

// closeEvents closes what openEvents opened; safe when it did not.
func (m *Main) closeEvents() error {
	if m.Events == nil {
		return nil
	}
	return m.Events.Close()
}
