#!/bin/sh
# Runs inside a freshly debootstrapped target root file system: make systemd happy in a container.
set -e
# Units that make no sense in a container and slow its boot down.
for unit in getty.target console-getty.service systemd-udevd.service systemd-udev-trigger.service \
            systemd-modules-load.service sys-kernel-config.mount sys-kernel-debug.mount \
            systemd-remount-fs.service systemd-firstboot.service; do
  ln -sf /dev/null "/etc/systemd/system/$unit"
done
# No recommends, like a cloud image's unattended installs would be configured by our roles anyway.
printf 'APT::Install-Recommends "false";\n' >/etc/apt/apt.conf.d/90dockyard-norecommends
echo 'dockyard-target' >/etc/hostname
rm -f /etc/machine-id /var/lib/dbus/machine-id && touch /etc/machine-id
apt-get clean  # keep the package lists, as cloud images do
