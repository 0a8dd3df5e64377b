package main

import (
	"context"

	"github.com/eddyserverless/eddy/restapis"
)

// openRestAPIs opens the service and sets its field of m.API.
func (m *Main) openRestAPIs(ctx context.Context) error {
	s := restapis.NewService(restapis.Config{
		Engine:  m.Engine,
		Invoker: m.Invoker,
		Account: m.Config.AccountID,
		Region:  m.Config.Region,
		Logger:  m.Logger,
	})
	if err := s.Open(ctx); err != nil {
		return err
	}
	m.RestAPIs = s
	m.API.RestAPIs = s
	return nil
}

// closeRestAPIs closes what openRestAPIs opened; safe when it did not.
func (m *Main) closeRestAPIs() error {
	if m.RestAPIs == nil {
		return nil
	}
	return m.RestAPIs.Close()
}
