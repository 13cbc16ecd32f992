package packages

// nfpm (through google/rpmpack) names the rpm's cpio members by absolute
// path (/usr/bin/x; goreleaser/nfpm#1122), where rpmbuild writes ./usr/bin/x.
// rpm and dnf install from the header and do not care, but everything that
// unpacks the payload itself (rpm2cpio | cpio -id, as rpmlint does) writes
// into the machine's own /usr. relativeRPM rewrites an unsigned nfpm rpm:
// it renames the members, recompresses the payload, patches the header's
// payload digest in place (a SHA-256 in hex, so the length is unchanged)
// and writes a new signature header, signed with the package key.

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

const (
	rpmLeadSize     = 96
	rpmTagSigRegion = 62 // RPMTAG_HEADERSIGNATURES
	rpmTypeInt32    = 4
	rpmTypeString   = 6
	rpmTypeBinary   = 7

	rpmSigRSA         = 268  // header-only OpenPGP signature
	rpmSigSHA256      = 273  // header SHA-256, hex
	rpmSigSize        = 1000 // header + compressed payload
	rpmSigPGP         = 1002 // header + payload OpenPGP signature
	rpmSigPayloadSize = 1007 // uncompressed payload (cpio archive) size
	rpmTagCompressor  = 1125
	rpmTagPayloadSHA  = 5092 // PAYLOADDIGEST
)

var rpmHeaderMagic = []byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0}

// rpmHeaderLen is the length of the header at b (magic, index, store).
func rpmHeaderLen(b []byte) (nindex, size int, err error) {
	if len(b) < 16 || !bytes.Equal(b[:8], rpmHeaderMagic) {
		return 0, 0, errors.New("rpm: no header magic")
	}
	nindex = int(binary.BigEndian.Uint32(b[8:12]))
	store := int(binary.BigEndian.Uint32(b[12:16]))
	size = 16 + 16*nindex + store
	if size > len(b) {
		return 0, 0, errors.New("rpm: truncated header")
	}
	return nindex, size, nil
}

// rpmTagString returns the store offset (into b) and value of a string tag.
func rpmTagString(h []byte, nindex, tag int) (int, string, error) {
	store := 16 + 16*nindex
	for i := 0; i < nindex; i++ {
		e := h[16+16*i:]
		if int(binary.BigEndian.Uint32(e)) != tag {
			continue
		}
		off := store + int(binary.BigEndian.Uint32(e[8:]))
		end := bytes.IndexByte(h[off:], 0)
		if end < 0 {
			return 0, "", fmt.Errorf("rpm: tag %d is not terminated", tag)
		}
		return off, string(h[off : off+end]), nil
	}
	return 0, "", fmt.Errorf("rpm: no tag %d", tag)
}

