/* plic: the PLIC (RISC-V PLIC specification 1.0.0) with the UART as its
 * source: the 16550's transmitter-empty interrupt (source 10 on the virt
 * board) goes pending at the PLIC, raises mip.MEIP through context 0
 * (hart 0, M mode) and is taken as a machine external interrupt; a claim
 * returns the source and takes it out until completed; a priority at or
 * below the threshold raises nothing; context 1
 * (hart 0, S mode) drives mip.SEIP, which reads as set even when the
 * software-written bit is clear (priv §3.1.9).
 *
 * The UART's interrupt is owed again whenever a byte is sent (a write to
 * THR), so every check that prints runs after the measurements it
 * reports, with the UART's interrupts off (IER = 0).
 */
#include "board.h"

#define PLIC		0x0c000000
#define PLIC_PENDING	0x1000
#define PLIC_ENABLE0	0x2000		/* context 0 (hart 0, M) */
#define PLIC_ENABLE1	0x2080		/* context 1 (hart 0, S) */
#define PLIC_CTX0	0x200000	/* threshold, then claim/complete at +4 */
#define PLIC_CTX1	0x201000
#define UART_IRQ	10
#define UART_IER	1
#define UART_IIR	2
#define MIP_MEIP	(1 << 11)
#define MIP_SEIP	(1 << 9)
#define SPIN		1000000

/* WAIT_MIP bit, want: spin until (mip & bit) == want, at most SPIN times. */
.macro WAIT_MIP bit, want
	li	t2, SPIN
99:	csrr	t0, mip
	li	t1, \bit
	and	t0, t0, t1
	li	t1, \want
	beq	t0, t1, 98f
	addi	t2, t2, -1
	bnez	t2, 99b
98:
.endm

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero
	csrw	mideleg, zero
	li	t0, MSTATUS_MIE | MSTATUS_SIE
	csrc	mstatus, t0
	li	s0, PLIC
	li	s1, UART_BASE

	/* ---- nothing enabled: a claim gives 0 (PLIC §7) */
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	lw	s2, 4(t0)
	CHECK	"claim-nothing-is-0", s2, 0

	/* ---- source 10, priority 1, enabled for context 0, threshold 0 */
	li	t0, 1
	sw	t0, 4*UART_IRQ(s0)
	lw	s2, 4*UART_IRQ(s0)
	CHECK	"priority-readback", s2, 1
	li	t0, PLIC_ENABLE0
	add	t0, t0, s0
	li	t1, 1 << UART_IRQ
	sw	t1, 0(t0)
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	sw	zero, 0(t0)

	/* The UART's transmitter is empty: enabling its interrupt owes one
	 * (16550: IIR = 0x02, transmitter holding register empty). */
	li	t0, 0x02
	sb	t0, UART_IER(s1)
	WAIT_MIP MIP_MEIP, MIP_MEIP
	li	t0, PLIC
	li	t1, PLIC_PENDING
	add	t0, t0, t1
	lw	s3, 0(t0)			/* the pending bits */
	csrr	s4, mip
	/* Taken at once when enabled (mie.MEIE, mstatus.MIE). */
	RESET_TRAPS
	li	t0, MIP_MEIP
	csrs	mie, t0
	csrsi	mstatus, MSTATUS_MIE
	nop
	csrci	mstatus, MSTATUS_MIE
	ld	s5, V_MCAUSE(gp)
	/* Claim: source 10, now no longer pending; the UART says why. */
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	lw	s6, 4(t0)
	li	t0, PLIC
	li	t1, PLIC_PENDING
	add	t0, t0, t1
	lw	s7, 0(t0)
	lbu	s8, UART_IIR(s1)		/* pays the transmitter's interrupt */
	lbu	s9, UART_IIR(s1)
	/* Complete: the line is down now, so nothing is pending again. */
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	li	t1, UART_IRQ
	sw	t1, 4(t0)
	li	t0, PLIC
	li	t1, PLIC_PENDING
	add	t0, t0, t1
	lw	s10, 0(t0)
	csrr	s11, mip
	sb	zero, UART_IER(s1)
	CHECKM	"pending-bit-10", s3, 1 << UART_IRQ, 1 << UART_IRQ
	CHECKM	"meip-set", s4, MIP_MEIP, MIP_MEIP
	CHECK	"taken-as-machine-external", s5, CAUSE_INTR | 11
	CHECK	"claim-gives-10", s6, UART_IRQ
	CHECKM	"claimed-not-pending", s7, 1 << UART_IRQ, 0
	CHECK	"uart-iir-thre", s8, 0x02
	CHECK	"uart-iir-then-none", s9, 0x01
	CHECKM	"completed-line-down", s10, 1 << UART_IRQ, 0
	CHECKM	"meip-clear", s11, MIP_MEIP, 0

	/* ---- a priority at the threshold raises nothing, nor does a
	 * disabled source; a claim then gives 0 */
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	li	t1, 1
	sw	t1, 0(t0)			/* threshold 1 = priority 1 */
	lw	s2, 0(t0)
	li	t0, 0x02
	sb	t0, UART_IER(s1)		/* owes an interrupt again */
	li	t0, 200000
