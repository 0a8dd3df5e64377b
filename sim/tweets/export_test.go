package tweets

// Signature exposes the simulator's own OAuth 1.0a signer to the tests.
var Signature = signature
