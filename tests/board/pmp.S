/* pmp: physical memory protection (priv §3.7) for S-mode accesses — NAPOT
 * and TOR regions and their R, W and X bits, the priority of lower-
 * numbered entries, an S access that no entry matches (it fails: entries
 * are implemented), M-mode unchecked by unlocked entries, the page-table
 * walk's implicit reads (§3.7.1: "the access fails" with the original
 * access's access-fault cause), and a locked entry, whose pmpcfg byte and
 * pmpaddr (and, for TOR, the pmpaddr below it) ignore writes (§3.7.1).
 *
 * Every region here is 4 KiB-aligned and at least 4 KiB (NA4 only where
 * nothing is ever accessed). S-mode snippets end with an ecall (cause 9)
 * or the fault under test, both taken to M (medeleg = 0), which resumes in
 * M-mode (lib.S, RESUME_AT).
 */
#include "board.h"

/* pmpcfg bytes (§3.7.1) */
#define P_R	0x01
#define P_W	0x02
#define P_X	0x04
#define P_TOR	0x08
#define P_NA4	0x10
#define P_NAPOT	0x18
#define P_L	0x80

#define VAL	0x1122334455667788

/* PMPNAPOT reg, label: reg = the NAPOT pmpaddr of the 4 KiB page at label:
 * (base >> 2) | (4096 / 8 - 1) (§3.7.1, table 3.10). */
.macro PMPNAPOT reg, label
	la	\reg, \label
	srli	\reg, \reg, 2
	ori	\reg, \reg, 0x1ff
.endm

/* PMP2 cfg0, cfg1: entries 0 and 1 take these configuration bytes, the
 * others are off (pmpcfg2 = 0: entries 8-15). */
.macro PMP2 cfg0, cfg1
	li	t0, ((\cfg1) << 8) | (\cfg0)
	csrw	pmpcfg0, t0
.endm

/* S name, snippet: run snippet in S-mode until its trap to M. */
.macro S snippet
	RESET_TRAPS
	ENTER	PRV_S, \snippet, .Ls\@
