#!/bin/busybox sh
# The real guest's init: busybox's tools, /proc, /sys, /dev and a tmpfs to fill, the virtio modules in
# the order they depend on each other, then a shell on the serial console (ttyS0).
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs -o size=90% tmpfs /tmp
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon; do insmod /lib/modules/$m.ko; done
grep -E 'MemTotal|MemFree|MemAvailable' /proc/meminfo
echo GUEST-READY
exec setsid cttyhack sh
