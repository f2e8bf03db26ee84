# bpfbox: one static musl binary holding eBPF diagnostic tools.
#
#   make          dependencies (first time), BPF objects, the binary ./bpfbox
#   make ARCH=arm64   the same cross-built for 64-bit ARM: ./bpfbox-aarch64
#                 (objects in build/aarch64/, libraries in build/deps-arm64/);
#                 `make bpfbox-aarch64` does it from a native make
#   make dist     dist/bpfbox-x86_64, dist/bpfbox-aarch64 and their SHA256SUMS
#   make test     everything below but bench: check, then matrix
#   make check    host tests only: unit tests (no root), then end-to-end
#                 tests (root, the running kernel)
#   make unit     unit tests only
#   make matrix   the kernel matrix: ./bpfbox on Debian's 5.10, 6.1 and 6.12
#                 kernels under qemu (fetched once into build/kernels), and
#                 ./bpfbox-aarch64 on their arm64 builds (qemu-system-aarch64);
#                 KERNELS="5.10 6.1-arm64" for some only, ARCHS=x86_64 or
#                 ARCHS=aarch64 for one architecture's
#   make matrix-readme   the same, and its table into README.md
#   make bench    benchmarks against peers (tests/bench/)
#   make asan     unit tests and every fuzz corpus replayed under ASan+UBSan
#                 (a glibc build of the same sources in build/asan; part of check)
#   make fuzz     every tests/fuzz/fuzz_*.c built with libFuzzer and run for
#                 FUZZ_SECONDS each (default 30); new crashers are kept in
#                 tests/fuzz/corpus/NAME/ and replayed by make asan from then on
#
# Adding an applet: applets/X.c (+ bpf/X.bpf.c, bpf/X.h), its private
# modules in applets/X/*.c (unit-testable: linked into the unit tests too).
# Nothing here names applets; the wildcards below pick them up, for every ARCH.

# The architecture built (uname -m's names; arm64 is aarch64).  Another
# than the host's is cross-built: its own libraries (scripts/deps.sh ARCH),
# objects under build/ARCH/, the binary ./bpfbox-ARCH.
HOST_ARCH := $(shell uname -m)
ARCH      ?= $(HOST_ARCH)
# (The kernel's names too, as an ARCH left in the environment by a kernel
# build would be: x86, arm64.)
override ARCH := $(patsubst arm64,aarch64,$(patsubst x86,x86_64,$(patsubst amd64,x86_64,$(ARCH))))
ARCHS     ?= x86_64 aarch64
# The kernel's and clang's name for it (__TARGET_ARCH_x, bpf_tracing.h).
BPF_ARCH   = $(patsubst aarch64,arm64,$(patsubst x86_64,x86,$(ARCH)))

BUILD    := build
CLANG    ?= clang
BPFTOOL  ?= bpftool
ifeq ($(ARCH),$(HOST_ARCH))
OBJ      := $(BUILD)
DEPS     := $(BUILD)/deps
CC       := musl-gcc
GLIBC_CC := gcc
STRIP    ?= strip
BIN      := bpfbox
else
ifeq ($(ARCH),aarch64)
CROSS    := aarch64-linux-gnu-
DEPS     := $(BUILD)/deps-arm64
else
$(error ARCH=$(ARCH): only x86_64 and aarch64 (arm64) are built)
endif
OBJ      := $(BUILD)/$(ARCH)
CC       := $(DEPS)/bin/$(ARCH)-linux-musl-gcc
GLIBC_CC := $(CROSS)gcc
STRIP    := $(CROSS)strip
BIN      := bpfbox-$(ARCH)
# aarch64's 64 KiB segment alignment put ~32 KiB of padding before a RELRO
# end; musl's static start never write-protects RELRO, so none is made.
ARCH_LDFLAGS := -Wl,-z,norelro
endif
# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2);
endif

WARN     := -Wall -Wextra -Werror -Wno-missing-field-initializers
# No unwind tables: nothing unwinds bpfbox itself, and .eh_frame would stay
# in the stripped file (gdb reads -g's .debug_frame in BIN.unstripped).
CFLAGS   := -Os -g -std=gnu11 $(WARN) -ffunction-sections -fdata-sections \
	    -fno-asynchronous-unwind-tables -fno-unwind-tables \
	    -I$(OBJ) -Ibpf -iquote common -I$(DEPS)/include -idirafter $(DEPS)/uapi
