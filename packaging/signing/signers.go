package signing

import (
	"bytes"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Signers sign the same metadata together: the current key first, then
// keys still trusted during a key rotation. A client that trusts any one of
// them accepts the metadata (apt, gpgv, librepo check for one good
// signature from a key they know).
type Signers []*Keys

// DetachSign returns one detached signature block holding a signature per key.
func (s Signers) DetachSign(data []byte, armored bool) ([]byte, error) {
	if len(s) == 1 {
		return s[0].DetachSign(bytes.NewReader(data), armored)
	}
	var sigs bytes.Buffer
	for _, k := range s {
		sig, err := k.DetachSign(bytes.NewReader(data), false)
		if err != nil {
			return nil, err
		}
		sigs.Write(sig)
	}
	if !armored {
		return sigs.Bytes(), nil
	}
	var out bytes.Buffer
	aw, err := armor.Encode(&out, openpgp.SignatureType, nil)
	if err != nil {
		return nil, err
	}
	aw.Write(sigs.Bytes())
	if err := aw.Close(); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// ClearSign returns data clear-signed by every key (apt's InRelease). One
// path for one key or several: clearsign.Encode is EncodeMulti with one
// key, so a single key's InRelease keeps its bytes.
func (s Signers) ClearSign(data []byte) ([]byte, error) {
	var priv []*packet.PrivateKey
	for _, k := range s {
		priv = append(priv, k.PGP.PrivateKey)
	}
	var buf bytes.Buffer
	w, err := clearsign.EncodeMulti(&buf, priv, s[0].config())
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return withArmorChecksum(buf.Bytes())
}

// PublicPGP returns every key's public key in one file: armored (one
// block) or binary (an apt keyring).
func (s Signers) PublicPGP(armored bool) ([]byte, error) {
	if len(s) == 1 {
		return s[0].PublicPGP(armored)
	}
	var buf bytes.Buffer
	w := io.WriteCloser(nopCloser{&buf})
	if armored {
		aw, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
		if err != nil {
			return nil, err
		}
		w = aw
	}
	for _, k := range s {
		if err := k.PGP.Serialize(w); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if armored && len(s) > 1 {
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
