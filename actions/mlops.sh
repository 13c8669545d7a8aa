#!/usr/bin/env bash
# The mlops every action in this folder runs, and the one actions/setup puts on PATH.
# - A released tag has release.env beside this script (written by `mlops action write --release`):
#   the release's prebuilt, self-contained mlops for the runner's OS and architecture, its SHA-256
#   checked against the one release.env holds, unpacked once into the runner's tool cache. No SDK.
# - main (and ./actions inside this repository): the mlops on PATH (actions/setup), else a build of
#   this checkout made once per job in $RUNNER_TEMP, from this repository's root so its own
#   global.json picks the SDK, never the workspace's.
# Usage: mlops.sh ARGS...   run mlops
#        mlops.sh --keys    cache keys for actions/setup (released=, build=, packages=), as GITHUB_OUTPUT lines
#        mlops.sh --install install (download or build) and print the folder holding mlops, as PATH takes it
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
release="$here/release.env"

fail() { echo "mlops: $2" >&2; exit "$1"; }
setting() { sed -n "s/^$1=//p" "$release" | head -n 1; }
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi; }
sha256_stdin() { local t; t="$(mktemp)"; cat >"$t"; sha256 "$t"; rm -f "$t"; }
unix_path() { if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s' "$1"; fi; }

# The runtime identifier of this runner (runner.os and runner.arch, else uname).
runtime() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux) os=linux ;;
    macOS | Darwin) os=osx ;;
    Windows | MINGW* | MSYS* | CYGWIN*) os=win ;;
    *) fail 2 "no mlops build for the OS '${RUNNER_OS:-$(uname -s)}'; see the support matrix in README." ;;
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=x64 ;;
    ARM64 | arm64 | aarch64) arch=arm64 ;;
    *) fail 2 "no mlops build for the architecture '${RUNNER_ARCH:-$(uname -m)}'; see the support matrix in README." ;;
  esac
  printf '%s-%s' "$os" "$arch"
}

# The release's build for this runner, downloaded and verified once per tool cache; prints its folder.
install_release() {
  local version base rid expected cache parent archive stage actual
  version="$(setting version)"
  base="$(setting url)"
  rid="$(runtime)"
  expected="$(setting "sha256.$rid")"
  [ -n "$version" ] && [ -n "$base" ] || fail 2 "$release names no version or url; rewrite it with mlops action write --release."
  [ -n "$expected" ] || fail 2 "mlops $version has no build for $rid; see the support matrix in README."
  cache="$(unix_path "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}")/mlops-ci/$version/$rid"
  if [ ! -f "$cache/.complete" ]; then
    parent="$(dirname "$cache")"
    mkdir -p "$parent"
    # Unpacked beside the cache folder and renamed into place: a job that dies half way leaves no
    # folder that looks installed, and two jobs on one runner never see a partial one.
    stage="$(mktemp -d "$parent/.$rid.XXXXXX")"
    archive="mlops-$version-$rid.tar.gz"
    echo "mlops: downloading $base/$archive" >&2
    if ! curl -fsSL --retry 3 --retry-delay 2 -o "$stage/$archive" "$base/$archive"; then
      rm -rf "$stage"
      fail 4 "could not download $base/$archive."
    fi
    actual="$(sha256 "$stage/$archive")"
    if [ "$actual" != "$expected" ]; then
      rm -rf "$stage"
      fail 4 "$archive has SHA-256 $actual but release $version says $expected; not running it."
    fi
    mkdir "$stage/mlops"
    tar -xzf "$stage/$archive" -C "$stage/mlops"
    touch "$stage/mlops/.complete"
    mv "$stage/mlops" "$cache" 2>/dev/null || [ -f "$cache/.complete" ] || { rm -rf "$stage"; fail 4 "could not install into $cache."; }
    rm -rf "$stage"
  fi
  printf '%s' "$cache"
}

# A build of this checkout for this runner, once per job; prints its folder.
install_source() {
  local out
  out="$(unix_path "${RUNNER_TEMP:-${TMPDIR:-/tmp}}")/mlops-ci"
  if [ ! -f "$out/mlops.dll" ]; then
    command -v dotnet >/dev/null 2>&1 || fail 2 "building mlops from this action's checkout needs the .NET 10 SDK: add actions/setup-dotnet (dotnet-version: 10.0.x) before it, or pin a release tag (@v1), which needs none."
    # From the repository root, so our global.json picks the SDK; obj and bin in $RUNNER_TEMP
    # (--artifacts-path); no build servers left running after the step. This runner's runtime
    # only: the portable publish carries every platform's native libraries (~290 MB vs ~55 MB).
    if ! (cd "$root" && dotnet publish src/MlOps.Cli -c Release --use-current-runtime --self-contained false --artifacts-path "$out-build" -o "$out" --disable-build-servers --nologo -v quiet) >&2; then
      rm -rf "$out"
      fail 2 "could not build mlops from $root (the .NET SDK its global.json asks for: $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$root/global.json" | head -n 1) or a later feature band); add actions/setup-dotnet with dotnet-version 10.0.x, or pin a release tag."
    fi
    # On Linux and macOS a launcher named mlops that runs the build with the SDK's dotnet, wherever
    # it is installed; on Windows the build's own mlops.exe finds it (DOTNET_ROOT).
    if [[ "$(runtime)" != win-* ]]; then
      printf '#!/usr/bin/env bash\nexec dotnet "%s/mlops.dll" "$@"\n' "$out" >"$out/mlops"
      chmod +x "$out/mlops"
    fi
  fi
  printf '%s' "$out"
}

# The cache keys actions/setup uses on main: the build follows every source and build file of this
# checkout, the NuGet packages follow the files that pin them.
keys() {
  local files
  if [ -f "$release" ]; then
    echo "released=true"
    return
  fi
  echo "released=false"
  files="$(cd "$root" && find src global.json Directory.Build.props Directory.Packages.props -type f ! -path '*/bin/*' ! -path '*/obj/*' | LC_ALL=C sort)"
  echo "build=mlops-ci-build-$(runtime)-$(cd "$root" && printf '%s\n' "$files" | while IFS= read -r f; do printf '%s %s\n' "$(sha256 "$f")" "$f"; done | sha256_stdin)"
  echo "packages=mlops-ci-nuget-$(runtime)-$(cd "$root" && printf '%s\n' "$files" | grep -E '(\.csproj|Directory\.Packages\.props|global\.json)$' | while IFS= read -r f; do sha256 "$f"; done | sha256_stdin)"
}
case "${1:-}" in
  --keys) keys ;;
  --install)
    if [ -f "$release" ]; then folder="$(install_release)"; else folder="$(install_source)"; fi
    # As the runner's PATH takes it (a Windows path on Windows).
    if command -v cygpath >/dev/null 2>&1; then cygpath -w "$folder"; else printf '%s\n' "$folder"; fi
    ;;
  *)
    if [ -f "$release" ]; then
      folder="$(install_release)"
      if [[ "$(runtime)" == win-* ]]; then exec "$folder/mlops.exe" "$@"; else exec "$folder/mlops" "$@"; fi
    fi
    if command -v mlops >/dev/null 2>&1; then exec mlops "$@"; fi
    folder="$(install_source)"
    exec dotnet "$folder/mlops.dll" "$@"
    ;;
esac
