package main

import (
	"context"

	"github.com/eddyserverless/eddy/params"
)

// openParams opens the parameter store (SSM) and sets its field of m.API.
func (m *Main) openParams(ctx context.Context) error {
	p := params.NewService(params.Config{
		Engine: m.Engine, DataDir: m.Config.DataDir, Account: m.Config.AccountID, Region: m.Config.Region, Logger: m.Logger,
	})
	if err := p.Open(ctx); err != nil {
		_ = p.Close()
		return err
	}
	m.Params = p
	m.API.Params = p
	return nil
}

// closeParams closes what openParams opened; safe when it did not.
func (m *Main) closeParams() error {
	if m.Params == nil {
		return nil
	}
	return m.Params.Close()
}
