// Package expression parses and evaluates DynamoDB's expression language:
// condition and filter expressions, key condition expressions, update
// expressions and projection expressions, with ExpressionAttributeNames
// (#n) and ExpressionAttributeValues (:v) resolved at parse time.
//
// Every parse error is an eddy ValidationException worded as DynamoDB
// words it ("Invalid ConditionExpression: Syntax error; token: …").
//
//	c, err := expression.ParseCondition(expr, names, values) // or ParseFilter
//	ok, err := c.Eval(item)                                  // whether it holds
//
//	u, err := expression.ParseUpdate(expr, names, values)
//	newItem, err := u.Apply(oldItem)    // oldItem is not modified
//	expression.Project(oldItem, u.Paths()) // UPDATED_OLD
//
//	p, err := expression.ParseProjection(expr, names)
//	projected := p.Apply(item)
//
//	k, err := expression.ParseKeyCondition(expr, names, values, "pk", "sk")
//	k.HashValue; k.Range.Match(sortKeyValue)
//
// One request may carry several expressions sharing one set of names and
// values: call CheckParams before parsing, and CheckUnused with the Refs of
// every parsed expression after, to report unused names and values as
// DynamoDB does.
//
// The package reports whether a condition holds; turning a false condition
// into ConditionalCheckFailedException is the caller's business.
package expression
