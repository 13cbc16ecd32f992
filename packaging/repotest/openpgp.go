package repotest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// The OpenPGP rules below are what every rpm generation the project
// supports accepts: rpm up to 4.18 (RHEL 8 and 9) parses keys and
// signatures with rpm's own internal parser; RHEL 10 and Fedora verify
// with rpm-sequoia, which enforces Sequoia's standard policy (no SHA-1 in
// bindings or data signatures, RSA of 2048 bits or more).
// A key rotation or a change of signer that breaks one of them fails
// here, before any distribution sees it.
var (
	// goodDigests are the hash algorithms every generation verifies
	// (RFC 4880 ids 8, 9, 10: SHA-256, SHA-384, SHA-512). SHA-1 (2) is
	// refused by RHEL 9 and rpm-sequoia; SHA-224 (11) and SHA-3 are
	// unknown to the older parsers.
	goodDigests = map[int]string{8: "SHA-256", 9: "SHA-384", 10: "SHA-512"}
	// criticalKnown are the critical subpackets proven accepted: go-crypto
	// marks these two critical, and rpm 4.16's internal parser and
	// rpm-sequoia verify them (packaging/repo TestRPMGenerations). rpm's
	// internal parser rejects a key or signature with a critical
	// subpacket it does not implement (rpmio/rpmpgp.c, pgpPrtSubType).
	criticalKnown = map[int]string{2: "signature creation time", 27: "key flags"}
)

// Packet is one packet of `gpg --list-packets`: its header line (":signature
// packet: algo 1, keyid …") and the indented lines under it.
type Packet struct {
	Header string
	Lines  []string
}

// IsKey reports a primary key or subkey packet.
func (p Packet) IsKey() bool {
	return strings.HasPrefix(p.Header, ":public key packet:") || strings.HasPrefix(p.Header, ":public sub key packet:")
}

// IsSignature reports a signature packet.
func (p Packet) IsSignature() bool { return strings.HasPrefix(p.Header, ":signature packet:") }

// field returns the first integer after name (e.g. "digest algo") in the packet.
func (p Packet) field(re *regexp.Regexp) (int, bool) {
	for _, l := range append([]string{p.Header}, p.Lines...) {
		if m := re.FindStringSubmatch(l); m != nil {
			n, err := strconv.ParseInt(m[1], 0, 64)
			return int(n), err == nil
		}
	}
	return 0, false
}

var (
	reVersion   = regexp.MustCompile(`^\s*version (\d+),`)
	reAlgo      = regexp.MustCompile(`algo (\d+)`)
	reDigest    = regexp.MustCompile(`^\s*digest algo (\d+),`)
	reBits      = regexp.MustCompile(`^\s*pkey\[0\]: \[(\d+) bits\]`)
	reKeyID     = regexp.MustCompile(`^\s*keyid: ([0-9A-F]{16})`)
	reSigKeyID  = regexp.MustCompile(`keyid ([0-9A-F]{16})`)
	reSigClass  = regexp.MustCompile(`sigclass (0x[0-9a-f]{2})`)
	reSubpacket = regexp.MustCompile(`^\s*(critical )?(hashed )?subpkt (\d+) len \d+ \((.*)\)$`)
	reKeyFlags  = regexp.MustCompile(`^key flags: ([0-9A-F]{2})`)
)

// subpackets returns the packet's signature subpackets: type, critical
// bit and gpg's description.
func (p Packet) subpackets() (out []struct {
	typ      int
	critical bool
	text     string
}) {
	for _, l := range p.Lines {
		if m := reSubpacket.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[3])
			out = append(out, struct {
				typ      int
				critical bool
				text     string
			}{n, m[1] != "", m[4]})
		}
	}
	return out
}

// ListPackets runs the real `gpg --list-packets` on path (armored or binary)
// with a throwaway home directory.
func ListPackets(t testing.TB, path string) []Packet {
	t.Helper()
	gpg := testutil.Need(t, "gpg")[0]
	home := t.TempDir()
	os.Chmod(home, 0o700)
	// gpg lists a clear-signed message's text, not its signature: list
	// the signature block alone.
	if data, err := os.ReadFile(path); err == nil && bytes.HasPrefix(data, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		i := bytes.Index(data, []byte("-----BEGIN PGP SIGNATURE-----"))
		if i < 0 {
			t.Fatalf("%s: a clear-signed message with no signature block", path)
		}
		path = filepath.Join(t.TempDir(), filepath.Base(path)+".asc")
		if err := os.WriteFile(path, data[i:], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(gpg, "--homedir", home, "--batch", "--list-packets", path).Output()
	if err != nil {
		t.Fatalf("gpg --list-packets %s: %v\n%s", path, err, out)
	}
	var packets []Packet
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, ":"):
			packets = append(packets, Packet{Header: l})
		case strings.HasPrefix(l, "\t") && len(packets) > 0:
			packets[len(packets)-1].Lines = append(packets[len(packets)-1].Lines, l)
		}
	}
	if len(packets) == 0 {
		t.Fatalf("gpg --list-packets %s: no packets:\n%s", path, out)
	}
	return packets
}

