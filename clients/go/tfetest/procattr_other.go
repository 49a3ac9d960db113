//go:build !linux

package tfetest

import "os/exec"

// setParentDeathSignal does nothing outside Linux: a server outlives a test process killed
// without running its cleanups.
func setParentDeathSignal(*exec.Cmd) {}
