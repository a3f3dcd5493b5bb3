#!/bin/bash
# Builds the Linux test guests from Debian's packages only (issue 9):
#   vmlinuz      the i386 "686" kernel from linux-image-686
#   initrd.img   a busybox-static initramfs whose /init prints a marker on the serial console
#                and the screen, runs a few commands, and powers off (or gives a shell with
#                init=/bin/sh-style "emu.shell" on the command line)
#   linux.iso    an ISOLINUX CD of the same kernel and initramfs
#   shell.iso    the same CD booting with emu.shell: shells on the serial console and on tty1
#                (the VGA console) instead of powering off
#   install.iso  the same CD booting the installer (emu.install): it partitions the first hard
#                disk, copies the system and kernel onto an ext2 file system and installs
#                EXTLINUX (Debian's extlinux and libc6, i386) so the disk boots by itself
#   xen.elf      Debian's Xen hypervisor (xen-hypervisor-*-amd64's /boot/xen-*.gz, decompressed):
#                a 32-bit ELF with a Multiboot 1 header, for -kernel's Multiboot loader
# Output goes to $EMU_GUEST_DIR (default ~/.cache/emu-guests), outside git; a second run with
# the same package versions does nothing. Needs: apt-get (with the i386 architecture, which this
# script adds), cpio, xorriso, isolinux, syslinux-common, gzip (.ci/run installs them).
set -euo pipefail

out="${EMU_GUEST_DIR:-$HOME/.cache/emu-guests}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"

for tool in cpio xorriso gzip apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (install Debian's package for it)" >&2; exit 1; }
done
[ -f /usr/lib/ISOLINUX/isolinux.bin ] || { echo "build.sh: /usr/lib/ISOLINUX/isolinux.bin is missing (apt-get install isolinux)" >&2; exit 1; }
[ -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ] || { echo "build.sh: ldlinux.c32 is missing (apt-get install syslinux-common)" >&2; exit 1; }

# The i386 package lists: apt-get download needs them even though nothing is installed.
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    $SUDO dpkg --add-architecture i386
    $SUDO apt-get update -qq || true
fi
if ! apt-cache show busybox-static:i386 >/dev/null 2>&1; then $SUDO apt-get update -qq || true; fi

kernel_pkg="$(apt-cache depends linux-image-686:i386 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
kernel_pkg="${kernel_pkg%:i386}"
[ -n "$kernel_pkg" ] || { echo "build.sh: cannot resolve linux-image-686:i386 (apt-get update?)" >&2; exit 1; }
kernel_ver="${kernel_pkg#linux-image-}"
busybox_ver="$(apt-cache policy busybox-static:i386 | awk '/Candidate:/ {print $2}')"
extlinux_ver="$(apt-cache policy extlinux:i386 | awk '/Candidate:/ {print $2}')"
xen_pkg="$(apt-cache depends xen-system-amd64 | awk '/Depends: xen-hypervisor-[0-9]/ {print $2; exit}')"
[ -n "$xen_pkg" ] || { echo "build.sh: cannot resolve xen-system-amd64's hypervisor package (apt-get update?)" >&2; exit 1; }
xen_ver="$(apt-cache policy "$xen_pkg" | awk '/Candidate:/ {print $2}')"
stamp="$kernel_pkg $busybox_ver $extlinux_ver $xen_pkg $xen_ver $(sha256sum "$here/build.sh" "$here/init" | sha256sum | cut -c1-16)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/install.iso" ] && [ -f "$out/shell.iso" ] && [ -f "$out/xen.elf" ]; then
    echo "guests up to date in $out ($stamp)"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# apt's sandbox user must be able to write here.
chmod 777 "$work"
apt-get download -q "$kernel_pkg:i386" "busybox-static:i386" "extlinux:i386" "libc6:i386" >/dev/null
dpkg-deb -x linux-image-*.deb kernel
dpkg-deb -x busybox-static_*.deb busybox