LDFLAGS  := -static -Wl,--gc-sections -L$(DEPS)/lib $(ARCH_LDFLAGS)
LDLIBS   := -lbpf -lelf -lz -ldemangle
BPFFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror -Ibpf -I$(DEPS)/include

# traceloop: fetch-and-add (-mcpu=v3), used only where the kernel has it (5.12+).
BPFFLAGS_traceloop := -mcpu=v3

COMMON_SRC  := $(wildcard common/*.c)
APPLET_MOD_SRC := $(wildcard applets/*/*.c)
APPLET_SRC  := $(wildcard applets/*.c) $(APPLET_MOD_SRC)
BPF_SRC     := $(wildcard bpf/*.bpf.c)
COMMON_OBJ  := $(COMMON_SRC:%.c=$(OBJ)/%.o)
APPLET_OBJ  := $(APPLET_SRC:%.c=$(OBJ)/%.o)
APPLET_MOD_OBJ := $(APPLET_MOD_SRC:%.c=$(OBJ)/%.o)
SKELS       := $(BPF_SRC:bpf/%.bpf.c=$(OBJ)/%.skel.h)
DEPS_STAMP  := $(DEPS)/.stamp

.PHONY: all test check unit e2e matrix matrix-readme bench clean distclean deps dist FORCE \
	asan fuzz
.SECONDARY:

MAKEFLAGS += --no-print-directory

all: $(BIN)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh $(wildcard scripts/patches/libbpf/*.patch)
	scripts/deps.sh $(ARCH)

# Build tools run on the build host: built with the host's musl against the
# host's libraries (build/deps), whatever ARCH is.
HOST_DEPS := $(BUILD)/deps
BTFSLIM   := $(BUILD)/host/btfslim
$(BTFSLIM): scripts/btfslim.c | $(HOST_DEPS)/.stamp
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)musl-gcc -O2 -std=gnu11 $(WARN) -static -I$(HOST_DEPS)/include \
		-idirafter $(HOST_DEPS)/uapi -o $@ $< -L$(HOST_DEPS)/lib -lbpf -lelf -lz
ifneq ($(ARCH),$(HOST_ARCH))
$(HOST_DEPS)/.stamp: scripts/deps.sh $(wildcard scripts/patches/libbpf/*.patch)
	scripts/deps.sh $(HOST_ARCH)
endif

# BPF: compile, link (drops DWARF, keeps BTF), then the skeleton embeds it.
$(OBJ)/bpf/%.bpf.o: bpf/%.bpf.c bpf/*.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CLANG,$@)
	$(Q)$(CLANG) $(BPFFLAGS) $(BPFFLAGS_$*) -c $< -o $@

# scripts/btfslim.c then drops what loading does not need: .BTF.ext's
# line_info but each function's first line, with the source text it points
# to, and the bodies of kernel structs that are only pointed to (the five
# objects, gzip'd: 219 -> 132 KB).
# `make BTF_LINES=1` leaves the objects whole, for verifier logs with source
# lines (the mode is kept in a file that changes with it: switching rebuilds
# the objects; written as the Makefile is read, as .SECONDARY would not
# remake a missing stamp).
BTF_MODE := $(OBJ)/bpf/.btf-mode
ifneq ($(shell cat $(BTF_MODE) 2>/dev/null),$(if $(BTF_LINES),lines,slim))
$(shell mkdir -p $(OBJ)/bpf && echo $(if $(BTF_LINES),lines,slim) >$(BTF_MODE))
endif
$(OBJ)/bpf/%.o: $(OBJ)/bpf/%.bpf.o $(BTF_MODE) $(if $(BTF_LINES),,$(BTFSLIM))
	$(call say,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $<
	$(Q)llvm-strip -g $@
	$(Q)$(if $(BTF_LINES),true,$(BTFSLIM) $@)

# The skeleton embeds the object gzip-compressed (common/bpfobj.c inflates
# it): its X__elf_bytes() body is replaced, the rest is bpftool's.
$(OBJ)/%.gz.h: $(OBJ)/bpf/%.o
	$(Q){ echo 'static const unsigned char $*_bpf_gz[] = {'; \
	     gzip -9 -n -c $< | od -An -v -tx1 | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	     echo '};'; } > $@.tmp && mv $@.tmp $@

$(OBJ)/%.skel.h: $(OBJ)/bpf/%.o $(OBJ)/%.gz.h
	$(call say,SKEL,$@)
	$(Q){ echo '#include "bpfobj.h"'; echo '#include "$*.gz.h"'; \
	     $(BPFTOOL) gen skeleton $< name $*_bpf | awk -v gz=$*_bpf_gz ' \
		/__elf_bytes\(size_t \*sz\)$$/ { print; print "{"; \
			print "\treturn bb_bpf_inflate(" gz ", sizeof(" gz "), sz);"; \
			print "}"; skip = 1; next } \
		skip && /^}$$/ { skip = 0; next } \
		skip { next } \
		{ print }'; } > $@.tmp && mv $@.tmp $@

# Objects an applet preloads into a program it starts (applets/X/preload/
# Y.c): built for ARCH with its glibc compiler, no C library linked (what
# they call is bound to the target's libc at load time), stripped, and
# embedded gzip-compressed as $(OBJ)/Y.gz.h (bb_bpf_inflate unpacks it).
PRELOAD_SRC := $(wildcard applets/*/preload/*.c)
PRELOAD_GZ  := $(foreach s,$(PRELOAD_SRC),$(OBJ)/$(basename $(notdir $(s))).gz.h)
PRELOAD_FLAGS := -shared -fPIC -nostdlib -O2 -fno-stack-protector -fvisibility=hidden \
	-fno-omit-frame-pointer \
	-ftls-model=initial-exec $(WARN) -Wl,-z,now -Wl,-z,noseparate-code \
	-Wl,--hash-style=gnu -Wl,--build-id=none
# arm64: atomics inline (gcc's default calls libgcc's __aarch64_* helpers,
# which no libc exports: the loader would refuse the object).
PRELOAD_FLAGS_aarch64 := -mno-outline-atomics
# TLS descriptors (arm64's default): a dlopen'd object's (memleak --engine
# inject) thread variables without __tls_get_addr, which ld.so alone exports.
PRELOAD_FLAGS_x86_64 := -mtls-dialect=gnu2
define preload_rule
# (After the deps: they install the cross compiler it is built with.)
$(OBJ)/$(basename $(notdir $(1))).so: $(1) $(wildcard $(dir $(1))../*.h) bpf/bb_shared.h | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(call say,CC-SO,$$@)
	$(Q)$(GLIBC_CC) $(PRELOAD_FLAGS) $(PRELOAD_FLAGS_$(ARCH)) -o $$@.unstripped $$<
	@# Every symbol it takes from the target must be weak (but the mem*
	@# the compiler emits, in every libc): a strong one the target's libc
	@# lacks makes the loader kill the program at its start.
	$(Q)! llvm-nm -D --undefined-only $$@.unstripped | grep ' U ' | \
		grep -vE ' U (memcpy|memset|memmove|memcmp)$$$$' || \
		{ echo "$$@: the symbols above must be weak"; exit 1; }
	$(Q)$(STRIP) -R .comment -o $$@ $$@.unstripped
$(OBJ)/$(basename $(notdir $(1))).gz.h: $(OBJ)/$(basename $(notdir $(1))).so
	$(Q){ echo 'static const unsigned char $(basename $(notdir $(1)))_gz[] = {'; \
	     gzip -9 -n -c $$< | od -An -v -tx1 | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	     echo '};'; } > $$@.tmp && mv $$@.tmp $$@
	@gzip -9 -n -c $$< | wc -c | awk '{print "  $$(<F): " $$$$1 " bytes compressed"}'
endef
$(foreach s,$(PRELOAD_SRC),$(eval $(call preload_rule,$(s))))

$(OBJ)/%.o: %.c common/*.h bpf/*.h $(wildcard applets/*/*.h) $(SKELS) $(PRELOAD_GZ) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The link's map gives the size of each part (scripts/size-report.sh).
# (Relinked when the dependencies are rebuilt: their stamp is newer.)
$(BIN): $(COMMON_OBJ) $(APPLET_OBJ) scripts/size-report.sh $(DEPS_STAMP)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -Wl,-Map=$@.map -o $@.unstripped $(filter %.o,$^) $(LDLIBS)
	$(Q)$(STRIP) -o $@ $@.unstripped
	@ls -l $@ | awk '{print "$@: " $$5 " bytes"}'
	$(Q)scripts/size-report.sh $@ $@.map

