package emulator

// POST /runtime/invocation/{id}/response: the function's response,
// buffered (up to 6 MB) or streamed (up to 200 MiB, forwarded as it arrives).

import (
	"encoding/base64"
	"io"
	"net/http"

	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func (e *Emulator) serveResponse(w http.ResponseWriter, r *http.Request) {
	inv := e.lookup(w, r)
	if inv == nil {
		return
	}
	if r.Header.Get(api.HeaderResponseMode) == api.ResponseModeStream {
		e.serveStream(inv, w, r)
		return
	}
	if body, ok := e.readPost(inv, w, r); ok {
		e.accept(inv, w, &Result{RequestID: inv.id, Outcome: OutcomeResponse, Body: body, ContentType: r.Header.Get("Content-Type")})
	}
}

// serveStream forwards a streamed response to the invoker's writer as it
// arrives; an error after the first byte comes in the trailers.
func (e *Emulator) serveStream(inv *invocation, w http.ResponseWriter, r *http.Request) {
	res := &Result{RequestID: inv.id, Outcome: OutcomeResponse, Streamed: true, ContentType: r.Header.Get("Content-Type")}
	dst := inv.opts.Stream
	var kept []byte
	if dst == nil {
		dst = writerFunc(func(p []byte) (int, error) { kept = append(kept, p...); return len(p), nil })
	}
	fl, _ := dst.(http.Flusher)
	buf := make([]byte, 32*1024)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > api.MaxStreamedPayload {
				rest, _ := io.Copy(io.Discard, r.Body)
				e.tooLarge(inv, w, api.StreamedResponseTooLarge(n+rest), api.MaxStreamedPayload, true)
				return
			}
			_, _ = dst.Write(buf[:k])
			if fl != nil {
				fl.Flush()
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			res.Outcome, res.ErrorType = OutcomeError, api.ErrTypeTruncated
			res.Body = api.NewError(api.ErrTypeTruncated, "the runtime's streamed response broke off: "+err.Error()).JSON()
			e.accept(inv, w, res)
			return
		}
	}
	res.Body = kept
	if typ := r.Trailer.Get(api.HeaderErrorType); typ != "" {
		res.Outcome, res.ErrorType = OutcomeError, typ
		if b, err := base64.StdEncoding.DecodeString(r.Trailer.Get(api.HeaderErrorBody)); err == nil && len(b) > 0 {
			res.Body = b
			res.ErrorType = reportedError(typ, b).Type
		} else {
			res.Body = api.NewError(typ, "streamed response failed").JSON()
		}
	}
	e.accept(inv, w, res)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
