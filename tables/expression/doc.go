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
//
// # Legacy parameters
//
// The parameters that predate expressions convert into the same types:
//
//	c, err := expression.ExpectedCondition(expected, conditionalOperator) // Expected
//	c, err := expression.LegacyFilter(queryFilter, conditionalOperator)   // or ScanFilter
//	k, err := expression.LegacyKeyConditions(keyConditions, "pk", "sk")
//	u, err := expression.AttributeUpdates(attributeUpdates)
//	p, err := expression.AttributesToGet(attributesToGet)
//	err := expression.MixedParams([]string{"Expected"}, []string{"ConditionExpression"})
//
// Where DynamoDB's documentation leaves a behaviour open, eddy follows
// DynamoDB Local: NE holds for an absent attribute, NOT_CONTAINS does not;
// EQ and NE accept an argument of any type; CONTAINS and NOT_CONTAINS accept
// S, N, B, BOOL and NULL; ADD in AttributeUpdates appends a list to a list
// (the documentation names numbers and sets only; DynamoDB accepts lists);
// a ConditionalOperator with fewer than two conditions is an error.
//
// Where the messages come from. Checked against moto: MixedParams' message,
// "Query key condition not supported" and "Query condition missed key schema
// element: <key>". Named in DynamoDB's API reference: "Type mismatch for
// attribute to update". The others are worded as DynamoDB Local and
// emulators tested against DynamoDB word them, and are not checked against
// DynamoDB itself: "One or more parameter values were invalid: …" for
// argument counts and types ("Invalid number of argument(s) for the EQ
// ComparisonOperator", "ComparisonOperator LT is not valid for SS
// AttributeValue type", "AttributeValues inside AttributeValueList must be of
// same type"), for the combinations of Value, Exists, ComparisonOperator and
// AttributeValueList ("Value cannot be used when Exists is false for
// Attribute: a" and its siblings), for AttributeUpdates actions ("Only
// DELETE action is allowed when no attribute value is specified", "ADD
// action is not supported for the type S") and for duplicate AttributesToGet;
// "The BETWEEN condition was provided a range where the lower bound is
// greater than the upper bound"; "ConditionalOperator cannot be used without
// Filter or Expected" and "… can only be used when Filter or Expected has two
// or more elements"; "Conditions can be of length 1 or 2 only"; "Attempted
// conditional constraint is not an indexable operation". The model errors
// for an unknown ComparisonOperator, ConditionalOperator or Action ("1
// validation error detected: Value 'X' at
// 'expected.a.member.comparisonOperator' …") report only the first bad
// member, with the enum order recorded from DynamoDB for ComparisonOperator
// and ConditionalOperator and DynamoDB Local's for Action; LegacyFilter
// cannot tell QueryFilter from ScanFilter and names the member
// "comparisonOperator" alone.
package expression
