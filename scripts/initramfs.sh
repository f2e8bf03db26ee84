#!/usr/bin/env bash
# Build a small initramfs (gzip'd newc cpio) holding busybox, bpfbox and its
# applet links: boots to a shell, or runs a script and powers off.  The
# kernel matrix (tests/run-matrix.sh) boots it under qemu; it also makes a
# rescue image for debugging early boot with bpfbox (README).
#
#   scripts/initramfs.sh [-o OUT] [-b BPFBOX] [--run SCRIPT] [FILE...]
#
#   -o OUT         the image (default build/guest/initramfs.cpio.gz)
#   -b BPFBOX      the bpfbox binary (default ./bpfbox); the image is for
#                  its architecture (x86_64, or aarch64: ./bpfbox-aarch64)
#   --glibc        add the glibc runtime (ld.so, libc.so.6 at Debian's
#                  paths) of the image's architecture: FILEs may then be
#                  programs linked with it (the host's glibc, or for arm64
#                  Debian's libc6-arm64-cross, both bookworm's)
#   --run SCRIPT   /init runs it (as /etc/bpfbox/run) instead of a shell,
#                  then powers off; `bpfbox.shell` on the kernel command
#                  line gives the shell anyway
#   FILE...        more files for /bin (static programs: the image has no
#                  libc), e.g. the test workloads
#
# The shell and tools come from Debian's busybox-static package of the
# image's architecture, fetched once with the private apt configuration
# (scripts/apt-lib.sh) into build/busybox-static/ (arm64's into
# build/busybox-static-arm64/).  Another architecture's busybox and bpfbox
# are asked for their applets through qemu-user (qemu-aarch64).
#
# /init mounts proc, sysfs and devtmpfs and nothing else: tracefs and
# debugfs are left for bpfbox to mount when it needs them, as it must in
# an initramfs of its own.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/guest/initramfs.cpio.gz
BB=$ROOT/bpfbox
RUN=
GLIBC=0

say() { printf 'initramfs: %s\n' "$*"; }
die() { printf 'initramfs: error: %s\n' "$*" >&2; exit 1; }

. "$ROOT/scripts/apt-lib.sh"

# is_static FILE: an ELF file without a program interpreter, or a script.
is_static() {
    [[ $(head -c 2 "$1") == '#!' ]] && return 0
    readelf -lW "$1" 2>/dev/null | grep -q 'Program Headers' &&
        ! readelf -lW "$1" | grep -qw INTERP
}

# elf_arch FILE: its machine as uname -m names it (empty: not ELF, or
# another machine).
elf_arch() {
    case $(readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p') in
    *X86-64) echo x86_64 ;;
    AArch64) echo aarch64 ;;
    esac
}

# on_target CMD...: CMD (a program of the image's architecture) run here.
on_target() {
    if [[ $ARCH == "$(uname -m)" ]]; then
        "$@"
    else
        "qemu-$ARCH" "$@"
    fi
}

# busybox: Debian's static build (bookworm, as the build host), cached.
fetch_busybox() {
    local tmp=$BUSYBOX_DIR.tmp deb
    [[ -x $BUSYBOX_DIR/busybox ]] && return 0
    apt_arch "$DEB_ARCH"
    apt_fresh
    rm -rf "$tmp"
    mkdir -p "$tmp"
    (cd "$tmp" && apt_fetch download busybox-static/bookworm >"$tmp/download.log" 2>&1) \
        || { tail -n 5 "$tmp/download.log" >&2; die "apt-get download busybox-static failed"; }
    deb=$(echo "$tmp"/busybox-static_*.deb)
    dpkg-deb -x "$deb" "$tmp/x"
    install -m 755 "$tmp/x/bin/busybox" "$tmp/busybox"
    dpkg-deb -f "$deb" Version >"$tmp/version"
    rm -rf "$tmp/x" "$deb" "$tmp/download.log"
    rm -rf "$BUSYBOX_DIR"
    mv "$tmp" "$BUSYBOX_DIR"
    say "busybox-static $(cat "$BUSYBOX_DIR/version") -> ${BUSYBOX_DIR#"$ROOT"/}/busybox"
}

