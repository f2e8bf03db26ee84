#!/usr/bin/env bash
# The kernel matrix: this very ./bpfbox on real Debian kernels (5.10, 6.1,
# 6.12; scripts/kernels.sh fetches them), and ./bpfbox-aarch64 on their
# arm64 builds, each booted under qemu with an initramfs
# (scripts/initramfs.sh) whose /init runs the guest tests
# (tests/matrix/guest.sh).  `make matrix` builds the images and runs this.
#
#   tests/run-matrix.sh [--readme] --image ARCH=INITRAMFS... [LABEL...]
#
#   --image    the image for ARCH's kernels (x86_64, aarch64), made with
#              the bpfbox of that architecture: ./bpfbox for the host's,
#              ./bpfbox-ARCH for another (whose sha256 the guest must see)
#   LABEL...   kernels to boot (default: all of `scripts/kernels.sh --list`
#              of the images' architectures)
#   --readme   also write the compatibility table into README.md
#
# Environment: MATRIX_TIMEOUT seconds a kernel may take, boot to power off
# (300: a hang fails; ~20 s is usual; twice that for arm64's, whose
# emulation is 2-4 times slower); MATRIX_JOBS kernels booted at once
# (one per CPU: each emulator is one busy thread).
#
# qemu emulates (TCG, -cpu max): /dev/kvm, where there is one, may not run
# these kernels (a paravirtual KVM: they hang at boot).  It boots the ELF
# vmlinux through its PVH entry, 3-4 s to a shell; arm64's Image on the
# virt board (-M virt), ~10 s.  qemu's exit status says nothing about the
# tests: the guest writes its results to a second serial port
# (build/matrix/LABEL.results; printk only writes to the first, the
# console, kept in build/matrix/LABEL.console), and the last result line
# is the verdict.  No verdict (a crash, a panic, a hang) is a failure.
# arm64's virt board has one UART (the console, ttyAMA0): the results go
# to a PCI serial port, ttyS0 in the guest (bpfbox.results=ttyS0).
#
# Prints one line per kernel and the failed checks, writes the table
# (kernel x applet: attach methods used, fallbacks proven) to
# build/matrix/compat.md, and exits 1 if any kernel failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/matrix
HOST_ARCH=$(uname -m)
TIMEOUT=${MATRIX_TIMEOUT:-300}
JOBS=${MATRIX_JOBS:-$(nproc)}
README=0

say() { printf 'matrix: %s\n' "$*"; }
die() { printf 'matrix: error: %s\n' "$*" >&2; exit 1; }

. "$ROOT/scripts/apt-lib.sh"

