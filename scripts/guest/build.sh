#!/usr/bin/env bash
# Builds the real guest Balloon Lab boots in the v86 emulator: Debian 12's 32-bit Linux 6.1 (686,
# unsigned), a busybox initramfs with the virtio modules the balloon needs, and SeaBIOS with its VGA
# BIOS (v86 ships no BIOS). Needs apt (Debian 12) with the i386 architecture added; run from the
# repository's root. Writes public/guest/ and public/guest/manifest.json (package versions and the
# SHA-256 of every file, for the GPL source offer). Idempotent: the same packages give the same files.
set -euo pipefail
out=public/guest
here=$(cd "$(dirname "$0")" && pwd)
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "adding the i386 architecture to apt"; dpkg --add-architecture i386; apt-get update -qq
fi
kpkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686-unsigned$' | sort -V | tail -1 | cut -d' ' -f1)
[ -n "$kpkg" ] || { echo "no Debian 6.1 686 kernel package found (apt-get update?)"; exit 1; }
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
(cd "$w" && apt-get download "$kpkg:i386" busybox-static:i386 seabios >/dev/null)
for f in "$w"/*.deb; do dpkg-deb -x "$f" "$w/x"; done
ir="$w/ir"; mkdir -p "$ir"/{bin,lib/modules,proc,sys,dev,tmp,mnt} "$out"
cp "$w/x/bin/busybox" "$ir/bin/busybox"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon; do
  f=$(find "$w/x/lib/modules" -name "$m.ko*" | head -1)
  [ -n "$f" ] || { echo "module $m not found in $kpkg"; exit 1; }
  case "$f" in
    *.xz) xz -dc "$f" >"$ir/lib/modules/$m.ko" ;;
    *) cp "$f" "$ir/lib/modules/$m.ko" ;;
  esac
done
cp "$here/init.sh" "$ir/init"; chmod +x "$ir/init"
# A reproducible archive: fixed times and owners, sorted names.
find "$ir" -exec touch -h -d @0 {} +
(cd "$ir" && find . | LC_ALL=C sort | "$w/x/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -n -9 >"$OLDPWD/$out/initrd.gz")
cp "$w"/x/boot/vmlinuz-* "$out/bzImage"
cp "$w/x/usr/share/seabios/bios.bin" "$w/x/usr/share/seabios/vgabios-stdvga.bin" "$out/"
version() { dpkg-deb -f "$w/$1" Version; }
{
  echo '{'
  echo '  "note": "Binaries from Debian 12 packages, GPL-2.0 (Linux, BusyBox) and LGPL-3.0 (SeaBIOS). Their sources: apt-get source <package>=<version>, or https://snapshot.debian.org/package/<source>/<version>/",'
  echo '  "packages": ['
  first=1
  for deb in "$w"/*.deb; do
    name=$(dpkg-deb -f "$deb" Package); src=$(dpkg-deb -f "$deb" Source); src=${src:-$name}
    [ $first = 1 ] || echo ','; first=0
    printf '    { "package": "%s", "version": "%s", "source": "%s" }' "$name" "$(dpkg-deb -f "$deb" Version)" "${src%% *}"
  done
  echo; echo '  ],'
  echo '  "files": {'
  first=1
  for f in bzImage initrd.gz bios.bin vgabios-stdvga.bin; do
    [ $first = 1 ] || echo ','; first=0
    printf '    "%s": { "bytes": %s, "sha256": "%s" }' "$f" "$(stat -c %s "$out/$f")" "$(sha256sum "$out/$f" | cut -d' ' -f1)"
  done
  echo; echo '  }'
  echo '}'
} >"$out/manifest.json"
echo "built $out/ from $kpkg:i386"; ls -l "$out"
