#!/usr/bin/env bash
# Builds the demo disk image from source. Needs nasm (Debian package 'nasm').
# Usage: demo/build.sh [OUTPUT_DIR]   (default: demo/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
nasm -f bin -I "$here/src/" -o "$out/demo.img" "$here/src/demo.asm"
