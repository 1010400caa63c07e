#!/usr/bin/env bash
# Puts `hebb` on your PATH as a .NET tool: packs src/Cli into artifacts/ (about 1.5 minutes) and installs the package
# for your user (~/.dotnet/tools, which the .NET SDK asks you to put on PATH). Run it again after a change to reinstall.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Cli/Cli.csproj)
dotnet pack src/Cli -c Release -o artifacts -nologo -v quiet
dotnet tool uninstall --global Hebb >/dev/null 2>&1 || true
dotnet tool install --global Hebb --add-source artifacts --version "$version"
case ":$PATH:" in
  *":$HOME/.dotnet/tools:"*) echo "hebb $version is on your PATH: try hebb rules" ;;
  *) echo "hebb $version is in ~/.dotnet/tools; put it on your PATH: export PATH=\"\$PATH:\$HOME/.dotnet/tools\" (e.g. in ~/.bashrc)" ;;
esac
