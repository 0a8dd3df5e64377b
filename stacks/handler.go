// Package stacks applies CloudFormation templates as stacks: it plans the
// resources of a bound template in dependency order, creates, updates and
// deletes them through one Handler per resource type, records every step
// in JetStream, and rolls back on failure.
package stacks

import (
	"context"
	"errors"
)

// Handler creates, updates and deletes the resources of one type (an
// AWS::… type name), through eddy's services.
type Handler interface {
	// Spec describes the type's properties and attributes; the engine
	// validates a template's resources against it before creating anything.
	Spec() Spec
	// Create creates the resource and returns its physical id and its
	// attributes.
	Create(ctx context.Context, r *Request) (*Result, error)
	// Update changes the resource in place to r.Properties. The engine
	// replaces the resource instead (Create a new one, then Delete the old
	// one) when a property in Spec.Replace changed, or when Update returns
	// ErrReplace.
	Update(ctx context.Context, r *Request) (*Result, error)
	// Delete deletes the resource; deleting one that is already gone
	// succeeds.
	Delete(ctx context.Context, r *Request) error
}

// ErrReplace is returned by Update when the change needs a new resource.
var ErrReplace = errors.New("stacks: the change replaces the resource")

// Spec is what a template may say of a resource type.
type Spec struct {
	// Properties are the type's property names; Required must be given;
	// Replace are those whose change replaces the resource.
	Properties []string
	Required   []string
	Replace    []string
	// Attributes are the names Fn::GetAtt accepts.
	Attributes []string
}

// Stack identifies the stack a request is made for.
type Stack struct {
	Name, ID        string // ID is the stack's ARN
	Region, Account string
}

// Request is one operation on one resource.
type Request struct {
	Stack     Stack
	LogicalID string
	Type      string
	// Properties are the resolved properties to create or update to;
	// OldProperties those the resource had (on Update and Delete).
	Properties    map[string]any
	OldProperties map[string]any
	// PhysicalID is the resource's id (on Update and Delete), and
	// Attributes its current attributes.
	PhysicalID string
	Attributes map[string]any
	// NameSuffix is the random part of the name GeneratedName gives the
	// resource. The stack records it before the create, so the Delete of
	// a create cut short by a restart, which has no PhysicalID, can find
	// what a generated name names.
	NameSuffix string
	// Replaces is the physical id of the resource a replacement replaces,
	// on the Create of the replacement and on the Delete that rolls it
	// back. A Delete finding an interrupted create by what is unique to it
	// (its properties or tags) leaves that resource alone: it has the same
	// logical id and may have the same properties.
	Replaces string
}

// Result is a resource's physical id and attributes after an operation.
type Result struct {
	PhysicalID string
	Attributes map[string]any
}
