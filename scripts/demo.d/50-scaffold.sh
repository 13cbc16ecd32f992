# Sourced by scripts/demo.sh: a deployable image project in one command.
step "9. Scaffold a Lambda image project (distroless, amd64, exec mode, Go function)"
# The project pins the repository's public key (keys/): here the one make repo
# signed dist/repo with (step 8; throwaway keys unless FAAS_PGP_KEY is set).
run bin/runtime-init scaffold "$work/hello-fn" --base distroless --arch amd64 --mode exec --lang go --name hello-fn \
  --repo-key dist/repo/rpm/RPM-GPG-KEY-faas-runtime
echo "The Dockerfile's final stage:"
awk '/^FROM .* AS lambda-/{p=1} p' "$work/hello-fn/Dockerfile" | grep -v "^#" | grep -v "^$" | head -15
echo "(Building it needs the base images from their registries: docker buildx build, or podman build,"
echo " as the project's build.sh does. Offline, the next step builds an image without any daemon.)"
