#!/usr/bin/env bash
# One shard of a sharded `glassbox explain` per Slurm array task; merge.sh puts the shards together.
# Submit both with ./submit.sh (or: sbatch --array=0-7 explain-array.sh, then sbatch --dependency=afterok:<id> merge.sh).
#SBATCH --job-name=glassbox-explain
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=glassbox-explain-%A_%a.log
set -euo pipefail

# What to explain: every shard must see the same model, inputs and settings (merge refuses a shard that does not).
MODEL=${MODEL:?set MODEL to a checkpoint folder, Sequential spec .json, TorchScript .pt or .onnx on shared storage}
INPUT=${INPUT:?set INPUT to the .npy or image folder to explain, on shared storage}
OUT=${OUT:?set OUT to a shared folder; shard k writes OUT/shard-k}
CHUNK=${CHUNK:-64}  # shards are whole chunks; keep it the same for every shard (and for a single run you compare with)
SEED=${SEED:-0}     # seeds the partition and the random methods
read -r -a GLASSBOX <<< "${GLASSBOX:-glassbox}"   # e.g. "dotnet /opt/glassbox/Glassbox.Cli.dll"

# Slurm numbers array tasks from --array's first index; shards count from 0.
COUNT=${SLURM_ARRAY_TASK_COUNT:?run this as a Slurm array job: sbatch --array=0-N explain-array.sh}
INDEX=$(( SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0} ))

exec "${GLASSBOX[@]}" explain -m "$MODEL" -i "$INPUT" -o "$OUT/shard-$INDEX" \
  --shard "$INDEX/$COUNT" --chunk-size "$CHUNK" --seed "$SEED" --threads "${SLURM_CPUS_PER_TASK:-0}" "$@"