# From a native make: the cross build's own make decides what is stale.
ifneq ($(ARCH),aarch64)
bpfbox-aarch64: FORCE
	$(Q)$(MAKE) ARCH=aarch64 bpfbox-aarch64
endif

# Release files: each architecture's binary by its name, with sums; each
# must stay within 1 MiB.
DIST_MAX := 1048576
dist:
	$(Q)$(MAKE) ARCH=x86_64
	$(Q)$(MAKE) ARCH=aarch64
	@mkdir -p dist
	$(Q)for a in x86_64 aarch64; do \
		b=bpfbox-$$a; [ $$a = $(HOST_ARCH) ] && b=bpfbox; \
		n=$$(stat -c %s $$b); \
		[ $$n -le $(DIST_MAX) ] || { echo "dist: $$b is $$n bytes, over $(DIST_MAX)"; exit 1; }; \
		cp $$b dist/bpfbox-$$a; \
	done
	$(Q)cd dist && sha256sum bpfbox-x86_64 bpfbox-aarch64 >SHA256SUMS && cat SHA256SUMS
	@ls -l dist/bpfbox-* | awk '{print $$9 ": " $$5 " bytes"}'

# Unit tests: pure code, no root, linked with the common objects and the
# applets' private modules (a test includes "../../applets/X/module.h").
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OBJ)/tests/%)
UNIT_LIB := $(filter-out $(OBJ)/common/main.o,$(COMMON_OBJ)) $(APPLET_MOD_OBJ)

