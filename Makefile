# bpfbox: one static musl binary holding eBPF diagnostic tools.
#
#   make          dependencies (first time), BPF objects, the binary ./bpfbox
#   make test     everything below but bench: check, then matrix
#   make check    host tests only: unit tests (no root), then end-to-end
#                 tests (root, the running kernel)
#   make unit     unit tests only
#   make matrix   the kernel matrix: ./bpfbox on Debian's 5.10, 6.1 and 6.12
#                 kernels under qemu (fetched once into build/kernels);
#                 KERNELS="5.10 6.1" for some only
#   make matrix-readme   the same, and its table into README.md
#   make bench    benchmarks against peers (tests/bench/)
#
# Adding an applet: applets/X.c (+ bpf/X.bpf.c, bpf/X.h), its private
# modules in applets/X/*.c (unit-testable: linked into the unit tests too).
# Nothing here names applets; the wildcards below pick them up.

BUILD    := build
DEPS     := $(BUILD)/deps
CC       := musl-gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
STRIP    ?= strip
# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2);
endif

WARN     := -Wall -Wextra -Werror -Wno-missing-field-initializers
CFLAGS   := -Os -g -std=gnu11 $(WARN) -ffunction-sections -fdata-sections \
	    -I$(BUILD) -Ibpf -iquote common -I$(DEPS)/include -idirafter $(DEPS)/uapi
LDFLAGS  := -static -Wl,--gc-sections -L$(DEPS)/lib
LDLIBS   := -lbpf -lelf -lz
BPFFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -Ibpf -I$(DEPS)/include

# traceloop: fetch-and-add (-mcpu=v3), used only where the kernel has it (5.12+).
BPFFLAGS_traceloop := -mcpu=v3

COMMON_SRC  := $(wildcard common/*.c)
APPLET_MOD_SRC := $(wildcard applets/*/*.c)
APPLET_SRC  := $(wildcard applets/*.c) $(APPLET_MOD_SRC)
BPF_SRC     := $(wildcard bpf/*.bpf.c)
COMMON_OBJ  := $(COMMON_SRC:%.c=$(BUILD)/%.o)
APPLET_OBJ  := $(APPLET_SRC:%.c=$(BUILD)/%.o)
APPLET_MOD_OBJ := $(APPLET_MOD_SRC:%.c=$(BUILD)/%.o)
SKELS       := $(BPF_SRC:bpf/%.bpf.c=$(BUILD)/%.skel.h)
DEPS_STAMP  := $(DEPS)/.stamp

.PHONY: all test check unit e2e matrix matrix-readme bench clean distclean deps
.SECONDARY:

MAKEFLAGS += --no-print-directory

all: bpfbox

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	scripts/deps.sh

# BPF: compile, link (drops DWARF, keeps BTF), then the skeleton embeds it.
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/*.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CLANG,$@)
	$(Q)$(CLANG) $(BPFFLAGS) $(BPFFLAGS_$*) -c $< -o $@

$(BUILD)/bpf/%.o: $(BUILD)/bpf/%.bpf.o
	$(call say,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $<
	$(Q)llvm-strip -g $@

# The skeleton embeds the object gzip-compressed (common/bpfobj.c inflates
# it): its X__elf_bytes() body is replaced, the rest is bpftool's.
$(BUILD)/%.gz.h: $(BUILD)/bpf/%.o
	$(Q){ echo 'static const unsigned char $*_bpf_gz[] = {'; \
	     gzip -9 -n -c $< | od -An -v -tx1 | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	     echo '};'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.o $(BUILD)/%.gz.h
	$(call say,SKEL,$@)
	$(Q){ echo '#include "bpfobj.h"'; echo '#include "$*.gz.h"'; \
	     $(BPFTOOL) gen skeleton $< name $*_bpf | awk -v gz=$*_bpf_gz ' \
		/__elf_bytes\(size_t \*sz\)$$/ { print; print "{"; \
			print "\treturn bb_bpf_inflate(" gz ", sizeof(" gz "), sz);"; \
			print "}"; skip = 1; next } \
		skip && /^}$$/ { skip = 0; next } \
		skip { next } \
		{ print }'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c common/*.h bpf/*.h $(wildcard applets/*/*.h) $(SKELS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

bpfbox: $(COMMON_OBJ) $(APPLET_OBJ)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@.unstripped $^ $(LDLIBS)
	$(Q)$(STRIP) -o $@ $@.unstripped
	@ls -l $@ | awk '{print "bpfbox: " $$5 " bytes"}'

# Unit tests: pure code, no root, linked with the common objects and the
# applets' private modules (a test includes "../../applets/X/module.h").
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_LIB := $(filter-out $(BUILD)/common/main.o,$(COMMON_OBJ)) $(APPLET_MOD_OBJ)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/*.h $(UNIT_LIB)
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

# Static ones: musl (the e2e's static targets, the matrix's guests), and a
# program with no libc at all (nothing to trace in it).
$(BUILD)/work/%-musl: tests/work/%.c tests/work/*.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)musl-gcc -static -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o $@ $< -lpthread
$(BUILD)/work/nolibc: tests/e2e/memleak-nomalloc.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)gcc -static -nostdlib -O1 -fno-stack-protector -fno-pie -no-pie -o $@ $<
WORK_BIN += $(BUILD)/work/leaky-musl $(BUILD)/work/dl_abba-musl $(BUILD)/work/tl_seq-musl \
	    $(BUILD)/work/nolibc

unit: $(UNIT_BIN) bpfbox
	tests/run-unit.sh $(UNIT_BIN)

# Each applet's end-to-end suite is a tests/run-e2e*.sh of its own.
E2E_SCRIPTS := $(sort $(wildcard tests/run-e2e*.sh))
e2e: bpfbox $(WORK_BIN)
	@rc=0; for t in $(E2E_SCRIPTS); do $$t || rc=1; done; exit $$rc

# The kernel matrix: guest workloads static (the initramfs has no libc).
GUEST_WORK := dropgen leaky dl_abba tl_seq
GUEST_BIN  := $(GUEST_WORK:%=$(BUILD)/guest/bin/%)
INITRAMFS  := $(BUILD)/guest/initramfs.cpio.gz
$(BUILD)/guest/bin/%: $(BUILD)/work/%-musl
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(INITRAMFS): bpfbox $(GUEST_BIN) tests/matrix/guest.sh tests/e2e/memleak-sums.awk \
	      scripts/initramfs.sh scripts/apt-lib.sh
	scripts/initramfs.sh -o $@ --run tests/matrix/guest.sh $(GUEST_BIN) \
		tests/e2e/memleak-sums.awk

# KERNELS=5.10 (labels of scripts/kernels.sh --list): only those.
matrix: $(INITRAMFS)
	tests/run-matrix.sh $(INITRAMFS) $(KERNELS)

matrix-readme: $(INITRAMFS)
	tests/run-matrix.sh --readme $(INITRAMFS)

check: unit e2e

# One after the other: the matrix's emulators would slow the e2e tests.
test: check
	$(MAKE) matrix

bench: bpfbox $(WORK_BIN)
	tests/bench/run.sh
	tests/bench/memleak.sh
	tests/bench/deadlock.sh
	tests/bench/traceloop.sh

clean:
	rm -rf $(BUILD)/common $(BUILD)/applets $(BUILD)/bpf $(BUILD)/tests $(BUILD)/work \
	       $(BUILD)/guest $(BUILD)/matrix \
	       $(BUILD)/*.skel.h $(BUILD)/*.gz.h bpfbox bpfbox.unstripped

distclean: clean
	rm -rf $(BUILD)
