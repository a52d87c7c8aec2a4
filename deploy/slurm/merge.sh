#!/usr/bin/env bash
# Merges the shards of explain-array.sh once every array task succeeded (sbatch --dependency=afterok:<array job id>).
#SBATCH --job-name=glassbox-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=01:00:00
#SBATCH --output=glassbox-merge-%j.log
set -euo pipefail
OUT=${OUT:?set OUT to the folder holding shard-0 … shard-(n-1)}
read -r -a GLASSBOX <<< "${GLASSBOX:-glassbox}"
# merge checks that every shard is there exactly once, made with the same settings and model; order does not matter.
exec "${GLASSBOX[@]}" merge "$OUT"/shard-* -o "$OUT/merged"