# add_glibc STAGE: the loader and libc.so.6 where Debian has them (the
# programs' PT_INTERP; bpfbox looks for libc in the multiarch directory).
add_glibc() {
    local from=/lib/x86_64-linux-gnu ld=/lib64/ld-linux-x86-64.so.2 lddir=lib64
    if [[ $ARCH != "$(uname -m)" ]]; then
        from=/usr/$ARCH-linux-gnu/lib ld=/usr/$ARCH-linux-gnu/lib/ld-linux-aarch64.so.1 lddir=lib
    fi
    mkdir -p "$1/$lddir" "$1/lib/$ARCH-linux-gnu"
    cp -L "$ld" "$1/$lddir/"
    cp -L "$from/libc.so.6" "$1/lib/$ARCH-linux-gnu/"
}

write_init() {
    cat >"$1" <<'EOF'
#!/bin/sh
# /init of a bpfbox initramfs (scripts/initramfs.sh).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel opened its console before /dev existed, if it had one.
exec </dev/console >/dev/console 2>&1
# Not tracefs, not debugfs: bpfbox mounts tracefs itself when it needs it.
ip link set lo up
run=/etc/bpfbox/run
case " $(cat /proc/cmdline) " in
*" bpfbox.shell "*) run= ;;
esac
if [ -n "$run" ] && [ -x "$run" ]; then
	"$run"
else
	echo "bpfbox initramfs: $(bpfbox --version | head -n 1); applets: $(bpfbox --list | tr '\n' ' ')"
	echo "(exit the shell to power off)"
	setsid cttyhack sh
fi
sync
poweroff -f
EOF
    chmod 755 "$1"
}

FILES=()
while (($#)); do
    case $1 in
    -o) OUT=$2; shift 2 ;;
    -b) BB=$2; shift 2 ;;
    --run) RUN=$2; shift 2 ;;
    --glibc) GLIBC=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) FILES+=("$1"); shift ;;
    esac
done
[[ -x $BB ]] || die "$BB is missing: run make"
[[ $BB == */* ]] || BB=./$BB	# run, not looked for in $PATH
is_static "$BB" || die "$BB is not a static executable"
ARCH=$(elf_arch "$BB")
case $ARCH in
x86_64) DEB_ARCH=amd64 BUSYBOX_DIR=$ROOT/build/busybox-static ;;
aarch64) DEB_ARCH=arm64 BUSYBOX_DIR=$ROOT/build/busybox-static-arm64 ;;
*) die "$BB is for neither x86_64 nor aarch64" ;;
esac
[[ -z $RUN || -r $RUN ]] || die "cannot read $RUN"
for f in "${FILES[@]}"; do
    [[ -r $f ]] || die "cannot read $f"
    ((GLIBC)) || [[ ! -x $f ]] || is_static "$f" ||
        die "$f is dynamically linked: the image has no libc (--glibc adds glibc)"
    [[ ! -x $f || $(head -c 2 "$f") == '#!' || $(elf_arch "$f") == "$ARCH" ]] ||
        die "$f is not an $ARCH program, as $BB is"
done

need_packages cpio gzip
[[ $ARCH == "$(uname -m)" ]] || need_packages qemu-user
((GLIBC == 0)) || [[ $ARCH == "$(uname -m)" ]] || need_packages "libc6-$DEB_ARCH-cross"
fetch_busybox

STAGE=$(mktemp -d /tmp/bpfbox-initramfs.XXXXXX)
trap 'rm -rf "$STAGE" "$OUT.tmp"' EXIT
mkdir -p "$STAGE"/{bin,dev,proc,sys,tmp,etc/bpfbox,sys/kernel}
install -m 755 "$BUSYBOX_DIR/busybox" "$STAGE/bin/busybox"
for a in $(on_target "$STAGE/bin/busybox" --list); do
    [[ -e $STAGE/bin/$a ]] || ln -s busybox "$STAGE/bin/$a"
done
install -m 755 "$BB" "$STAGE/bin/bpfbox"
# The applets by their own names, as `bpfbox --install` would make them.
for a in $(on_target "$BB" --list); do
    ln -sfn bpfbox "$STAGE/bin/$a"
done
for f in "${FILES[@]}"; do
    cp "$f" "$STAGE/bin/"
done
((GLIBC == 0)) || add_glibc "$STAGE"
[[ -z $RUN ]] || install -m 755 "$RUN" "$STAGE/etc/bpfbox/run"
write_init "$STAGE/init"

# Same inputs, same image: fixed times, owners and order.
find "$STAGE" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet | gzip -9 -n) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "${OUT#"$ROOT"/}: $(($(stat -c %s "$OUT") >> 10)) KB ($ARCH; busybox $(cat "$BUSYBOX_DIR/version"), bpfbox, ${#FILES[@]} more files${RUN:+, runs $(basename "$RUN")})"
