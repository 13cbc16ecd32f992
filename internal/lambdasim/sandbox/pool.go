package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

// Pool is a function with up to N execution environments, each a Sandbox
// with its own runtime process and Runtime API, as Lambda scales out:
// an invocation goes to an environment with room for it (one invocation,
// or AWS_LAMBDA_MAX_CONCURRENCY in Managed Instances mode), a warm one
// first, and waits when all are full. RIE has one environment and fails
// a second concurrent invoke.
type Pool struct {
	envs     []*Sandbox
	capacity int // invocations one environment takes at once

	mu       sync.Mutex
	inflight []int
	changed  chan struct{} // closed and replaced when an environment frees up

	ln  net.Listener // the shared invoke endpoint; nil with one environment
	srv *http.Server
}

// StartPool serves the invoke endpoint on o.Listen. With one environment
// that is the environment's own emulator, Runtime API included (RIE's
// layout); with more, each environment's Runtime API gets a loopback port
// of its own and o.Listen serves only the invoke endpoint.
func StartPool(o Options, environments int) (*Pool, error) {
	if environments < 1 {
		return nil, fmt.Errorf("%d execution environments: want at least 1", environments)
	}
	p := &Pool{inflight: make([]int, environments), changed: make(chan struct{})}
	front := o.Listen
	if environments > 1 {
		o.Listen, o.RuntimeAPI = "127.0.0.1:0", ""
	}
	for range environments {
		sb, err := Start(o)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.envs = append(p.envs, sb)
	}
	p.capacity = max(1, p.envs[0].fn.maxConcurrency)
	if environments == 1 {
		return p, nil
	}
	if front == "" {
		front = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", front)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("listen on %s: %w", front, err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+api.PathRIEInvoke, emulator.InvokeHandler(p))
	p.ln, p.srv = ln, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	return p, nil
}

// Addr is the invoke endpoint's host:port.
func (p *Pool) Addr() string {
	if p.ln != nil {
		return p.ln.Addr().String()
	}
	return p.envs[0].Addr()
}

// Environments are the pool's execution environments.
func (p *Pool) Environments() []*Sandbox { return p.envs }

// StartRuntime starts the first environment's runtime now, as serve does,
// so that the first invocation does not pay for it.
func (p *Pool) StartRuntime(ctx context.Context) error { return p.envs[0].StartRuntime(ctx) }

// Invoke runs one invocation in an environment with room for it.
func (p *Pool) Invoke(ctx context.Context, payload []byte, opts emulator.InvokeOptions) (*emulator.Result, error) {
	i, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer p.release(i)
	return p.envs[i].Invoke(ctx, payload, opts)
}

func (p *Pool) acquire(ctx context.Context) (int, error) {
	for {
		p.mu.Lock()
		if i := p.pickLocked(); i >= 0 {
			p.inflight[i]++
			p.mu.Unlock()
			return i, nil
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// pickLocked chooses a warm environment with room, else a cold one.
func (p *Pool) pickLocked() int {
	cold := -1
	for i, sb := range p.envs {
		if p.inflight[i] >= p.capacity {
			continue
		}
		if sb.Running() {
			return i
		}
		if cold < 0 {
			cold = i
		}
	}
	return cold
}

func (p *Pool) release(i int) {
	p.mu.Lock()
	p.inflight[i]--
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// Close stops every environment, then the invoke endpoint: invocations
// in flight get their environment's answer first.
func (p *Pool) Close() error {
	if p.srv != nil {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if p.srv.Shutdown(ctx) != nil {
				_ = p.srv.Close()
			}
		}()
	}
	var errs []error
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, sb := range p.envs {
		wg.Go(func() {
			if err := sb.Close(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