1:	addi	t0, t0, -1
	bnez	t0, 1b
	csrr	s3, mip
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	lw	s4, 4(t0)
	li	t0, PLIC
	li	t1, PLIC_PENDING
	add	t0, t0, t1
	lw	s5, 0(t0)			/* pending at the gateway all the same */
	/* Priority 2 is above the threshold: MEIP again. */
	li	t0, 2
	sw	t0, 4*UART_IRQ(s0)
	WAIT_MIP MIP_MEIP, MIP_MEIP
	csrr	s6, mip
	/* The threshold raised to the priority: nothing. (Disabling the
	 * source should do the same, but QEMU 7.2 does not recompute its
	 * lines on a write to the enable bits: not compared.) */
	li	t0, PLIC_CTX0
	add	t0, t0, s0
	li	t1, 2
	sw	t1, 0(t0)
	WAIT_MIP MIP_MEIP, 0
	csrr	s7, mip
	li	t0, PLIC_ENABLE0
	add	t0, t0, s0
	sw	zero, 0(t0)
	sb	zero, UART_IER(s1)
	lbu	zero, UART_IIR(s1)
	CHECK	"threshold-readback", s2, 1
	CHECKM	"at-threshold-no-meip", s3, MIP_MEIP, 0
	CHECK	"at-threshold-claim-0", s4, 0
	CHECKM	"at-threshold-still-pending", s5, 1 << UART_IRQ, 1 << UART_IRQ
	CHECKM	"above-threshold-meip", s6, MIP_MEIP, MIP_MEIP
	CHECKM	"raised-threshold-no-meip", s7, MIP_MEIP, 0

	/* ---- context 1 (S mode) drives SEIP; it reads as set even with the
	 * software-written SEIP clear, and csrc cannot clear it */
	li	t0, PLIC_CTX1
	add	t0, t0, s0
	sw	zero, 0(t0)
	li	t0, PLIC_ENABLE1
	add	t0, t0, s0
	li	t1, 1 << UART_IRQ
	sw	t1, 0(t0)
	li	t0, MIP_SEIP
	csrc	mip, t0
	li	t0, 0x02
	sb	t0, UART_IER(s1)
	WAIT_MIP MIP_SEIP, MIP_SEIP
	csrr	s2, mip
	li	t0, MIP_SEIP
	csrc	mip, t0
	csrr	s3, mip
	/* Claimed through context 1, then completed: the line goes down
	 * with the UART's interrupt paid. */
	li	t0, PLIC_CTX1
	add	t0, t0, s0
	lw	s4, 4(t0)
	lbu	zero, UART_IIR(s1)
	li	t1, UART_IRQ
	sw	t1, 4(t0)
	sb	zero, UART_IER(s1)
	WAIT_MIP MIP_SEIP, 0
	csrr	s5, mip
	li	t0, PLIC_ENABLE1
	add	t0, t0, s0
	sw	zero, 0(t0)
	CHECKM	"seip-from-context-1", s2, MIP_SEIP, MIP_SEIP
	CHECKM	"seip-stays-after-csrc", s3, MIP_SEIP, MIP_SEIP
	CHECK	"context-1-claim-gives-10", s4, UART_IRQ
	CHECKM	"seip-clear-after-complete", s5, MIP_SEIP | MIP_MEIP, 0

	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret
