#!/usr/bin/env bash
# The initramfs-tools hook users install (scripts/initramfs-tools/hooks/bpfbox),
# run against Debian's own hook-functions, as update-initramfs would run it:
# DESTDIR an image tree being built, copy_exec the real one.  The package
# (initramfs-tools-core) is downloaded and unpacked under build/, never
# installed: the hook is pointed at its hook-functions.  (Booting such an
# image is what the kernel matrix does, with scripts/initramfs.sh.)
#
# The last line is "e2e-initramfs: N passed, N failed"; the exit status is
# 1 if anything failed.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=${BPFBOX:-$TOP/bpfbox}
HOOK=$TOP/scripts/initramfs-tools/hooks/bpfbox
PKGDIR=$TOP/build/initramfs-tools

. "$TOP/tests/e2e/lib.sh"
e2e_begin e2e-initramfs "downloads Debian's initramfs-tools-core" "$BB" "$HOOK"

# hook_functions: bookworm's hook-functions, unpacked once under build/
# (fetched with the matrix's private apt configuration: scripts/apt-lib.sh).
hook_functions() {
	local f=$PKGDIR/root/usr/share/initramfs-tools/hook-functions
	if [ ! -r "$f" ]; then
		mkdir -p "$PKGDIR"
		(
			ROOT=$TOP
			say() { echo "e2e-initramfs: $*"; }
			die() { echo "e2e-initramfs: $*" >&2; exit 1; }
			. "$TOP/scripts/apt-lib.sh"
			apt_fresh
			cd "$PKGDIR" && rm -f ./*.deb &&
				apt_fetch download initramfs-tools-core/bookworm &&
				dpkg-deb -x ./*.deb root
		) >"$T/download.log" 2>&1 || { cat "$T/download.log" >&2; return 1; }
	fi
	echo "$f"
}

# run_hook NAME PATH-DIRS: the hook with DESTDIR $T/NAME and PATH as given
# (where it looks for bpfbox), output in $T/NAME.out and .err.
run_hook() {
	local name=$1 path=$2
	G=$T/$name
	mkdir -p "$G"
	sed "s|^\. /usr/share/initramfs-tools/hook-functions$|. $HF|" "$HOOK" >"$T/hook"
	DESTDIR=$G verbose=n PATH=$path sh "$T/hook" >"$G.out" 2>"$G.err"
	RC=$?
	SHOW=("$G.out" "$G.err")
}

# links_ok DIR: a link per applet of `bpfbox --list`, each to bpfbox.
links_ok() {
	local a n=0
	for a in $("$BB" --list); do
		[ "$(readlink "$1/$a")" = bpfbox ] || { echo "     no link $a -> bpfbox"; return 1; }
		n=$((n + 1))
	done
	[ $n -gt 0 ]
}

if ! HF=$(hook_functions); then
	check "initramfs-tools-core downloaded" false
	e2e_end
	exit
fi
check "the hook sources Debian's hook-functions (the line it rewrites here)" \
	grep -qx '\. /usr/share/initramfs-tools/hook-functions' "$HOOK"

BIN=$T/bin
mkdir -p "$BIN"
cp "$BB" "$BIN/bpfbox"
run_hook image "$BIN:/usr/bin:/bin:/usr/sbin:/sbin"
check "hook: exit 0, nothing on stderr" eval "eq 'exit status' 0 $RC && eq stderr '' \"\$(cat '$G.err')\""
check "hook: /usr/bin/bpfbox in the image, the same file" cmp "$BB" "$G/usr/bin/bpfbox"
check "hook: a link per applet next to it" links_ok "$G/usr/bin"
check "hook: no library brought along (bpfbox is static)" \
	eval "eq 'files besides usr/bin' '' \"\$(cd '$G' && find . -type f ! -path './usr/bin/*')\""

if PATH=/usr/bin:/bin command -v bpfbox >/dev/null || [ -e /usr/local/bin/bpfbox ]; then
	skip "hook without bpfbox: this machine has one installed"
else
	run_hook none "/usr/bin:/bin"
	check "hook without bpfbox: exit 0 (the image still builds), a warning, nothing added" \
		eval "eq 'exit status' 0 $RC && grep -q '^W: bpfbox hook: no bpfbox' '$G.err' &&
		      eq 'files' '' \"\$(find '$G' -mindepth 1)\""
fi

e2e_end
