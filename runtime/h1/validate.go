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
	if !ValidToken(req.Method) {
		return fmt.Errorf("method %q: %w", req.Method, ErrInvalidHeader)
	}
	if !validTarget(req.Path) {
		return fmt.Errorf("request target %q: %w", req.Path, ErrInvalidHeader)
	}
	if !validTarget(host) {
		return fmt.Errorf("Host %q: %w", host, ErrInvalidHeader)
	}
	if req.ContentLength < -1 {
		return fmt.Errorf("ContentLength %d: want >= 0, or -1 for chunked", req.ContentLength)
	}
	if req.Body == nil && req.ContentLength > 0 {
		return fmt.Errorf("ContentLength %d with a nil Body", req.ContentLength)
	}
	return checkFields("header", req.Header, framing)
}

// CheckHeader is the one check of header fields in this project: every
// name a token, every value field-content. The error wraps
// ErrInvalidHeader and names the field, never its value (it may hold a
// secret). httpevent runs it on the request it builds from an event, so a
// bad event header is reported before anything is sent.
func CheckHeader(h textproto.MIMEHeader) error {
	return checkFields("header", h, nil)
}

// checkFields checks h; what names the section ("header", "trailer") and
// skip, when set, names fields that are not checked.
func checkFields(what string, h textproto.MIMEHeader, skip func(string) bool) error {
	for k, vs := range h {
		if skip != nil && skip(k) {
			continue
		}
		if !ValidToken(k) {
			return fmt.Errorf("%s name %q: %w", what, k, ErrInvalidHeader)
		}
		for _, v := range vs {
			if !ValidFieldValue(v) {
				// The value is not quoted back: it may hold a secret.
				return fmt.Errorf("%s %q has a value with a forbidden byte: %w", what, k, ErrInvalidHeader)
			}
		}
	}
	return nil
}

// ValidToken reports whether s is an RFC 9110 token (methods, field names).
func ValidToken(s string) bool {
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

// ValidFieldValue reports whether s is field-content: visible bytes,
// obs-text, space and tab; no CR, LF, NUL or other control bytes.
func ValidFieldValue(s string) bool {
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
