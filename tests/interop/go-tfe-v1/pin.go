// Package interop pins go-tfe for the interop test (run.sh builds go-tfe's own tests; nothing here runs).
package interop

import _ "github.com/hashicorp/go-tfe"
