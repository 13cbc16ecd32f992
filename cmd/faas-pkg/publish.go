package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/faas-runtime/faas-runtime/packaging/publish"
)

// publishCmd: faas-pkg publish [--grace D] [--lock-ttl D] DIR s3://BUCKET/PREFIX
func publishCmd(args []string) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	grace := fs.Duration("grace", publish.DefaultGrace, "keep files no index names any more this long (for clients and caches holding an older index); they are deleted by a later publish")
	ttl := fs.Duration("lock-ttl", publish.DefaultLockTTL, "a lock left unchanged this long belongs to a killed publisher and is taken over")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 2 {
		return usageError{errors.New("usage: faas-pkg publish [--grace 24h] [--lock-ttl 30s] DIR s3://BUCKET/PREFIX")}
	}
	dir, dest := fs.Arg(0), fs.Arg(1)
	target, err := publish.ParseS3URL(dest)
	if err != nil {
		return usageError{err}
	}
	if *grace < 0 || *ttl <= 0 {
		return usageError{fmt.Errorf("--grace %s / --lock-ttl %s: want a non-negative grace and a positive TTL", *grace, *ttl)}
	}
	if _, err := os.Stat(dir); err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := publish.NewS3Store(ctx, target)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	_, err = publish.Publish(ctx, publish.Options{Dir: dir, Store: store, Owner: fmt.Sprintf("faas-pkg publish on %s (pid %d)", host, os.Getpid()),
		LockTTL: *ttl, Grace: *grace, Log: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "faas-pkg: published %s to %s\n", dir, dest)
	return nil
}
