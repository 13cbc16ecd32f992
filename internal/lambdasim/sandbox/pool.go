package sandbox

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
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
}

// StartPool starts the environments (their runtimes on first use). With
// one, o is used as given (its Runtime API on o.Listen, or told as
// o.RuntimeAPI); with more, each gets a loopback port of its own. The
// Invoke API in front of a pool is package invokeapi.
func StartPool(o Options, environments int) (*Pool, error) {
	if environments < 1 {
		return nil, fmt.Errorf("%d execution environments: want at least 1", environments)
	}
	p := &Pool{inflight: make([]int, environments), changed: make(chan struct{})}
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
	return p, nil
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

// Close stops every environment; invocations in flight get their
// environment's answer.
func (p *Pool) Close() error {
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
