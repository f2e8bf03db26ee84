// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder: syscall numbers per architecture (generated from
 * the kernel's headers by scripts/gen-syscalls.sh), errno names and texts,
 * signal names and si_code names as strace prints them.
 */
#include <signal.h>
#include <string.h>
#include "decode.h"

#include "syscalls.h"
#include "errnos.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct arch_table {
	const char *const *names;
	unsigned count;
};

static struct arch_table arch_table(unsigned arch)
{
	switch (arch) {
	case TL_ARCH_X86_64:
		return (struct arch_table){ tl_sys_x86_64, NELEM(tl_sys_x86_64) };
	case TL_ARCH_ARM64:
		return (struct arch_table){ tl_sys_arm64, NELEM(tl_sys_arm64) };
	}
	return (struct arch_table){ NULL, 0 };
}

_Static_assert(NELEM(tl_sys_x86_64) <= TL_NR_MAX && NELEM(tl_sys_arm64) <= TL_NR_MAX,
	       "TL_NR_MAX below the largest syscall number");

const char *tl_syscall_name(unsigned arch, unsigned nr)
{
	struct arch_table t = arch_table(arch);

	return nr < t.count ? t.names[nr] : NULL;
}

int tl_syscall_number(unsigned arch, const char *name)
{
	struct arch_table t = arch_table(arch);
	unsigned nr;

	for (nr = 0; name && nr < t.count; nr++)
		if (t.names[nr] && !strcmp(t.names[nr], name))
			return nr;
	return -1;
}

unsigned tl_native_arch(void)
{
#if defined(__aarch64__)
	return TL_ARCH_ARM64;
#else
	return TL_ARCH_X86_64;
#endif
}

/* Kernel-internal codes a tracer sees when a call is interrupted
 * (include/linux/errno.h, not in the UAPI headers), named as strace does. */
