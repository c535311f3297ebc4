#!/usr/bin/env bash
# The whole test suite: installs what it needs, checks formatting, builds, and runs every test project.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/ensure-deps.sh
dotnet format Fenix.slnx --verify-no-changes
dotnet build Fenix.slnx -c Debug --nologo -v quiet
dotnet test Fenix.slnx -c Debug --no-build --nologo "$@"