.Ls\@:
.endm

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero
	csrw	medeleg, zero
	csrw	mideleg, zero
	csrw	satp, zero
	li	t0, MSTATUS_MIE | MSTATUS_MPRV
	csrc	mstatus, t0
	li	t0, VAL
	la	t1, page
	sd	t0, 0(t1)
	li	t0, -1			/* entry 1: NAPOT over everything */
	csrw	pmpaddr1, t0
	csrw	pmpcfg2, zero

	/* ---- entry 0: the data page, R only; entry 1: everything, RWX. An
	 * S load from the page works; a store faults (cause 7, mtval the
	 * address, §3.1.16); a jump there is an instruction access fault
	 * (cause 1) */
	PMPNAPOT t0, page
	csrw	pmpaddr0, t0
	PMP2	P_NAPOT | P_R, P_NAPOT | P_R | P_W | P_X
	la	s1, page
	mv	a0, s1
	S	s_ld
	CHECKV	"r-only-load-ecall", V_MCAUSE, CAUSE_ECALL_S
	li	t0, VAL
	CHECKR	"r-only-load-value", s2, t0
	mv	a0, s1
	li	a1, 5
	S	s_sd
	CHECKV	"r-only-store-cause", V_MCAUSE, CAUSE_STORE_ACCESS
	CHECKVA	"r-only-store-mepc", V_MEPC, s_sd
	CHECKVA	"r-only-store-mtval", V_MTVAL, page
	mv	a0, s1
	S	s_jump
	CHECKV	"r-only-fetch-cause", V_MCAUSE, CAUSE_FETCH_ACCESS
	CHECKVA	"r-only-fetch-mepc", V_MEPC, page
	CHECKVA	"r-only-fetch-mtval", V_MTVAL, page
	/* M-mode is not checked by an entry without L: M stores there */
	li	t0, 77
	sd	t0, 0(s1)
	ld	s2, 0(s1)
	CHECK	"m-store-unlocked", s2, 77

	/* ---- entry 0: the code page, X only: S runs its ecall; an S load
	 * from it is a load access fault (cause 5) */
	PMPNAPOT t0, code
	csrw	pmpaddr0, t0
	PMP2	P_NAPOT | P_X, P_NAPOT | P_R | P_W | P_X
	la	a0, code
	S	s_jump
	CHECKV	"x-only-fetch-ecall", V_MCAUSE, CAUSE_ECALL_S
	CHECKVA	"x-only-fetch-mepc", V_MEPC, code
	la	a0, code
	S	s_ld
	CHECKV	"x-only-load-cause", V_MCAUSE, CAUSE_LOAD_ACCESS
	CHECKVA	"x-only-load-mtval", V_MTVAL, code

	/* ---- priority: the lowest-numbered matching entry decides, whatever
	 * the others say (§3.7.1): entry 0 RW over the page, entry 1 nothing
	 * over it: the store works; entry 0 nothing, entry 1 RW: it faults */
	PMPNAPOT t0, page
	csrw	pmpaddr0, t0
	csrw	pmpaddr1, t0
	li	t0, -1
	csrw	pmpaddr2, t0
	li	t0, ((P_NAPOT | P_R | P_W | P_X) << 16) | ((P_NAPOT) << 8) | (P_NAPOT | P_R | P_W)
	csrw	pmpcfg0, t0
	la	a0, page
	li	a1, 6
	S	s_sd
	CHECKV	"first-entry-allows", V_MCAUSE, CAUSE_ECALL_S
	li	t0, ((P_NAPOT | P_R | P_W | P_X) << 16) | ((P_NAPOT | P_R | P_W) << 8) | (P_NAPOT)
	csrw	pmpcfg0, t0
	la	a0, page
	li	a1, 7
	S	s_sd
	CHECKV	"first-entry-refuses", V_MCAUSE, CAUSE_STORE_ACCESS
	ld	s2, page
	CHECK	"first-entry-refused-nothing-written", s2, 6

	/* ---- TOR: entry 0 off with pmpaddr0 = the page's start, entry 1
	 * TOR up to its end, R only; entry 2 everything. A store in the
	 * page faults; one just past it (entry 2) works */
	la	t0, page
	srli	t0, t0, 2
	csrw	pmpaddr0, t0
	la	t0, page + 4096
	srli	t0, t0, 2
	csrw	pmpaddr1, t0
	li	t0, ((P_NAPOT | P_R | P_W | P_X) << 16) | ((P_TOR | P_R) << 8)
	csrw	pmpcfg0, t0
	la	a0, page + 8
	li	a1, 8
	S	s_sd
	CHECKV	"tor-store-in-cause", V_MCAUSE, CAUSE_STORE_ACCESS
	CHECKVA	"tor-store-in-mtval", V_MTVAL, page + 8
	la	a0, page2
	li	a1, 9
	S	s_sd
	CHECKV	"tor-store-past", V_MCAUSE, CAUSE_ECALL_S
	ld	s2, page2
	CHECK	"tor-store-past-value", s2, 9
	la	a0, page
	S	s_ld
	CHECKV	"tor-load-in", V_MCAUSE, CAUSE_ECALL_S

	/* ---- no entry matches an S access: it fails, because entries are
	 * implemented (§3.7.1). Entry 0 TOR [0, UART_BASE) RW, entry 1 NAPOT
	 * over the 128 MiB of RAM: the UART is in neither. M reads it */
	li	t0, UART_BASE >> 2
	csrw	pmpaddr0, t0
	li	t0, (RAM_BASE >> 2) | ((0x8000000 >> 3) - 1)
	csrw	pmpaddr1, t0
	PMP2	P_TOR | P_R | P_W, P_NAPOT | P_R | P_W | P_X
	li	s1, UART_BASE + UART_LSR
	mv	a0, s1
	S	s_lbu
	CHECKV	"no-match-load-cause", V_MCAUSE, CAUSE_LOAD_ACCESS
	ld	s3, V_MTVAL(gp)
	CHECKR	"no-match-load-mtval", s3, s1
	lbu	s2, 0(s1)
	CHECKM	"no-match-m-reads-uart", s2, UART_LSR_THRE, UART_LSR_THRE
	/* the TOR region grown over the UART's page: S reads it */
	li	t0, (UART_BASE + 0x1000) >> 2
	csrw	pmpaddr0, t0
	mv	a0, s1
	S	s_lbu
	CHECKV	"tor-device-load", V_MCAUSE, CAUSE_ECALL_S
	CHECKM	"tor-device-load-value", s2, UART_LSR_THRE, UART_LSR_THRE

	/* ---- the walk: Sv39 with its root in a page entry 0 refuses to S.
	 * The first S fetch needs the walk's read of the root: it fails, an
	 * instruction access fault at the snippet (§3.7.1, §4.3.2 step 2) */
	la	t1, root
	li	t0, ((RAM_BASE >> 12) << 10) | 0xcf	/* [2]: VA = PA 1 GiB, V R W X A D */
	sd	t0, 16(t1)
	PMPNAPOT t0, root
	csrw	pmpaddr0, t0
	li	t0, -1
	csrw	pmpaddr1, t0
	PMP2	P_NAPOT, P_NAPOT | P_R | P_W | P_X
	la	t0, root
	srli	t0, t0, 12
	li	t1, 8 << 60
	or	t0, t0, t1
	csrw	satp, t0
	sfence.vma
	S	s_ecall
	CHECKV	"walk-refused-cause", V_MCAUSE, CAUSE_FETCH_ACCESS
	CHECKVA	"walk-refused-mepc", V_MEPC, s_ecall
	CHECKVA	"walk-refused-mtval", V_MTVAL, s_ecall
	/* entry 0 R over the root: the walk reads it, the snippet runs */
	PMP2	P_NAPOT | P_R, P_NAPOT | P_R | P_W | P_X
	S	s_ecall
	CHECKV	"walk-allowed", V_MCAUSE, CAUSE_ECALL_S
	csrw	satp, zero
	sfence.vma

	/* ---- a locked entry (L): entry 15 TOR with L, over the 4 bytes at
	 * 0x90000000 (no RAM: never accessed), entry 14 off, its base. Its
	 * pmpcfg byte, pmpaddr15 and, TOR, pmpaddr14 ignore writes */
	li	t0, 0x90000000 >> 2
	csrw	pmpaddr14, t0
	addi	t0, t0, 1
	csrw	pmpaddr15, t0
	li	t0, (P_L | P_TOR | P_R) << 56
	csrw	pmpcfg2, t0
	li	t0, 0x123
	csrw	pmpaddr15, t0
	csrw	pmpaddr14, t0
	csrw	pmpcfg2, zero
	csrr	s2, pmpaddr15
	CHECK	"locked-pmpaddr", s2, (0x90000000 >> 2) + 1
	csrr	s2, pmpaddr14
	CHECK	"locked-tor-base", s2, 0x90000000 >> 2
	csrr	s2, pmpcfg2
	CHECK	"locked-pmpcfg", s2, (P_L | P_TOR | P_R) << 56
	/* the other bytes of pmpcfg2 are still writable */
	li	t0, P_NAPOT | P_R
	csrs	pmpcfg2, t0
	csrr	s2, pmpcfg2
	CHECK	"locked-others-writable", s2, ((P_L | P_TOR | P_R) << 56) | P_NAPOT | P_R

	/* everything for S again (entry 0), for lib.S's output */
	li	t0, -1
	csrw	pmpaddr0, t0
	PMP2	P_NAPOT | P_R | P_W | P_X, 0
	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* S-mode snippets: each ends with an ecall (or the fault under test). */
s_ld:					/* a0: address -> s2 */
	ld	s2, 0(a0)
	ecall
s_lbu:					/* a0: address -> s2 (a byte) */
	lbu	s2, 0(a0)
	ecall
s_sd:					/* a1 -> (a0) */
	sd	a1, 0(a0)
	ecall
s_jump:					/* run at a0 */
	jr	a0
s_ecall:
	ecall

	.section .data
	.align	12
code:					/* an S-mode snippet on a page of its own */
	ecall
	.align	12
page:	.space	4096
page2:	.space	4096
root:	.space	4096			/* an Sv39 root table */
