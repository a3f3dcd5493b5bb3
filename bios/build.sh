#!/usr/bin/env bash
# Builds the BIOS images from source. Needs nasm (Debian package 'nasm').
# Usage: bios/build.sh [OUTPUT_DIR]   (default: bios/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
nasm -f bin -I "$here/src/" -o "$out/bios.bin" "$here/src/bios.asm"
