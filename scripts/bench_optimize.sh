#!/bin/bash
# Times `kicsim optimize` on the baseline: 3 levers, 1,000 evaluations x 16 replications x 10 years
# (the issue's speed target: under 2 minutes on 2 cores), three times, and prints the median.
# Usage: scripts/bench_optimize.sh [path/to/kicsim]   (default: the release build)
set -euo pipefail
bin=${1:-${CARGO_TARGET_DIR:-target}/release/kicsim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
times=()
for i in 1 2 3; do
    start=$(date +%s.%N)
    "$bin" optimize scenarios/baseline.ron --minimize cumulative_fiscal_cost_usd_m \
        --require "localization_rate@10 >= 0.35" --confidence 0.7 \
        --levers incentives.land_rent_exemption,incentives.training_subsidy_usd_per_trainee,incentives.credit_interest_subsidy_pp \
        --bound incentives.training_subsidy_usd_per_trainee=0..3000 \
        --evaluations 1000 --replications 16 --out "$out/run$i" > /dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
    echo "run $i: ${times[-1]} s"
done
printf '%s\n' "${times[@]}" | sort -g | sed -n 2p | xargs -I{} echo "median: {} s"
