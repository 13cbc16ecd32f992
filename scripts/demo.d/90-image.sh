# Sourced by scripts/demo.sh, last: the daemonless image build, run, invoke
# and inspect table (its own script, so its cleanup trap stays its own).
bash scripts/demo-image.sh