# Per architecture: its image, its bpfbox and that one's sha256.
declare -A IMAGE BB SHA
ARCHS=()
while (($#)); do
    case $1 in
    --readme) README=1; shift ;;
    --image)
        [[ ${2:-} == *=* ]] || die "--image wants ARCH=INITRAMFS"
        a=${2%%=*}
        IMAGE[$a]=${2#*=}
        BB[$a]=$ROOT/bpfbox
        [[ $a == "$HOST_ARCH" ]] || BB[$a]=$ROOT/bpfbox-$a
        ARCHS+=("$a")
        shift 2 ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
((${#ARCHS[@]})) || die "usage: tests/run-matrix.sh [--readme] --image ARCH=INITRAMFS... [LABEL...]"
for a in "${ARCHS[@]}"; do
    [[ -r ${IMAGE[$a]} ]] || die "no ${IMAGE[$a]}: run 'make matrix'"
    [[ -x ${BB[$a]} ]] || die "no ${BB[$a]}: run make ARCH=$a"
    SHA[$a]=$(sha256sum "${BB[$a]}" | cut -d' ' -f1)
done

# The kernels' architectures (scripts/kernels.sh --list ARCH).
declare -A KARCH
for a in x86_64 aarch64; do
    for l in $("$ROOT/scripts/kernels.sh" --list $a); do
        KARCH[$l]=$a
    done
done
LABELS=("$@")
if ((${#LABELS[@]} == 0)); then
    for a in "${ARCHS[@]}"; do
        mapfile -t -O "${#LABELS[@]}" LABELS < <("$ROOT/scripts/kernels.sh" --list "$a")
    done
fi
for l in "${LABELS[@]}"; do
    [[ -n ${KARCH[$l]:-} ]] || die "unknown kernel '$l' (known: ${!KARCH[*]})"
    [[ -n ${IMAGE[${KARCH[$l]}]:-} ]] || die "$l is an ${KARCH[$l]} kernel: no image for it (--image)"
done
((README == 0 || $# == 0)) || die "--readme wants every kernel: give no LABEL"

# on_arch ARCH CMD...: an ARCH program run here (qemu-user for another's).
on_arch() {
    local a=$1
    shift
    if [[ $a == "$HOST_ARCH" ]]; then
        "$@"
    else
        "qemu-$a" "$@"
    fi
}

for a in "${ARCHS[@]}"; do
    case $a in
    x86_64) need_packages qemu-system-x86 ;;
    aarch64) need_packages qemu-system-arm ;;
    esac
    [[ $a == "$HOST_ARCH" ]] || need_packages qemu-user
done
"$ROOT/scripts/kernels.sh" "${LABELS[@]}"
mkdir -p "$OUT"

# qemu_cmd LABEL: QEMU=(the emulator and the machine for LABEL's
# architecture, with its kernel, its console and its results port).
qemu_cmd() {
    local l=$1 k=$ROOT/build/kernels/$1
    case ${KARCH[$l]} in
    x86_64)
        QEMU=(qemu-system-x86_64 -accel tcg -cpu max -M pc
              -kernel "$k/vmlinux"
              -append 'console=ttyS0 panic=-1 oops=panic quiet'
              -serial "file:$OUT/$l.console" -serial "file:$OUT/$l.results") ;;
    aarch64)
        # pauth-impdef: QEMU's own pointer-authentication hash, much
        # faster to emulate than the architected one (and as good here).
        QEMU=(qemu-system-aarch64 -accel tcg -cpu max,pauth-impdef=on -M virt
              -kernel "$k/Image"
              -append 'console=ttyAMA0 panic=-1 oops=panic quiet bpfbox.results=ttyS0'
              -serial "file:$OUT/$l.console"
              -chardev "file,id=results,path=$OUT/$l.results" -device pci-serial,chardev=results) ;;
    esac
}

timeout_for() {
    if [[ ${KARCH[$1]} == x86_64 ]]; then
        echo "$TIMEOUT"
    else
        echo $((TIMEOUT * 2))
    fi
}

# boot LABEL: the kernel with the image, results in $OUT/LABEL.*; the
# exit status of timeout+qemu in LABEL.rc (124: the time ran out).
boot() {
    local l=$1 rc=0 start=$SECONDS QEMU
    rm -f "$OUT/$l".{console,results,qemu,rc,secs}
    qemu_cmd "$l"
    timeout -k 10 "$(timeout_for "$l")" "${QEMU[@]}" -nodefaults -no-user-config \
        -m 1G -smp 1 -display none -no-reboot -initrd "${IMAGE[${KARCH[$l]}]}" \
        </dev/null >"$OUT/$l.qemu" 2>&1 || rc=$?
    echo $rc >"$OUT/$l.rc"
    echo $((SECONDS - start)) >"$OUT/$l.secs"
}

# results LABEL: the result lines, without the serial port's CRs.
results() {
    { tr -d '\r' <"$OUT/$1.results"; } 2>/dev/null | grep -E '^MATRIX' || true
}

# verdict LABEL: prints why LABEL failed, or nothing when it passed.
verdict() {
    local l=$1 rc v boot
    rc=$(cat "$OUT/$l.rc")
    v=$(results "$l" | awk '$1 == "MATRIX-VERDICT"' | tail -n 1)
    boot=$(results "$l" | awk '$1 == "MATRIX-BOOT"' | head -n 1)
    if [[ -z $boot ]]; then
        [[ $rc == 124 ]] && echo "hung: no result after $(timeout_for "$l")s" && return
        echo "the guest tests never started (qemu exit status $rc)"
    elif [[ ${boot##* } != "${SHA[${KARCH[$l]}]}" ]]; then
        echo "the guest ran another bpfbox (sha256 ${boot##* }): rebuild the image"
    elif [[ -z $v ]]; then
        [[ $rc == 124 ]] && echo "hung: no verdict after $(timeout_for "$l")s" && return
        echo "no verdict: the guest died (qemu exit status $rc)"
    elif [[ $(awk '{ print $3 }' <<<"$v") != PASS ]]; then
        echo "$(awk '{ print $5 }' <<<"$v") of $(awk '{ print $4 + $5 }' <<<"$v") checks failed"
    fi
}

# ---- boot every kernel ------------------------------------------------------

((JOBS <= ${#LABELS[@]})) || JOBS=${#LABELS[@]}
for a in "${ARCHS[@]}"; do
    say "$a: ${IMAGE[$a]#"$ROOT"/} ($(($(stat -c %s "${IMAGE[$a]}") >> 10)) KB)"
done
say "booting ${LABELS[*]}, $JOBS at a time, ${TIMEOUT}s each at most (arm64's $((TIMEOUT * 2))s)"
START=$SECONDS
running=0
# The emulated architectures' kernels first: the slowest, they would
# otherwise end the run alone on one CPU.
for l in $(for l in "${LABELS[@]}"; do
               [[ ${KARCH[$l]} == "$HOST_ARCH" ]] || echo "$l"
           done
           for l in "${LABELS[@]}"; do
               [[ ${KARCH[$l]} != "$HOST_ARCH" ]] || echo "$l"
           done); do
    if ((running >= JOBS)); then
        wait -n
        running=$((running - 1))
    fi
    boot "$l" &
    running=$((running + 1))
done
wait

# ---- verdicts ---------------------------------------------------------------------

failed=0
for l in "${LABELS[@]}"; do
    read -r pkg ver rel <"$ROOT/build/kernels/$l/package"
    why=$(verdict "$l")
    n=$(results "$l" | grep -c '^MATRIX .* PASS ' || true)
    if [[ -z $why ]]; then
        say "$l: PASS, $n checks in $(cat "$OUT/$l.secs")s ($pkg $ver, $rel, ${KARCH[$l]})"
        continue
    fi
    failed=1
    say "$l: FAIL: $why ($pkg $ver, $rel, ${KARCH[$l]})"
    results "$l" | grep '^MATRIX .* FAIL ' | sed 's/^/    /' || true
    say "$l: the console (build/matrix/$l.console) ends with:"
    tr -d '\r' <"$OUT/$l.console" | tail -n 30 | sed 's/^/    | /'
done

# ---- the compatibility table --------------------------------------------------------

# cells LABEL: "APPLET|cell" per applet, from the result lines: ok or how
# many checks failed; the methods its default runs attached with, by hook
# ("skb" for skb:kfree_skb, "uprobes" for a set of uprobes); the other
# methods that --attach forced, and that passed.
cells() {
    results "$1" | awk '
    function add(list, item) {
        return index(", " list ", ", ", " item ", ") ? list : list (list == "" ? "" : ", ") item
    }
    $1 == "MATRIX-ATTACH" {
        a = $3; h = $4; m = $5; apps[a] = 1
        if (m == "" || m == "-") next
        sub(/:.*/, "", h)
        if ($6 ~ /noreason/) m = m "` (no drop reasons)"
        else m = m "`"
        used[a] = add(used[a], h " `" m)
        dflt[a, $5] = 1
        next
    }
    $1 == "MATRIX" {
        a = $3; apps[a] = 1
        if ($4 == "FAIL") bad[a]++
        else good[a]++
        if ($5 != "--attach") next
        f = $6; sub(/:$/, "", f)
        n = split(f, fm, ",")
        for (i = 1; i <= n; i++) {
            if (fm[i] == "uretprobe") continue
            if ($4 == "FAIL") forced_bad[a, fm[i]] = 1
            else forced[a] = add(forced[a], fm[i])
        }
    }
    END {
        for (a in apps) {
            c = bad[a] ? "**FAIL** (" bad[a] " of " bad[a] + good[a] " checks)" : "ok"
            if (used[a] != "") c = c ": " used[a]
            n = split(forced[a], fl, ", "); s = ""
            for (i = 1; i <= n; i++)
                if (!((a, fl[i]) in forced_bad) && !((a, fl[i]) in dflt))
                    s = add(s, "`" fl[i] "`")
            if (s != "") c = c "; also " s
            print a "|" c
        }
    }'
}

table() {
    local l apps a pkg ver rel uname head sep row qemu
    apps=$(for a in "${ARCHS[@]}"; do on_arch "$a" "${BB[$a]}" --list; done | sort -u)
    head="| kernel | Debian package |"
    sep="|---|---|"
    for a in $apps; do
        head+=" $a |"
        sep+="---|"
    done
    echo "$head"
    echo "$sep"
    for l in "${LABELS[@]}"; do
        read -r pkg ver rel <"$ROOT/build/kernels/$l/package"
        uname=$(results "$l" | awk '$1 == "MATRIX-BOOT" { print $2; exit }')
        row="| ${uname:-$l} | \`$pkg\` $ver ($rel) |"
        for a in $apps; do
            row+=" $(cells "$l" | awk -F'|' -v a="$a" '$1 == a { print $2 }') |"
        done
        [[ -n $(verdict "$l") ]] && row+=" **$(verdict "$l")**"
        echo "$row"
    done
    echo
    for a in "${ARCHS[@]}"; do
        qemu+="${qemu:+; }$a: qemu-system-$a $(qemu-system-"$a" --version | head -n 1 |
            sed 's/ *(.*//;s/.*version //')"
    done
    echo "Generated by \`make matrix\` on $(date -u +%F) ($(on_arch "${ARCHS[0]}" "${BB[${ARCHS[0]}]}" --version | head -n 1);" \
        "TCG, $qemu)."
}

table >"$OUT/compat.md"
say "kernel x applet: attach methods of the default runs; fallbacks forced with --attach that passed"
sed 's/^/    /' "$OUT/compat.md"

if ((README)); then
    grep -q '^<!-- matrix:begin' "$ROOT/README.md" || die "README.md has no <!-- matrix:begin --> marker"
    awk -v f="$OUT/compat.md" '
        /^<!-- matrix:begin/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
        /^<!-- matrix:end/ { skip = 0 }
        !skip' "$ROOT/README.md" >"$ROOT/README.md.tmp"
    mv "$ROOT/README.md.tmp" "$ROOT/README.md"
    say "README.md: table updated"
fi
say "took $((SECONDS - START))s"
exit $failed
