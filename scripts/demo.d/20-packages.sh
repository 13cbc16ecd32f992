# Sourced by scripts/demo.sh: the packages and the signed repository.
step "8. Packages (rpm, deb, apk, archlinux, MSYS2, layers, Homebrew) and the signed repository"
run make -s repo
echo "Packages for amd64 (sizes in bytes):"
find dist/packages -maxdepth 3 -type f \( -path '*x86_64*' -o -path '*amd64*' \) -printf '  %10s  %P\n' | sort -k2 | head -20
echo "Repository tree (dist/repo), ready for any static web server:"
find dist/repo -maxdepth 2 -mindepth 1 | sed 's|^dist/repo/|  |' | sort | head -20
