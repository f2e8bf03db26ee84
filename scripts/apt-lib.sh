# shellcheck shell=bash
# Debian packages: host tools for every script (scripts/deps.sh first),
# and for the kernel matrix (scripts/kernels.sh, scripts/initramfs.sh,
# tests/run-matrix.sh).  Sourced after setting ROOT and defining say/die.
#
#   need_packages PKG...    install the host packages that are missing
#                           (apt-get install --no-install-recommends)
#   want_packages PKG...    the same, but only a note when it fails
#   apt_fetch ARGS...       apt-get with the private configuration below
#   apt_query ARGS...       apt-cache with it
#   apt_fresh               apt_fetch update, unless done in the last hour
#   apt_arch ARCH           packages of Debian architecture ARCH (amd64,
#                           the default, or arm64) from now on: their own
#                           lists and cache (build/apt-deb-ARCH/)
#
# The private configuration (build/apt-deb/) has its own sources list,
# package lists and cache, as scripts/deps.sh has for its sources: binary
# packages of three Debian releases are fetched without touching /etc/apt
# and without the host ever knowing about bullseye or trixie.  Packages are
# only downloaded (apt-get download), never installed.

APT_PRIV=$ROOT/build/apt-deb
APT_ARCH=amd64
APT_MIRROR=http://deb.debian.org/debian
APT_SECURITY=http://deb.debian.org/debian-security

# Old ABI versions of the kernels leave the archive; the newest ones are
# often in the security suites first.
APT_SOURCES="\
deb $APT_MIRROR bullseye main
deb $APT_SECURITY bullseye-security main
deb $APT_MIRROR bookworm main
deb $APT_MIRROR bookworm-updates main
deb $APT_SECURITY bookworm-security main
deb $APT_MIRROR trixie main
deb $APT_SECURITY trixie-security main
"

# apt_opts: the private configuration's options, for $APT_ARCH.
apt_opts() {
    APT_OPTS=(
        -o "Dir::Etc::SourceList=$APT_PRIV/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$APT_PRIV/lists"
        -o "Dir::Cache=$APT_PRIV/cache"
        # An empty dpkg status: what the host has installed is not our business.
        -o "Dir::State::status=$APT_PRIV/status"
        # Only the architecture's own packages; the host's dpkg
        # architectures stay as they are.
        -o "APT::Architecture=$APT_ARCH"
        -o "APT::Architectures=$APT_ARCH"
        # The private dirs are root-owned; don't drop privileges to _apt just
        # to have it warn that it cannot write there.
        -o "APT::Sandbox::User=root"
        -q
    )
}
apt_opts

# A foreign architecture's packages go in a configuration of their own:
# an update with one architecture would delete the other's lists.
apt_arch() {
    APT_ARCH=$1
    APT_PRIV=$ROOT/build/apt-deb
    [[ $APT_ARCH == amd64 ]] || APT_PRIV+=-$APT_ARCH
    apt_opts
}

# install_missing PKG...: installs those not installed; false if apt fails
# (its output in $APT_PRIV/install.log).
install_missing() {
    local p missing=()
    for p in "$@"; do
        [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] \
            || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    mkdir -p "$APT_PRIV"
    # The host's package lists, read once an hour at most (each script of
    # a fresh `make test` may need something).
    if [[ -z $(find "$APT_PRIV/host-lists" -mmin -60 2>/dev/null) ]]; then
        apt-get update -qq -o DPkg::Lock::Timeout=600 >"$APT_PRIV/install.log" 2>&1 && touch "$APT_PRIV/host-lists"
    fi
    # Another apt-get (a parallel test, unattended-upgrades) may hold the
    # lock for a while: wait for it rather than fail.
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
        "${missing[@]}" >>"$APT_PRIV/install.log" 2>&1
}

need_packages() {
    install_missing "$@" ||
        { tail -n 20 "$APT_PRIV/install.log" >&2; die "apt-get install $* failed"; }
}

# want_packages PKG...: the same for what a script can do without: false,
# and a note, when they cannot be had.
want_packages() {
    install_missing "$@" && return 0
    say "note: cannot install $* ($(tail -n 1 "$APT_PRIV/install.log"))"
    return 1
}

apt_setup() {
    mkdir -p "$APT_PRIV/lists/partial" "$APT_PRIV/cache/archives/partial"
    [[ -f $APT_PRIV/status ]] || : >"$APT_PRIV/status"
    printf '%s' "$APT_SOURCES" >"$APT_PRIV/sources.list"
}

apt_fetch() {
    apt_setup
    apt-get "${APT_OPTS[@]}" "$@"
}

apt_query() {
    apt_setup
    apt-cache "${APT_OPTS[@]}" "$@"
}

# Lists younger than an hour are fresh enough (the scripts run one after
# the other in `make matrix`); REFRESH=1 always reads them again.
apt_fresh() {
    apt_setup
    if [[ -z ${REFRESH:-} && -n $(find "$APT_PRIV/updated" -mmin -60 2>/dev/null) ]]; then
        return 0
    fi
    say "reading the package lists of bullseye, bookworm and trixie"
    apt_fetch update >"$APT_PRIV/update.log" 2>&1 \
        || { tail -n 20 "$APT_PRIV/update.log" >&2; die "apt-get update failed"; }
    touch "$APT_PRIV/updated"
}
