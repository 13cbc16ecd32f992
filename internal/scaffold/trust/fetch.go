package trust

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxKeySize bounds what a fetch reads: a public key is a few KB.
const maxKeySize = 1 << 20

// Need says which keys a project needs: the OpenPGP key (rpm, apt) and,
// for Alpine, the apk key.
type Need struct{ PGP, APK bool }

// CheckURL checks a --repo-url: an absolute http or https URL.
func CheckURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--repo-url %q: want the repository's base URL, e.g. https://repo.example.com/faas-runtime (the directory holding rpm/, deb/ and alpine/)", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// Fetch downloads the keys need names from the repository at base (once:
// the project then pins them). The apk key's name comes from the
// repository's REPO.json when it has one, else it is faas-runtime.rsa.pub.
func Fetch(ctx context.Context, client *http.Client, base string, need Need) (*Keys, error) {
	base, err := CheckURL(base)
	if err != nil {
		return nil, err
	}
	k := &Keys{Origin: base + ", fetched once by runtime-init scaffold --repo-url"}
	if need.PGP {
		// The armored key: the binary keyring apt uses is the same key.
		data, err := get(ctx, client, base+"/"+repoRPMKey)
		if err != nil {
			return nil, err
		}
		if k.PGP, err = parsePGP(data, base+"/"+repoRPMKey); err != nil {
			return nil, err
		}
	}
	if need.APK {
		name := DefaultAPKKeyName
		if data, err := get(ctx, client, base+"/"+repoManifest); err == nil {
			var m struct {
				APKKeyName string `json:"apk_key_name"`
			}
			if json.Unmarshal(data, &m) == nil && m.APKKeyName != "" {
				name = m.APKKeyName
			}
		}
		if err := checkAPKName(name); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", base, repoManifest, err)
		}
		src := base + "/" + repoAlpineDir + "/" + name
		data, err := get(ctx, client, src)
		if err != nil {
			return nil, err
		}
		if err := k.add(name, data, src); err != nil {
			return nil, err
		}
		if k.APK == nil {
			return nil, fmt.Errorf("%s is not an RSA public key", src)
		}
	}
	return k, nil
}

func get(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("--repo-url: fetching the repository's key: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("--repo-url: fetching %s: %s (is it a faas-runtime repository, as make repo writes it?)", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("--repo-url: fetching %s: %w", u, err)
	}
	if len(data) > maxKeySize {
		return nil, fmt.Errorf("--repo-url: %s is larger than %d bytes: not a public key", u, maxKeySize)
	}
	return data, nil
}
