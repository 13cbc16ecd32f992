// Package procgroup starts a function's process in a process group of its
// own, so that stopping it also stops whatever it started (a shell
// pipeline, gunicorn or node cluster workers), and signals that group.
// Windows has neither process groups nor SIGTERM for console processes:
// there the process itself is killed.
package procgroup
