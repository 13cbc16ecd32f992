package emulator

// GET /runtime/restore/next and POST /runtime/restore/error: SnapStart
// (AWS "Implementing SnapStart hooks for container images"). Lambda
// snapshots the environment while restore/next waits and answers it after
// a restore; here the process is not snapshotted (nothing on this machine
// can checkpoint and restore a process tree), so restore/next answers at
// once: init, the before-checkpoint hooks, the restore phase and the
// after-restore hooks run in Lambda's order, in one process.

import "net/http"

func (e *Emulator) serveRestoreNext(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.restores++
	e.observe(Event{Kind: EventRestore})
	e.mu.Unlock()
	e.cfg.Log.Info("SnapStart: snapshot taken and restored (simulated)")
	w.WriteHeader(http.StatusOK)
}

// serveRestoreError records a failed restore as the environment's init
// error: queued invocations get it when the runtime exits, as Lambda
// fails the invocation that triggered the restore.
func (e *Emulator) serveRestoreError(w http.ResponseWriter, r *http.Request) {
	e.takeInitError(w, r, "restore error")
}

// Restores counts the restore/next calls answered, for tests.
func (e *Emulator) Restores() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.restores
}
