package main

import (
	"context"
	"net"
	"strconv"

	"github.com/eddyserverless/eddy/httpapis"
)

// openHTTPAPIs opens the service and sets its field of m.API.
func (m *Main) openHTTPAPIs(ctx context.Context) error {
	port := m.Config.Port
	if m.ln != nil {
		if _, p, err := net.SplitHostPort(m.ln.Addr().String()); err == nil {
			port, _ = strconv.Atoi(p)
		}
	}
	svc := httpapis.NewService(m.Engine, m.Invoker, httpapis.Config{
		AccountID: m.Config.AccountID, Region: m.Config.Region, Port: port,
	}, m.Logger)
	if err := svc.Open(ctx); err != nil {
		return err
	}
	m.HTTPAPIs = svc
	m.API.HTTPAPIs = svc
	m.API.FunctionURLs = httpapis.URLInvoker{Service: svc}
	return nil
}

// closeHTTPAPIs closes what openHTTPAPIs opened; safe when it did not.
func (m *Main) closeHTTPAPIs() error {
	if m.HTTPAPIs == nil {
		return nil
	}
	return m.HTTPAPIs.Close()
}