static const struct tl_errno kernel_errnos[] = {
	[512 - 512] = { "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	[513 - 512] = { "ERESTARTNOINTR", "To be restarted" },
	[514 - 512] = { "ERESTARTNOHAND", "To be restarted if no handler" },
	[515 - 512] = { "ENOIOCTLCMD", "No ioctl command" },
	[516 - 512] = { "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
	[517 - 512] = { "EPROBE_DEFER", "Driver requests probe retry" },
	[518 - 512] = { "EOPENSTALE", "Open found a stale dentry" },
	[519 - 512] = { "ENOPARAM", "Parameter not supported" },
	[521 - 512] = { "EBADHANDLE", "Illegal NFS file handle" },
	[522 - 512] = { "ENOTSYNC", "Update synchronization mismatch" },
	[523 - 512] = { "EBADCOOKIE", "Cookie is stale" },
	[524 - 512] = { "ENOTSUPP", "Operation is not supported" },
	[525 - 512] = { "ETOOSMALL", "Buffer or request is too small" },
	[526 - 512] = { "ESERVERFAULT", "An untranslatable error occurred" },
	[527 - 512] = { "EBADTYPE", "Type not supported by server" },
	[528 - 512] = { "EJUKEBOX", "Request initiated, but will not complete before timeout" },
	[529 - 512] = { "EIOCBQUEUED", "iocb queued, will get completion event" },
	[530 - 512] = { "ERECALLCONFLICT", "Conflict with recalled state" },
};

static const struct tl_errno *errno_entry(int err)
{
	if (err > 0 && (unsigned)err < NELEM(tl_errnos))
		return &tl_errnos[err];
	if (err >= 512 && (unsigned)(err - 512) < NELEM(kernel_errnos))
		return &kernel_errnos[err - 512];
	return NULL;
}

const char *tl_errno_name(int err)
{
	const struct tl_errno *e = errno_entry(err);

	return e ? e->name : NULL;
}

const char *tl_errno_text(int err)
{
	const struct tl_errno *e = errno_entry(err);

	return e ? e->text : NULL;
}

/* Signal numbers are the same on x86_64 and arm64 (asm-generic). */
static const char *const signames[] = {
	[1] = "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
	"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS",
};

#define TL_SIGRTMIN 32
#define TL_SIGRTMAX 64

const char *tl_signal_name(int signo)
{
	/* strace's names for the real-time ones: SIGRTMIN, SIGRT_1..SIGRT_32. */
	static const char *const rt[] = {
		"SIGRTMIN", "SIGRT_1", "SIGRT_2", "SIGRT_3", "SIGRT_4", "SIGRT_5", "SIGRT_6",
		"SIGRT_7", "SIGRT_8", "SIGRT_9", "SIGRT_10", "SIGRT_11", "SIGRT_12",
		"SIGRT_13", "SIGRT_14", "SIGRT_15", "SIGRT_16", "SIGRT_17", "SIGRT_18",
		"SIGRT_19", "SIGRT_20", "SIGRT_21", "SIGRT_22", "SIGRT_23", "SIGRT_24",
		"SIGRT_25", "SIGRT_26", "SIGRT_27", "SIGRT_28", "SIGRT_29", "SIGRT_30",
		"SIGRT_31", "SIGRT_32",
	};

	if (signo > 0 && (unsigned)signo < NELEM(signames))
		return signames[signo];
	if (signo >= TL_SIGRTMIN && signo <= TL_SIGRTMAX)
		return rt[signo - TL_SIGRTMIN];
	return NULL;
}

/* si_code: the generic ones (any signal), then per signal (asm-generic/siginfo.h). */
struct sigcode {
	int code;
	const char *name;
};

static const struct sigcode generic_codes[] = {
	{ 0x80, "SI_KERNEL" }, { 0, "SI_USER" }, { -1, "SI_QUEUE" }, { -2, "SI_TIMER" },
	{ -3, "SI_MESGQ" }, { -4, "SI_ASYNCIO" }, { -5, "SI_SIGIO" }, { -6, "SI_TKILL" },
	{ -7, "SI_DETHREAD" }, { -60, "SI_ASYNCNL" },
};

static const char *const ill_codes[] = {
	[1] = "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC",
	"ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR",
};
static const char *const fpe_codes[] = {
	[1] = "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND",
	"FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB", "FPE_DECOVF", "FPE_DECDIV",
	"FPE_DECERR", "FPE_INVASC", "FPE_INVDEC", "FPE_FLTUNK", "FPE_CONDTRAP",
};
static const char *const segv_codes[] = {
	[1] = "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR", "SEGV_ACCADI",
	"SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR", "SEGV_CPERR",
};
static const char *const bus_codes[] = {
	[1] = "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO",
};
static const char *const trap_codes[] = {
	[1] = "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK",
	"TRAP_PERF",
};
static const char *const chld_codes[] = {
	[1] = "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED",
	"CLD_CONTINUED",
};
static const char *const poll_codes[] = {
	[1] = "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP",
};
static const char *const sys_codes[] = {
	[1] = "SYS_SECCOMP", "SYS_USER_DISPATCH",
};

#define CODES(sig, tab) { sig, tab, NELEM(tab) }
static const struct {
	int signo;
	const char *const *names;
	unsigned count;
} signal_codes[] = {
	CODES(SIGILL, ill_codes), CODES(SIGFPE, fpe_codes), CODES(SIGSEGV, segv_codes),
	CODES(SIGBUS, bus_codes), CODES(SIGTRAP, trap_codes), CODES(SIGCHLD, chld_codes),
	CODES(SIGPOLL, poll_codes), CODES(SIGSYS, sys_codes),
};

const char *tl_sigcode_name(int signo, int code)
{
	unsigned i;

	/* Codes > 0 mean "from the kernel, for this signal"; the others are
	 * the sender's kind, the same for every signal. */
	if (code > 0 && code != 0x80) {
		for (i = 0; i < NELEM(signal_codes); i++)
			if (signal_codes[i].signo == signo)
				return (unsigned)code < signal_codes[i].count ?
					signal_codes[i].names[code] : NULL;
		return NULL;
	}
	for (i = 0; i < NELEM(generic_codes); i++)
		if (generic_codes[i].code == code)
			return generic_codes[i].name;
	return NULL;
}