// SigningKeys returns the key IDs (primary or subkey) of a key listing that
// carry the sign flag (0x02) in their self-signature or binding signature.
func SigningKeys(packets []Packet) map[string]bool {
	signers := map[string]bool{}
	var current string // the key the following signatures bind
	for _, p := range packets {
		if p.IsKey() {
			current = ""
			for _, l := range p.Lines {
				if m := reKeyID.FindStringSubmatch(l); m != nil {
					current = m[1]
				}
			}
			continue
		}
		if !p.IsSignature() || current == "" {
			continue
		}
		for _, s := range p.subpackets() {
			if m := reKeyFlags.FindStringSubmatch(s.text); s.typ == 27 && m != nil {
				if f, _ := strconv.ParseUint(m[1], 16, 8); f&0x02 != 0 {
					signers[current] = true
				}
			}
		}
	}
	return signers
}

// OpenPGPProblems lists every way packets break the rules above: keys
// (version 4 RSA of 2048 bits or more) and signatures (version 4, SHA-256
// or better, issuer fingerprint and key ID subpackets, no critical
// subpacket outside criticalKnown). An empty list means every generation
// accepts them.
func OpenPGPProblems(packets []Packet) []string {
	var problems []string
	for i, p := range packets {
		where := fmt.Sprintf("packet %d (%s)", i, strings.TrimSuffix(strings.Fields(p.Header + " ")[0], ":"))
		switch {
		case p.IsKey():
			if v, _ := p.field(reVersion); v != 4 {
				problems = append(problems, fmt.Sprintf("%s: key version %d, want 4", where, v))
			}
			if a, _ := p.field(reAlgo); a != 1 {
				problems = append(problems, fmt.Sprintf("%s: public-key algorithm %d, want 1 (RSA)", where, a))
			}
			if b, _ := p.field(reBits); b < 2048 {
				problems = append(problems, fmt.Sprintf("%s: RSA key of %d bits, want 2048 or more (rpm-sequoia's policy)", where, b))
			}
		case p.IsSignature():
			class := "?"
			for _, l := range p.Lines {
				if m := reSigClass.FindStringSubmatch(l); m != nil {
					class = m[1]
				}
			}
			where += " class " + class
			if v, _ := p.field(reVersion); v != 4 {
				problems = append(problems, fmt.Sprintf("%s: signature version %d, want 4", where, v))
			}
			if d, _ := p.field(reDigest); goodDigests[d] == "" {
				problems = append(problems, fmt.Sprintf("%s: digest algorithm %d, want SHA-256 or better (8, 9, 10)", where, d))
			}
			var fpr, keyID bool
			for _, s := range p.subpackets() {
				fpr = fpr || s.typ == 33
				keyID = keyID || s.typ == 16
				if s.critical && criticalKnown[s.typ] == "" {
					problems = append(problems, fmt.Sprintf("%s: critical subpacket %d (%s): rpm's internal parser rejects it", where, s.typ, s.text))
				}
			}
			if !fpr {
				problems = append(problems, where+": no issuer fingerprint subpacket (33)")
			}
			if !keyID {
				problems = append(problems, where+": no issuer key ID subpacket (16)")
			}
		}
	}
	return problems
}

// SignatureIssuers returns the issuer key IDs of the signature packets.
func SignatureIssuers(packets []Packet) []string {
	var ids []string
	for _, p := range packets {
		if m := reSigKeyID.FindStringSubmatch(p.Header); p.IsSignature() && m != nil {
			ids = append(ids, m[1])
		}
	}
	return ids
}

// CheckOpenPGP fails t for every rule that the key listing or the
// signatures break, and when a signature's issuer is not a key of the
// listing with the sign flag.
func CheckOpenPGP(t testing.TB, keyPath string, sigPaths ...string) {
	t.Helper()
	key := ListPackets(t, keyPath)
	for _, p := range OpenPGPProblems(key) {
		t.Errorf("%s: %s", keyPath, p)
	}
	signers := SigningKeys(key)
	if len(signers) == 0 {
		t.Errorf("%s: no key or subkey has the sign flag", keyPath)
	}
	for _, s := range sigPaths {
		sig := ListPackets(t, s)
		for _, p := range OpenPGPProblems(sig) {
			t.Errorf("%s: %s", s, p)
		}
		ids := SignatureIssuers(sig)
		if len(ids) == 0 {
			t.Errorf("%s: no signature packet", s)
		}
		for _, id := range ids {
			if !signers[id] {
				t.Errorf("%s: signed by %s, which is not a signing key of %s (%v)", s, id, keyPath, signers)
			}
		}
	}
}
