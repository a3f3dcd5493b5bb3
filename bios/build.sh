#!/usr/bin/env bash
# Builds the BIOS images from source. Needs nasm (Debian package 'nasm').
# Usage: bios/build.sh [OUTPUT_DIR]   (default: bios/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
nasm -f bin -I "$here/src/" -o "$out/bios.bin" "$here/src/bios.asm"
# The VGA BIOS option ROM: its last byte makes all bytes sum to zero (PCI FW 3.0, 5.1).
nasm -f bin -I "$here/src/" -o "$out/vgabios.bin" "$here/src/vgabios.asm"
sum=$(od -An -tu1 -v "$out/vgabios.bin" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print (256 - s % 256) % 256 }')
size=$(stat -c %s "$out/vgabios.bin")
printf "\\x$(printf %02x "$sum")" | dd of="$out/vgabios.bin" bs=1 seek=$((size - 1)) conv=notrunc status=none
