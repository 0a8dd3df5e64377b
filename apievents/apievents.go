// Package apievents builds the events API Gateway and function URLs send to
// functions — payload format 1.0 (REST APIs, and HTTP APIs that ask for it)
// and 2.0 (HTTP APIs and function URLs) — and maps functions' responses to
// HTTP responses as AWS maps them.
package apievents
