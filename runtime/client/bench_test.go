package client_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/client"
)

// BenchmarkRoundTrip is one warm invocation as the loop sees it — GET next,
// POST response — against the real emulator on loopback, through this
// package (h1) and through an equivalent net/http loop (the client before
// h1), in one run. Allocations count the whole process, emulator included,
// which is the same for both: the difference is the client's. cpu-ns/op
// is the process's CPU time per round trip (emulator included), steadier
// than ns/op when the machine is busy.
//
//	go test -run '^$' -bench RoundTrip -benchtime 20000x ./runtime/client/
func BenchmarkRoundTrip(b *testing.B) {
	event := []byte(`{"version":"2.0","routeKey":"GET /","rawPath":"/","headers":{"accept":"*/*"},"body":"hello"}`)
	answer := []byte(`{"statusCode":200,"body":"hello"}`)

	b.Run("h1", func(b *testing.B) {
		r := newRig(b)
		stop := r.feed(event)
		defer stop()
		c := client.New(r.addr())
		ctx := context.Background()
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			inv, err := c.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Respond(ctx, inv, answer, "application/json"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})

	b.Run("nethttp", func(b *testing.B) {
		r := newRig(b)
		stop := r.feed(event)
		defer stop()
		l := newNetHTTPLoop(r.addr())
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			id, err := l.next()
			if err != nil {
				b.Fatal(err)
			}
			if err := l.respond(id, answer); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
}

// feed keeps two invocations queued until stop is called.
func (r *rig) feed(event []byte) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	for range 2 {
		go func() {
			for ctx.Err() == nil {
				_, _ = r.emu.Invoke(ctx, event, emulator.InvokeOptions{})
			}
			done <- struct{}{}
		}()
	}
	return func() { cancel(); <-done; <-done }
}

// netHTTPLoop is the Runtime API loop on net/http, configured as the
// client was before h1: one kept-alive connection, no proxy, no gzip.
type netHTTPLoop struct {
	base string
	hc   *http.Client
	buf  bytes.Buffer
}

func newNetHTTPLoop(addr string) *netHTTPLoop {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
	}
	return &netHTTPLoop{base: "http://" + addr, hc: &http.Client{Transport: tr}}
}

func (l *netHTTPLoop) next() (string, error) {
	resp, err := l.hc.Get(l.base + api.PathNext)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	l.buf.Reset()
	if _, err := l.buf.ReadFrom(io.LimitReader(resp.Body, api.MaxPayload+1)); err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("next: %s", resp.Status)
	}
	return resp.Header.Get(api.HeaderRequestID), nil
}

func (l *netHTTPLoop) respond(id string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, l.base+api.ResponsePath(id), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 202 {
		return fmt.Errorf("response: %s", resp.Status)
	}
	return nil
}
