/* board.h — constants and macros of the board test kernels (tests/board).
 *
 * The board is laid out like QEMU's virt machine (README.md). Section
 * numbers "priv §x" refer to the RISC-V Privileged Architecture, version
 * 20211203 (privileged ISA 1.12).
 *
 * Conventions (lib.S): gp points at the kernel's variables (V_* below) for
 * the whole run and no test code changes it; the trap handlers save and
 * restore every register they use, so a trap changes no register. CHECK*
 * macros call `check`, which follows the calling convention: a value that
 * must survive a check belongs in an s register.
 */
#ifndef BOARD_H
#define BOARD_H

/* ---- devices */
#define UART_BASE	0x10000000	/* 16550, byte registers */
#define UART_THR	0		/* transmit holding register (write) */
#define UART_LSR	5		/* line status register */
#define UART_LSR_THRE	0x20		/* transmitter holding register empty */
#define CLINT_BASE	0x02000000
#define CLINT_MSIP	0x0		/* 32-bit, hart 0 */
#define CLINT_MTIMECMP	0x4000		/* 64-bit, hart 0 */
#define CLINT_MTIME	0xbff8		/* 64-bit */
#define FINISHER	0x00100000	/* SiFive test device */
#define FINISHER_PASS	0x5555
#define FINISHER_FAIL	0x3333		/* | code << 16 */
#define RAM_BASE	0x80000000
#define RAM_END		0x88000000	/* 128 MiB */

/* ---- mstatus / sstatus (priv §3.1.6, §4.1.1) */
#define MSTATUS_SIE	(1 << 1)
#define MSTATUS_MIE	(1 << 3)
#define MSTATUS_SPIE	(1 << 5)
#define MSTATUS_MPIE	(1 << 7)
#define MSTATUS_SPP	(1 << 8)
#define MSTATUS_MPP	(3 << 11)
#define MSTATUS_MPP_S	(1 << 11)
#define MSTATUS_FS	(3 << 13)
#define MSTATUS_MPRV	(1 << 17)
#define MSTATUS_SUM	(1 << 18)
#define MSTATUS_MXR	(1 << 19)
#define MSTATUS_TVM	(1 << 20)
#define MSTATUS_TW	(1 << 21)
#define MSTATUS_TSR	(1 << 22)
#define MSTATUS_UXL	(3 << 32)
#define MSTATUS_SXL	(3 << 34)
/* the fields the tests look at after a trap or an xRET */
#define STACK_BITS	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP)

/* ---- mip / mie bits (priv §3.1.9) and interrupt causes */
#define IRQ_S_SOFT	1
#define IRQ_M_SOFT	3
#define IRQ_S_TIMER	5
#define IRQ_M_TIMER	7
#define MIP_SSIP	(1 << IRQ_S_SOFT)
#define MIP_MSIP	(1 << IRQ_M_SOFT)
#define MIP_STIP	(1 << IRQ_S_TIMER)
#define MIP_MTIP	(1 << IRQ_M_TIMER)
#define CAUSE_INTR	0x8000000000000000

/* ---- exception causes (priv §3.1.15, table 3.6) */
#define CAUSE_FETCH_ACCESS	1
#define CAUSE_ILLEGAL		2
#define CAUSE_BREAKPOINT	3
#define CAUSE_LOAD_ACCESS	5
#define CAUSE_STORE_ACCESS	7
#define CAUSE_ECALL_U		8
#define CAUSE_ECALL_S		9
#define CAUSE_ECALL_M		11
#define CAUSE_FETCH_PAGE	12
#define CAUSE_LOAD_PAGE		13
#define CAUSE_STORE_PAGE	15

/* ---- privilege modes (the MPP encoding) */
#define PRV_U	0
#define PRV_S	1
#define PRV_M	3

/* ---- the variables gp points at (lib.S) */
#define V_MCAUSE	0	/* what the M handler saw at its last trap */
#define V_MEPC		8
#define V_MTVAL		16
#define V_MSTATUS	24	/* mstatus on entry to the handler */
#define V_MCOUNT	32	/* traps taken to M so far */
#define V_MRESUME	40	/* if not 0: where the next M trap returns, in M-mode */
#define V_SCAUSE	48	/* the same for the S handler */
#define V_SEPC		56
#define V_STVAL		64
#define V_SSTATUS	72
#define V_SCOUNT	80
#define V_OK		88	/* checks passed, failed */
#define V_FAILED	96
#define V_BOOT_A0	104	/* a0 at the entry point */
#define V_SAVE		112	/* the handlers' register save area (4 words each) */
#define V_SIZE		(V_SAVE + 64)

#ifdef __ASSEMBLER__

/* CHECK name, reg, want: prints "ok name" if reg == want (a constant), else
 * "FAIL name: got 0x... want 0x..." (a0-a2, t0-t6 and ra are clobbered). */
.macro CHECK name, reg, want
	mv	a1, \reg
	li	a2, \want
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKR name, reg, wantreg: the same against a register (not a0-a2). */
.macro CHECKR name, reg, wantreg
	mv	a1, \reg
	mv	a2, \wantreg
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKA name, reg, label: the same against the address of label. */
.macro CHECKA name, reg, label
	mv	a1, \reg
	la	a2, \label
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKV name, var, want: CHECK of a V_* variable. */
.macro CHECKV name, var, want
	ld	a1, \var(gp)
	li	a2, \want
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKVA name, var, label: a V_* variable against the address of label. */
.macro CHECKVA name, var, label
	ld	a1, \var(gp)
	la	a2, \label
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKVM name, var, mask, want: (V_* variable & mask) == want. */
.macro CHECKVM name, var, mask, want
	ld	a1, \var(gp)
	li	t0, \mask
	and	a1, a1, t0
	li	a2, \want
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKM name, reg, mask, want: (reg & mask) == want. */
.macro CHECKM name, reg, mask, want
	li	t0, \mask
	and	a1, \reg, t0
	li	a2, \want
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* RESET_TRAPS: forget the last trap of either handler. */
.macro RESET_TRAPS
	sd	zero, V_MCAUSE(gp)
	sd	zero, V_MEPC(gp)
	sd	zero, V_MTVAL(gp)
	sd	zero, V_MSTATUS(gp)
	sd	zero, V_MCOUNT(gp)
	sd	zero, V_SCAUSE(gp)
	sd	zero, V_SEPC(gp)
	sd	zero, V_STVAL(gp)
	sd	zero, V_SSTATUS(gp)
	sd	zero, V_SCOUNT(gp)
.endm

/* RESUME_AT label: the next trap to M returns to label, in M-mode, with
 * mstatus.MIE = 0 (lib.S, m_trap). */
.macro RESUME_AT label
	la	t0, \label
	sd	t0, V_MRESUME(gp)
.endm

/* ENTER mode, label, resume: from M-mode, mret to label in mode (PRV_U or
 * PRV_S); the next trap to M comes back to resume, in M-mode. mstatus.MPIE
 * is left as it is (mret copies it to MIE). Clobbers t0. */
.macro ENTER mode, label, resume
	RESUME_AT \resume
	li	t0, MSTATUS_MPP
	csrc	mstatus, t0
	li	t0, (\mode << 11)
	csrs	mstatus, t0
	la	t0, \label
	csrw	mepc, t0
	mret
.endm

#endif /* __ASSEMBLER__ */
#endif
