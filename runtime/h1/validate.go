package h1

import (
	"fmt"
	"net/textproto"
)

// framing headers are written by the client itself, never copied.
func framing(k string) bool {
	return k == "Host" || k == "Content-Length" || k == "Transfer-Encoding"
}

func validateRequest(req *Request, host string) error {
	if !validToken(req.Method) {
		return fmt.Errorf("h1: method %q: %w", req.Method, ErrInvalidHeader)
	}
	if !validTarget(req.Path) {
		return fmt.Errorf("h1: request target %q: %w", req.Path, ErrInvalidHeader)
	}
	if !validTarget(host) {
		return fmt.Errorf("h1: Host %q: %w", host, ErrInvalidHeader)
	}
	if req.ContentLength < -1 {
		return fmt.Errorf("h1: ContentLength %d: want >= 0, or -1 for chunked", req.ContentLength)
	}
	if req.Body == nil && req.ContentLength > 0 {
		return fmt.Errorf("h1: ContentLength %d with a nil Body", req.ContentLength)
	}
	if err := validateHeader("header", req.Header); err != nil {
		return fmt.Errorf("h1: %w", err)
	}
	return nil
}

func validateHeader(what string, h textproto.MIMEHeader) error {
	for k, vs := range h {
		if what == "header" && framing(k) {
			continue
		}
		if !validToken(k) {
			return fmt.Errorf("%s name %q: %w", what, k, ErrInvalidHeader)
		}
		for _, v := range vs {
			if !validValue(v) {
				// The value is not quoted back: it may hold a secret.
				return fmt.Errorf("%s %q has a value with a forbidden byte: %w", what, k, ErrInvalidHeader)
			}
		}
	}
	return nil
}

// validToken: RFC 9110 token (methods, field names).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func isTchar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// validValue: field-content — visible bytes, obs-text, space and tab; no
// CR, LF, NUL or other control bytes.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// validTarget: request-target and Host — non-empty, no space or control.
func validTarget(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= ' ' || b == 0x7f {
			return false
		}
	}
	return true
}
