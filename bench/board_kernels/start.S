/* start.S — the entry of the bench/board kernels (M mode), after
 * tests/board/lib.S.
 *
 * M mode: stack, .bss cleared, mtvec (a handler that reports any trap and
 * powers off with code 3), PMP entry 0 over everything (so that S mode may
 * reach memory under qemu), mstatus.FS = Initial (compiled C may use the
 * FP registers), then m_setup() (C: builds the page tables, returns the
 * satp value), satp written, sfence.vma, and mret to s_start in S mode.
 * Nothing is delegated: a trap in S mode also lands in m_trap.
 * S mode: s_main() (C), whose return value is the power-off code (0:
 * success, through the SiFive test device, which the identity gigapage
 * at 0 maps). */
#define FINISHER	0x00100000
#define FINISHER_PASS	0x5555
#define FINISHER_FAIL	0x3333

	.section .text.start, "ax"
	.globl	_start
_start:
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, m_trap
	csrw	mtvec, t0
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f		/* NAPOT, X, W, R */
	csrw	pmpcfg0, t0
	csrw	medeleg, zero
	csrw	mideleg, zero
	csrw	mie, zero
	li	t0, (1 << 13)		/* mstatus.FS = Initial */
	csrs	mstatus, t0
	call	m_setup
	csrw	satp, a0
	sfence.vma
	li	t0, (3 << 11)		/* MPP = S */
	csrc	mstatus, t0
	li	t0, (1 << 11)
	csrs	mstatus, t0
	la	t0, s_start
	csrw	mepc, t0
	mret

s_start:
	la	sp, __stack_top
	call	s_main
	/* fall through: power off with code a0 */
	.globl	poweroff
poweroff:
	li	t1, FINISHER_PASS
	beqz	a0, 1f
	slli	a0, a0, 16
	li	t1, FINISHER_FAIL
	or	t1, t1, a0
1:	li	t0, FINISHER
	sw	t1, 0(t0)
2:	j	2b

/* m_trap: any trap is a failure: "trap mcause mepc mtval", power off
 * with code 3. */
	.align	2
m_trap:
	la	sp, __stack_top
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	call	report_trap
	li	a0, 3
	j	poweroff
