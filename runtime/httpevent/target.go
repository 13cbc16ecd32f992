package httpevent

import (
	"sort"
	"strings"
)

// The request-target (RFC 9112 section 3.2): the path and query the events
// carry, escaped so they can go on the request line, with the adapter's
// base path removed.

// removeBasePath strips AWS_LWA_REMOVE_BASE_PATH from the front of path,
// at a segment boundary only.
func removeBasePath(path, base string) string {
	base = "/" + strings.Trim(base, "/")
	if base == "/" || !strings.HasPrefix(path, base) {
		return path
	}
	rest := path[len(base):]
	switch {
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return path // "/apix" does not start with the base "/api"
}

// encodeQuery builds a query string from API Gateway/ALB parameter maps,
// multi-value first, in sorted key order so requests are reproducible.
func encodeQuery(multi map[string][]string, single map[string]string, esc func(string) string) string {
	keys := make([]string, 0, len(multi)+len(single))
	for k := range multi {
		keys = append(keys, k)
	}
	for k := range single {
		if _, ok := multi[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(esc(k))
		b.WriteByte('=')
		b.WriteString(esc(v))
	}
	for _, k := range keys {
		if vs, ok := multi[k]; ok {
			for _, v := range vs {
				add(k, v)
			}
		} else {
			add(k, single[k])
		}
	}
	return b.String()
}

// escapePath percent-encodes the bytes that may not appear in a
// request-target, leaving existing %XX escapes alone.
func escapePath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return escapeTarget(p, true)
}

func escapeQuery(q string) string { return escapeTarget(q, false) }

func escapeTarget(s string, isPath bool) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		bad := c <= ' ' || c >= 0x7f || strings.IndexByte("#\"<>\\^`{|}", c) >= 0 || (isPath && c == '?')
		if c == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
			bad = true
		}
		if !bad {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+8), s[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