$(OBJ)/tests/%: tests/unit/%.c tests/unit/*.h $(UNIT_LIB)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Icommon $(LDFLAGS) -o $@ $< $(UNIT_LIB) $(LDLIBS)

# Workloads the end-to-end tests run (plain gcc: they are the "users").
WORK_SRC := $(wildcard tests/work/*.c)
WORK_BIN := $(WORK_SRC:tests/work/%.c=$(BUILD)/work/%)
$(BUILD)/work/%: tests/work/%.c tests/work/*.h
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)gcc -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o $@ $< -lpthread

# Static ones: musl (the e2e's static targets, the matrix's guests; ARCH's
# musl for a cross build), and a program with no libc at all (nothing to
# trace in it).
$(OBJ)/work/%-musl: tests/work/%.c tests/work/*.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) -static -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o $@ $< -lpthread
# A glibc build for the matrix's guests (dynamic: the image carries the
# glibc it was linked with, scripts/initramfs.sh --glibc).
$(OBJ)/work/%-glibc: tests/work/%.c tests/work/*.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(GLIBC_CC) -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o $@ $< -lpthread
$(BUILD)/work/nolibc: tests/e2e/memleak-nomalloc.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)gcc -static -nostdlib -O1 -fno-stack-protector -fno-pie -no-pie -o $@ $<
WORK_BIN += $(BUILD)/work/leaky-musl $(BUILD)/work/dl_abba-musl $(BUILD)/work/tl_seq-musl \
	    $(BUILD)/work/nolibc

# deadlock's --lock-symbols workload: a spinlock in a library of its own,
# found next to the program ($ORIGIN).
$(BUILD)/work/libdlspin.so: tests/work/lib/dlspin.c tests/work/lib/dlspin.h
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)gcc -O1 -g -fno-omit-frame-pointer -fPIC -shared -Wall -Wextra -Werror -o $@ $<
$(BUILD)/work/dl_spin: tests/work/dl_spin.c tests/work/*.h $(BUILD)/work/libdlspin.so
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)gcc -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o $@ $< -lpthread \
		-L$(BUILD)/work -ldlspin -Wl,-rpath,'$$ORIGIN'
WORK_BIN += $(BUILD)/work/libdlspin.so

unit: $(UNIT_BIN) bpfbox
	tests/run-unit.sh $(UNIT_BIN)

# Each applet's end-to-end suite is a tests/run-e2e*.sh of its own.
E2E_SCRIPTS := $(sort $(wildcard tests/run-e2e*.sh))
e2e: bpfbox $(WORK_BIN)
	@rc=0; for t in $(E2E_SCRIPTS); do $$t || rc=1; done; exit $$rc

# The kernel matrix: guest workloads static (the initramfs has no libc),
# one image per architecture (ARCH's: build/guest/ or build/ARCH/guest/).
GUEST_WORK := dropgen leaky dl_abba tl_seq
GUEST_BIN  := $(GUEST_WORK:%=$(OBJ)/guest/bin/%) $(OBJ)/guest/bin/leaky-glibc \
	      $(OBJ)/guest/bin/ml_libc-glibc $(OBJ)/guest/bin/ml_inject-glibc
INITRAMFS  := $(OBJ)/guest/initramfs.cpio.gz
$(OBJ)/guest/bin/%: $(OBJ)/work/%-musl
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(OBJ)/guest/bin/%-glibc: $(OBJ)/work/%-glibc
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(INITRAMFS): $(BIN) $(GUEST_BIN) tests/matrix/guest.sh tests/e2e/memleak-sums.awk \
	      scripts/initramfs.sh scripts/apt-lib.sh
	scripts/initramfs.sh -o $@ -b $(BIN) --glibc --run tests/matrix/guest.sh $(GUEST_BIN) \
		tests/e2e/memleak-sums.awk

# Every architecture of ARCHS: its image (a make of its own), then one run
# of the matrix over all of them (their kernels boot side by side).
initramfs: $(INITRAMFS)
.PHONY: initramfs
MATRIX_IMAGES = $(foreach a,$(ARCHS),$(a)=$(if $(filter $(a),$(HOST_ARCH)),$(BUILD),$(BUILD)/$(a))/guest/initramfs.cpio.gz)
matrix-images:
	$(Q)for a in $(ARCHS); do $(MAKE) ARCH=$$a initramfs || exit; done
.PHONY: matrix-images

# KERNELS=5.10 (labels of scripts/kernels.sh --list): only those.
matrix: matrix-images
	tests/run-matrix.sh $(MATRIX_IMAGES:%=--image %) $(KERNELS)

matrix-readme: matrix-images
	tests/run-matrix.sh --readme $(MATRIX_IMAGES:%=--image %)

# ---- Sanitizers and fuzzing -------------------------------------------------
# The same sources built with glibc (gcc, ASan+UBSan) against a glibc libbpf
# (scripts/deps-asan.sh), and with clang's libFuzzer for the fuzz targets.
# A fuzz target may #include "../../common/X.c" to reach X's static parsers:
# X's object is then left out of its link.
ASAN_DIR    := $(BUILD)/asan
FUZZ_DIR    := $(BUILD)/fuzz
ASAN_DEPS   := $(BUILD)/asan-deps
ASAN_STAMP  := $(ASAN_DEPS)/.stamp
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# gcc's (its format-overflow check misfires under the sanitizers' inlining).
ASAN_CC     := gcc -Wno-format-overflow
SAN_CFLAGS  := -O1 -g -std=gnu11 -D_GNU_SOURCE $(WARN) -I$(BUILD) -Ibpf -iquote common \
	       -I$(ASAN_DEPS)/include -I$(ASAN_DEPS)/uapi
# (libstdc++: __cxa_demangle, which the musl build takes from libiberty.)
SAN_LIBS    := $(ASAN_DEPS)/lib/libbpf.a -lelf -lz -lstdc++
ASAN_LIB    := $(filter-out $(ASAN_DIR)/common/main.o,$(COMMON_SRC:%.c=$(ASAN_DIR)/%.o)) \
	       $(APPLET_MOD_SRC:%.c=$(ASAN_DIR)/%.o)
FUZZ_LIB    := $(filter-out $(FUZZ_DIR)/common/main.o,$(COMMON_SRC:%.c=$(FUZZ_DIR)/%.o)) \
	       $(APPLET_SRC:%.c=$(FUZZ_DIR)/%.o)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES  := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_SECONDS ?= 30
# The common/X.c a fuzz target includes, as objects to leave out.
included = $(patsubst %,$(1)/common/%.o,$(shell sed -n 's|^\#include "\.\./\.\./common/\(.*\)\.c"|\1|p' $(2)))

$(ASAN_STAMP): scripts/deps-asan.sh $(wildcard scripts/patches/libbpf/*.patch) | $(DEPS_STAMP)
	scripts/deps-asan.sh

$(ASAN_DIR)/%.o: %.c common/*.h bpf/*.h $(wildcard applets/*/*.h) $(SKELS) $(PRELOAD_GZ) | $(ASAN_STAMP)
	@mkdir -p $(@D)
	$(call say,ASAN-CC,$@)
	$(Q)$(ASAN_CC) $(SAN_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(FUZZ_DIR)/%.o: %.c common/*.h bpf/*.h $(wildcard applets/*/*.h) $(SKELS) $(PRELOAD_GZ) | $(ASAN_STAMP)
	@mkdir -p $(@D)
	$(call say,FUZZ-CC,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(ASAN_DIR)/bpfbox: $(sort $(ASAN_LIB) $(APPLET_SRC:%.c=$(ASAN_DIR)/%.o)) $(ASAN_DIR)/common/main.o
	$(call say,LINK,$@)
	$(Q)gcc $(SAN_FLAGS) -o $@ $^ $(SAN_LIBS)

$(ASAN_DIR)/tests/%: tests/unit/%.c tests/unit/*.h $(ASAN_LIB)
	@mkdir -p $(@D)
	$(call say,ASAN-CC,$@)
	$(Q)$(ASAN_CC) $(SAN_CFLAGS) $(SAN_FLAGS) -Icommon -o $@ $< $(ASAN_LIB) $(SAN_LIBS)

# Replayers: each fuzz target with a main() that runs it on files (ASan+UBSan, gcc).
$(ASAN_DIR)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/*.h $(ASAN_LIB) \
		    $(APPLET_SRC:%.c=$(ASAN_DIR)/%.o)
	@mkdir -p $(@D)
	$(call say,ASAN-CC,$@)
	$(Q)$(ASAN_CC) $(SAN_CFLAGS) $(SAN_FLAGS) -Icommon -o $@ $< tests/fuzz/replay.c \
		$(filter-out $(call included,$(ASAN_DIR),$<),$(sort $(ASAN_LIB) \
		$(APPLET_SRC:%.c=$(ASAN_DIR)/%.o))) $(SAN_LIBS)

$(FUZZ_DIR)/%: tests/fuzz/%.c tests/fuzz/*.h $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(call say,FUZZ-LD,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -Icommon -o $@ $< \
		$(filter-out $(call included,$(FUZZ_DIR),$<),$(FUZZ_LIB)) $(SAN_LIBS)

ASAN_UNIT := $(UNIT_SRC:tests/unit/%.c=$(ASAN_DIR)/tests/%)
ASAN_FUZZ := $(FUZZ_NAMES:%=$(ASAN_DIR)/fuzz/fuzz_%)
asan: $(ASAN_UNIT) $(ASAN_DIR)/bpfbox $(ASAN_FUZZ)
	tests/run-asan.sh $(FUZZ_NAMES)

fuzz: $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
	tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

check: unit asan e2e

# One after the other: the matrix's emulators would slow the e2e tests.
test: check
	$(MAKE) matrix

bench: bpfbox $(WORK_BIN)
	tests/bench/run.sh
	tests/bench/memleak.sh
	tests/bench/deadlock.sh
	tests/bench/deeptrace.sh
	tests/bench/traceloop.sh

clean:
	rm -rf $(BUILD)/common $(BUILD)/applets $(BUILD)/bpf $(BUILD)/tests $(BUILD)/work \
	       $(BUILD)/guest $(BUILD)/matrix $(BUILD)/aarch64 $(BUILD)/host dist $(ASAN_DIR) $(FUZZ_DIR) \
	       $(BUILD)/*.skel.h $(BUILD)/*.gz.h $(BUILD)/*.so* bpfbox bpfbox.unstripped bpfbox.map \
	       bpfbox-aarch64 bpfbox-aarch64.unstripped bpfbox-aarch64.map

distclean: clean
	rm -rf $(BUILD)
