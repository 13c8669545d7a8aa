#!/usr/bin/env bash
# Runs mlops for the actions in this folder: the mlops on PATH (actions/setup, or the container
# image), else a build of this checkout of the action, made once per job in $RUNNER_TEMP.
set -euo pipefail
if command -v mlops >/dev/null 2>&1; then
  exec mlops "$@"
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${RUNNER_TEMP:-/tmp}/mlops-ci"
if [ ! -f "$out/mlops.dll" ]; then
  # This runner's runtime only: the portable publish carries every platform's native libraries (~290 MB vs ~55 MB).
  dotnet publish "$root/src/MlOps.Cli" -c Release --use-current-runtime --self-contained false -o "$out" --nologo -v quiet >&2
fi
exec dotnet "$out/mlops.dll" "$@"