// relativeRPM returns pkg (an unsigned rpm from nfpm) with ./-relative cpio
// member names, signed with sign (nil: unsigned).
func relativeRPM(pkg []byte, sign func([]byte) ([]byte, error)) ([]byte, error) {
	if len(pkg) < rpmLeadSize {
		return nil, errors.New("rpm: shorter than its lead")
	}
	lead := pkg[:rpmLeadSize]
	_, sigLen, err := rpmHeaderLen(pkg[rpmLeadSize:])
	if err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	hdrStart := rpmLeadSize + sigLen + (8-sigLen%8)%8
	nindex, hdrLen, err := rpmHeaderLen(pkg[hdrStart:])
	if err != nil {
		return nil, fmt.Errorf("main header: %w", err)
	}
	header := append([]byte(nil), pkg[hdrStart:hdrStart+hdrLen]...)
	payload := pkg[hdrStart+hdrLen:]

	if _, comp, err := rpmTagString(header, nindex, rpmTagCompressor); err != nil || comp != "gzip" {
		return nil, fmt.Errorf("rpm: payload compressor %q, only gzip is rewritten (%v)", comp, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	archive, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	archive, err = relativeCpio(archive)
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(archive)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	payload = z.Bytes()

	off, old, err := rpmTagString(header, nindex, rpmTagPayloadSHA)
	if err != nil {
		return nil, err
	}
	digest := fmt.Sprintf("%x", sha256.Sum256(payload))
	if len(old) != len(digest) {
		return nil, fmt.Errorf("rpm: payload digest %q is not a SHA-256", old)
	}
	copy(header[off:], digest)

	sig := map[int]rpmEntry{
		rpmSigSize:        int32Entry(int32(len(header) + len(payload))),
		rpmSigSHA256:      {rpmTypeString, 1, append([]byte(fmt.Sprintf("%x", sha256.Sum256(header))), 0)},
		rpmSigPayloadSize: int32Entry(int32(len(archive))),
	}
	if sign != nil {
		hs, err := sign(header)
		if err != nil {
			return nil, err
		}
		all, err := sign(append(append([]byte(nil), header...), payload...))
		if err != nil {
			return nil, err
		}
		sig[rpmSigRSA] = rpmEntry{rpmTypeBinary, len(hs), hs}
		sig[rpmSigPGP] = rpmEntry{rpmTypeBinary, len(all), all}
	}
	sh := rpmHeaderBytes(rpmTagSigRegion, sig)
	var out bytes.Buffer
	out.Write(lead)
	out.Write(sh)
	out.Write(make([]byte, (8-len(sh)%8)%8))
	out.Write(header)
	out.Write(payload)
	return out.Bytes(), nil
}

type rpmEntry struct {
	typ, count int
	data       []byte
}

func int32Entry(v int32) rpmEntry {
	return rpmEntry{rpmTypeInt32, 1, binary.BigEndian.AppendUint32(nil, uint32(v))}
}

// rpmHeaderBytes serializes a header the way rpm reads it: the region tag
// first, entries sorted by tag, int32 data 4-aligned, the region trailer last.
func rpmHeaderBytes(region int, entries map[int]rpmEntry) []byte {
	tags := make([]int, 0, len(entries))
	for t := range entries {
		tags = append(tags, t)
	}
	sort.Ints(tags)
	var store bytes.Buffer
	offsets := make([]int, len(tags))
	for i, t := range tags {
		e := entries[t]
		if e.typ == rpmTypeInt32 && store.Len()%4 != 0 {
			store.Write(make([]byte, 4-store.Len()%4))
		}
		offsets[i] = store.Len()
		store.Write(e.data)
	}
	n := len(tags) + 1
	trailer := indexEntry(region, rpmTypeBinary, -16*n, 16)
	store.Write(trailer)
	var b bytes.Buffer
	b.Write(rpmHeaderMagic)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(store.Len())))
	b.Write(indexEntry(region, rpmTypeBinary, store.Len()-16, 16))
	for i, t := range tags {
		b.Write(indexEntry(t, entries[t].typ, offsets[i], entries[t].count))
	}
	b.Write(store.Bytes())
	return b.Bytes()
}

func indexEntry(tag, typ, offset, count int) []byte {
	b := make([]byte, 0, 16)
	for _, v := range []int{tag, typ, offset, count} {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(v)))
	}
	return b
}

// relativeCpio renames every member of a newc cpio archive from /path to
// ./path (the trailer keeps its name).
func relativeCpio(a []byte) ([]byte, error) {
	var out bytes.Buffer
	for len(a) > 0 {
		if len(a) < 110 || string(a[:6]) != "070701" {
			return nil, errors.New("cpio: not a newc archive")
		}
		field := func(i int) (int, error) {
			v, err := strconv.ParseUint(string(a[6+8*i:14+8*i]), 16, 32)
			return int(v), err
		}
		size, err1 := field(6)
		nameSize, err2 := field(11)
		if err := errors.Join(err1, err2); err != nil || 110+nameSize > len(a) {
			return nil, fmt.Errorf("cpio: bad header: %v", err)
		}
		name := string(a[110 : 110+nameSize-1])
		dataStart := pad4(110 + nameSize)
		if dataStart+size > len(a) {
			return nil, errors.New("cpio: truncated member " + name)
		}
		data := a[dataStart : dataStart+size]
		next := pad4(dataStart + size)
		if next > len(a) {
			next = len(a)
		}
		if strings.HasPrefix(name, "/") {
			name = "." + name
		}
		hdr := append([]byte(nil), a[:110]...)
		copy(hdr[6+8*11:], fmt.Sprintf("%08X", len(name)+1))
		out.Write(hdr)
		out.WriteString(name)
		out.WriteByte(0)
		out.Write(make([]byte, pad4(110+len(name)+1)-(110+len(name)+1)))
		out.Write(data)
		out.Write(make([]byte, pad4(size)-size))
		a = a[next:]
		if name == "TRAILER!!!" {
			// Keep the block padding rpmpack's writer added after it.
			out.Write(a)
			break
		}
	}
	return out.Bytes(), nil
}

func pad4(n int) int { return (n + 3) &^ 3 }
