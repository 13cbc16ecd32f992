package sbom

import (
	"bytes"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// CycloneDXMediaType is the CycloneDX JSON media type.
const CycloneDXMediaType = "application/vnd.cyclonedx+json"

// CycloneDX is the same description as CycloneDX 1.6 JSON, made from the
// SPDX document (one source of truth): the described package is the
// metadata component, the other packages and the files are components with
// their package URLs and hashes, and the root depends on all of them. The
// serial number is derived from the SPDX namespace, so it is reproducible
// too.
func CycloneDX(d *spdx.Document) ([]byte, error) {
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(d.DocumentNamespace)).String()
	bom.Version = 1
	root := describedID(d)
	var tools []cdx.Component
	for _, c := range d.CreationInfo.Creators {
		if c.CreatorType == "Tool" {
			tools = append(tools, cdx.Component{Type: cdx.ComponentTypeApplication, Name: c.Creator})
		}
	}
	bom.Metadata = &cdx.Metadata{Timestamp: d.CreationInfo.Created, Tools: &cdx.ToolsChoice{Components: &tools}}

	var comps []cdx.Component
	var deps []string
	for _, p := range d.Packages {
		c := cdx.Component{BOMRef: string(p.PackageSPDXIdentifier), Type: componentType(p.PrimaryPackagePurpose),
			Name: p.PackageName, Version: p.PackageVersion, Description: p.PackageComment, Hashes: hashes(p.PackageChecksums)}
		for _, r := range p.PackageExternalReferences {
			if r.RefType == "purl" {
				c.PackageURL = r.Locator
			}
		}
		if p.PackageSPDXIdentifier == root {
			bom.Metadata.Component = &c
			continue
		}
		comps = append(comps, c)
		deps = append(deps, c.BOMRef)
	}
	for _, f := range d.Files {
		comps = append(comps, cdx.Component{BOMRef: string(f.FileSPDXIdentifier), Type: cdx.ComponentTypeFile,
			Name: f.FileName, Hashes: hashes(f.Checksums)})
		deps = append(deps, string(f.FileSPDXIdentifier))
	}
	bom.Components = &comps
	bom.Dependencies = &[]cdx.Dependency{{Ref: string(root), Dependencies: &deps}}

	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := enc.Encode(bom); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func describedID(d *spdx.Document) common.ElementID {
	for _, r := range d.Relationships {
		if r.RefA.ElementRefID == "DOCUMENT" && r.Relationship == "DESCRIBES" {
			return r.RefB.ElementRefID
		}
	}
	return ""
}

func componentType(purpose string) cdx.ComponentType {
	switch purpose {
	case "CONTAINER":
		return cdx.ComponentTypeContainer
	case "APPLICATION", "INSTALL":
		return cdx.ComponentTypeApplication
	case "ARCHIVE": // a base layer
		return cdx.ComponentTypeFile
	}
	return cdx.ComponentTypeLibrary
}

func hashes(cs []common.Checksum) *[]cdx.Hash {
	alg := map[common.ChecksumAlgorithm]cdx.HashAlgorithm{common.SHA1: cdx.HashAlgoSHA1, common.SHA256: cdx.HashAlgoSHA256}
	var out []cdx.Hash
	for _, c := range cs {
		if a, ok := alg[c.Algorithm]; ok {
			out = append(out, cdx.Hash{Algorithm: a, Value: c.Value})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}