# The initramfs: busybox, the modules a disk/CD installer needs (Debian builds libata, the
# PIIX driver, SCSI disk/CD, ISO 9660 and ext4 as modules), and /init.
root="$work/root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,mnt,tmp,etc,root,lib/modules}
cp busybox/bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list 2>/dev/null || echo sh); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
moddir="kernel/lib/modules/$kernel_ver"
modules="ata_piix ata_generic sd_mod sr_mod isofs ext4 crc32c_generic"
mkdir -p "$root/lib/modules/$kernel_ver"
# Resolve dependencies from each module's own .modinfo "depends=" string (the package carries
# no modules.dep: depmod runs at install time), loading dependencies first.
find "$moddir/kernel" -name '*.ko' | sed "s|^$moddir/||" > "$work/all-modules"
module_path() { awk -v n="$(echo "$1" | tr - _)" '{ b = $0; sub(/.*\//, "", b); sub(/\.ko$/, "", b); gsub(/-/, "_", b); if (b == n) { print; exit } }' "$work/all-modules"; }
resolve() {
    local path dep
    path="$(module_path "$1")"
    [ -n "$path" ] || { echo "build.sh: module $1 not in $kernel_pkg" >&2; exit 1; }
    grep -qx "$path" "$work/load-order" && return 0
    for dep in $(tr '\0' '\n' < "$moddir/$path" | sed -n 's/^depends=//p' | head -1 | tr , ' '); do
        resolve "$dep"
    done
    grep -qx "$path" "$work/load-order" || echo "$path" >> "$work/load-order"
}
: > "$work/load-order"
for m in $modules; do resolve "$m"; done
while read -r path; do
    mkdir -p "$root/lib/modules/$kernel_ver/$(dirname "$path")"
    cp "$moddir/$path" "$root/lib/modules/$kernel_ver/$path"
    echo "/lib/modules/$kernel_ver/$path" >> "$root/etc/modules.order"
done < "$work/load-order"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > initrd.img

cp "kernel/boot/vmlinuz-$kernel_ver" vmlinuz

# The CDs: ISOLINUX boots the same kernel and initramfs; the installer's tools (EXTLINUX with
# the i386 libc it needs, and its MBR) are on the install CD under /install.
dpkg-deb -x extlinux_*.deb extlinux
dpkg-deb -x libc6_*.deb libc
make_iso() { # NAME EXTRA-APPEND [with-installer]
    local iso="$work/iso-$1"
    mkdir -p "$iso/isolinux"
    cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
    cp vmlinuz initrd.img "$iso/"
    if [ -n "${3:-}" ]; then
        mkdir -p "$iso/install"
        cp extlinux/usr/bin/extlinux extlinux/usr/lib/EXTLINUX/mbr.bin "$iso/install/"
        cp -L libc/lib/ld-linux.so.2 libc/lib/i386-linux-gnu/libc.so.6 "$iso/install/"
    fi
    cat > "$iso/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT linux
PROMPT 1
TIMEOUT 10
SAY emu test CD: booting linux $2
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=tty0 console=ttyS0,115200 $2
CFG
    xorriso -as mkisofs -quiet -o "$1" -V EMU_LINUX -J -R \
        -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
        "$iso" 2>/dev/null
}
make_iso linux.iso ""
make_iso install.iso "emu.install" with-installer
make_iso shell.iso "emu.shell"

# The Multiboot kernel: Xen's amd64 package (64-bit code behind a 32-bit Multiboot entry;
# mkelf32 made the image an ELF32), downloaded and unpacked only, never installed.
apt-get download -q "$xen_pkg:amd64" >/dev/null
dpkg-deb -x xen-hypervisor-*.deb xen
gzip -dc xen/boot/xen-*.gz > xen.elf

# Each file replaced by a rename, so an emulator still reading the old one keeps reading it whole.
for file in vmlinuz initrd.img linux.iso install.iso shell.iso xen.elf; do
    cp "$file" "$out/.$file.new"
    mv -f "$out/.$file.new" "$out/$file"
done
echo "$stamp" > "$out/stamp"
echo "guests built in $out: $(cd "$out" && ls -s vmlinuz initrd.img linux.iso install.iso shell.iso xen.elf | tr '\n' ' ')"
