#!/usr/bin/env bash
# Submits the explain array (N shards) and the merge that waits for it.
# Usage: MODEL=/shared/model INPUT=/shared/images.npy OUT=/shared/run1 ./submit.sh 8 [explain options such as --method integrated-gradients]
set -euo pipefail
N=${1:?give the number of shards}; shift
cd "$(dirname "$0")"
array=$(sbatch --parsable --export=ALL --array="0-$((N - 1))" explain-array.sh "$@")
sbatch --export=ALL --dependency="afterok:${array%%;*}" merge.sh
