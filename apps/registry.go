package apps

import "embed"

// files holds what publishes each bundled application.
var files embed.FS

// order lists the bundled applications, each after those it nests.
var order = []string{}

// handlers are the bundled functions' handlers by APP/FUNC.
var handlers = map[string]func(){}
