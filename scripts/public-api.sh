#!/usr/bin/env bash
# Brings the PublicAPI.*.txt files of the packages in src/ in line with the code (see docs/api.md):
#   scripts/public-api.sh                      every project under src/
#   scripts/public-api.sh src/Fenix.Client     only these
# Creates missing files, adds each new public symbol to PublicAPI.Unshipped.txt (RS0016, through the analyzer's own
# code fix), and records each symbol that is gone (RS0017): deleted from Unshipped, or marked *REMOVED* when shipped.
# Review the diff: it is the API change.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

projects=()
if [ $# -eq 0 ]; then
  for dir in src/*/; do projects+=("${dir%/}"); done
else
  projects=("${@%/}")
fi

for dir in "${projects[@]}"; do
  csproj=$(ls "$dir"/*.csproj 2>/dev/null | head -n 1)
  [ -n "$csproj" ] || { echo "no project in $dir" >&2; exit 1; }
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$file" ] || printf '#nullable enable\n' > "$dir/$file"
  done

  echo "== $dir"
  # Symbols that are no longer public: RS0017 has no code fix, so read them from a full (not incremental) build.
  # Only this project's diagnostics: the build also reports those of the projects it references.
  removed=$(dotnet build "$csproj" -c Debug --nologo -v quiet --no-incremental -p:TreatWarningsAsErrors=false 2>&1 \
    | grep -F "[$root/$csproj]" \
    | sed -n "s/.*RS0017: Symbol '\(.*\)' is part of the declared API.*/\1/p" | sort -u || true)
  while IFS= read -r symbol; do
    [ -n "$symbol" ] || continue
    if grep -qxF -- "$symbol" "$dir/PublicAPI.Unshipped.txt"; then
      grep -vxF -- "$symbol" "$dir/PublicAPI.Unshipped.txt" > "$dir/PublicAPI.Unshipped.txt.tmp"
      mv "$dir/PublicAPI.Unshipped.txt.tmp" "$dir/PublicAPI.Unshipped.txt"
    else
      printf '*REMOVED*%s\n' "$symbol" >> "$dir/PublicAPI.Unshipped.txt"
    fi
    echo "  removed: $symbol"
  done <<< "$removed"

  # New public symbols: the analyzer's code fix appends them to PublicAPI.Unshipped.txt.
  dotnet format analyzers "$csproj" --diagnostics RS0016 RS0037 --severity warn -v quiet
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true
