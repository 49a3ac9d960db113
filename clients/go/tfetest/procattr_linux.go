package tfetest

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal asks Linux to send the server SIGTERM when the test process dies without
// running its cleanups (a test binary killed on timeout), so no server outlives it.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
