#!/usr/bin/env bash
# Builds the BIOS images from source. Needs nasm (Debian package 'nasm').
# Usage: bios/build.sh [OUTPUT_DIR]   (default: bios/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"

# An option ROM's last byte makes all its bytes sum to zero (PCI FW 3.0, 5.1; the BIOS checks it).
fix_checksum() {
    local sum size
    sum=$(od -An -tu1 -v "$1" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print (256 - s % 256) % 256 }')
    size=$(stat -c %s "$1")
    printf "\\x$(printf %02x "$sum")" | dd of="$1" bs=1 seek=$((size - 1)) conv=notrunc status=none
}

nasm -f bin -I "$here/src/" -o "$out/bios.bin" "$here/src/bios.asm"
# The VGA BIOS option ROM.
nasm -f bin -I "$here/src/" -o "$out/vgabios.bin" "$here/src/vgabios.asm"
fix_checksum "$out/vgabios.bin"
# The -kernel loader, offered to the BIOS as fw_cfg file genroms/linuxboot.bin.
nasm -f bin -I "$here/src/" -o "$out/linuxboot.bin" "$here/src/linuxboot.asm"
fix_checksum "$out/linuxboot.bin"
# The Multiboot -kernel loader, fw_cfg file genroms/multiboot.bin.
nasm -f bin -I "$here/src/" -o "$out/multiboot.bin" "$here/src/multiboot.asm"
fix_checksum "$out/multiboot.bin"
