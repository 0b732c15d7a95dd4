/* icount: virtual time (mvm boot --icount 3, QEMU's -icount shift=3,
 * sleep=off). Every instruction retired is 2^3 = 8 ns; mtime counts at
 * 10 MHz (100 ns a tick), so 10000 instructions are exactly 800 ticks,
 * read from mtime (the CLINT) or from the time CSR; and wfi with a timer
 * armed and nothing else to do makes the clock jump to the deadline.
 * Hand-worked: between two reads of the clock, the first read itself, one
 * nop and 4999 turns of a two-instruction loop retire: 1 + 1 + 9998 =
 * 10000 instructions.
 */
/* board-qemu: -icount shift=3,sleep=off */
/* board-mvm: --icount 3 */
#include "board.h"

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero
	csrci	mstatus, MSTATUS_MIE
	li	s0, CLINT_BASE + CLINT_MTIME

	/* ---- mtime across 10000 instructions */
	li	t0, 4999
	ld	s1, 0(s0)
	nop
1:	addi	t0, t0, -1
	bnez	t0, 1b
	ld	s2, 0(s0)
	sub	s3, s2, s1
	CHECK	"mtime-10000-instructions-800-ticks", s3, 800

	/* ---- the time CSR, the same */
	li	t0, 4999
	csrr	s1, time
	nop
1:	addi	t0, t0, -1
	bnez	t0, 1b
	csrr	s2, time
	sub	s3, s2, s1
	CHECK	"time-csr-10000-instructions-800-ticks", s3, 800

	/* ---- 20000 instructions: twice as many ticks */
	li	t0, 9999
	ld	s1, 0(s0)
	nop
1:	addi	t0, t0, -1
	bnez	t0, 1b
	ld	s2, 0(s0)
	sub	s3, s2, s1
	CHECK	"mtime-20000-instructions-1600-ticks", s3, 1600

	/* ---- wfi with the timer armed 100000 ticks (10 ms) ahead: the clock
	 * jumps to the deadline, not by 10 ms of the host's time */
	li	s4, CLINT_BASE + CLINT_MTIMECMP
	ld	s1, 0(s0)
	li	t0, 100000
	add	s5, s1, t0
	sd	s5, 0(s4)
	li	t0, MIP_MTIP
	csrw	mie, t0
	wfi
	ld	s2, 0(s0)
	csrw	mie, zero
	li	t0, -1
	sd	t0, 0(s4)
	sltu	a1, s2, s5		/* woke before the deadline: wrong */
	CHECK	"wfi-wakes-at-the-deadline", a1, 0
	sub	s3, s2, s5
	sltiu	a1, s3, 10		/* and only a few instructions later */
	CHECK	"wfi-jumps-to-the-deadline", a1, 1

	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret
