#!/usr/bin/env bash
# Runs a build target (default: test). Targets: ./build.sh --help
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run --project build/Build.csproj -c Release -- "${@:-test}"
