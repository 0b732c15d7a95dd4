/* lib.S — the runtime of the board test kernels: entry point, UART output,
 * `check`, the M- and S-mode trap handlers, power-off (board.h).
 *
 * A kernel defines `main` (called in M-mode with gp, sp, mtvec and PMP set
 * up) and returns from it; lib.S then prints "# N ok, M failed" and powers
 * the board off through the finisher: 0x5555 if every check passed, else
 * 0x3333 | 1 << 16 (qemu exits with status 1).
 *
 * Only hart 0 runs main. Every other hart (a0 != 0 at the entry) waits
 * until hart 0 has zeroed the bss, then jumps to `secondary` with a0 = its
 * hart id and gp = vars, but no stack, mtvec or PMP of its own. lib.S's
 * `secondary` (weak) parks the hart in wfi for good, with mie as it came
 * out of reset; a kernel for several harts (smp.S) defines its own. The
 * trap handlers below keep their state in the one `vars` block, so they
 * are hart 0's: a secondary needs a handler of its own.
 */
#include "board.h"

	.section .text.start, "ax"
	.globl	_start
_start:
	/* qemu -bios none: a0 = hart id, a1 = device tree, M-mode, pc = entry
	 * (every hart) */
	la	gp, vars
	bnez	a0, 5f
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	sd	a0, V_BOOT_A0(gp)
	/* the bss is zero: let the other harts in (the fence orders the
	 * zeroing before the flag, unpriv §17.1 (RVWMO)) */
	fence	rw, w
	li	t0, 1
	la	t1, bss_ready
	sd	t0, 0(t1)
	la	t0, m_trap
	csrw	mtvec, t0
	la	t0, s_trap
	csrw	stvec, t0
	/* PMP entry 0: NAPOT over the whole address space, RWX, so that S-
	 * and U-mode may reach memory (priv §3.7.1: with PMP entries
	 * implemented and none matching, S/U accesses fail). */
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f		/* A = NAPOT (3 << 3), X, W, R */
	csrw	pmpcfg0, t0
	call	main
	/* fall through */
	.globl	finish
finish:
	la	a0, s_hash
	call	puts
	ld	a0, V_OK(gp)
	call	putdec
	la	a0, s_okc
	call	puts
	ld	a0, V_FAILED(gp)
	call	putdec
	la	a0, s_failed
	call	puts
	ld	t0, V_FAILED(gp)
	li	t1, FINISHER_PASS
	beqz	t0, 1f
	li	t1, FINISHER_FAIL | (1 << 16)
1:	li	t0, FINISHER
	sw	t1, 0(t0)
2:	wfi				/* the board is off: never reached */
	j	2b

	/* the other harts: wait for hart 0's flag, then their own code */
5:	la	t1, bss_ready
6:	ld	t0, 0(t1)
	beqz	t0, 6b
	fence	r, rw
	j	secondary

/* secondary(a0 = hart id): the default parks the hart for good. */
	.weak	secondary
secondary:
1:	wfi
	j	1b

/* putc(a0): one byte to the UART, waiting for THRE first. */
	.globl	putc
putc:
	li	t0, UART_BASE
1:	lbu	t1, UART_LSR(t0)
	andi	t1, t1, UART_LSR_THRE
	beqz	t1, 1b
	sb	a0, UART_THR(t0)
	ret

/* puts(a0): a NUL-terminated string. */
	.globl	puts
puts:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	mv	s0, a0
1:	lbu	a0, 0(s0)
	beqz	a0, 2f
	call	putc
	addi	s0, s0, 1
	j	1b
2:	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 16
	ret

/* puthex(a0): "0x" and 16 hex digits. */
	.globl	puthex
puthex:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	mv	s0, a0
	li	a0, '0'
	call	putc
	li	a0, 'x'
	call	putc
	li	s1, 60
1:	srl	a0, s0, s1
	andi	a0, a0, 15
	addi	a0, a0, '0'
	li	t0, '9'
	ble	a0, t0, 2f
	addi	a0, a0, 'a' - '0' - 10
2:	call	putc
	addi	s1, s1, -4
	bgez	s1, 1b
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	addi	sp, sp, 32
	ret

/* putdec(a0): unsigned decimal. */
	.globl	putdec
putdec:
	addi	sp, sp, -48
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	addi	s0, sp, 40		/* digits go to 16(sp)..39(sp), backwards */
	sb	zero, 0(s0)
	li	t1, 10
1:	remu	t0, a0, t1
	divu	a0, a0, t1
	addi	t0, t0, '0'
	addi	s0, s0, -1
	sb	t0, 0(s0)
	bnez	a0, 1b
	mv	a0, s0
	call	puts
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 48
	ret

/* check(a0 = name, a1 = got, a2 = want): the case's line; counts it. */
	.globl	check
check:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	bne	s1, s2, 1f
	ld	t0, V_OK(gp)
	addi	t0, t0, 1
	sd	t0, V_OK(gp)
	la	a0, s_ok
	call	puts
	mv	a0, s0
	call	puts
	j	2f
1:	ld	t0, V_FAILED(gp)
	addi	t0, t0, 1
	sd	t0, V_FAILED(gp)
	la	a0, s_fail
	call	puts
	mv	a0, s0
	call	puts
	la	a0, s_got
	call	puts
	mv	a0, s1
	call	puthex
	la	a0, s_want
	call	puts
	mv	a0, s2
	call	puthex
2:	li	a0, '\n'
	call	putc
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	addi	sp, sp, 32
	ret

/* m_trap: the M-mode trap handler (mtvec, direct mode). Records mcause,
 * mepc, mtval and mstatus in V_M*, counts the trap, then:
 *  - if V_MRESUME is set: clears it and returns there in M-mode with
 *    MIE = 0 (MPP = M, MPIE = 0 before the mret);
 *  - an interrupt: clears its enable bit in mie and returns to mepc;
 *  - an exception: returns past the trapping instruction (mepc + 2 or 4,
 *    after its length bits), to the mode it came from.
 * Changes no register. */
	.align	2
	.globl	m_trap
m_trap:
	sd	t0, V_SAVE+0(gp)
	sd	t1, V_SAVE+8(gp)
	csrr	t0, mcause
	sd	t0, V_MCAUSE(gp)
	csrr	t0, mepc
	sd	t0, V_MEPC(gp)
	csrr	t0, mtval
	sd	t0, V_MTVAL(gp)
	csrr	t0, mstatus
	sd	t0, V_MSTATUS(gp)
	ld	t0, V_MCOUNT(gp)
	addi	t0, t0, 1
	sd	t0, V_MCOUNT(gp)
	csrr	t0, mcause
	bgez	t0, 1f
	/* interrupt: mask it */
	slli	t0, t0, 1
	srli	t0, t0, 1
	li	t1, 1
	sll	t1, t1, t0
	csrc	mie, t1
1:	ld	t1, V_MRESUME(gp)
	beqz	t1, 2f
	sd	zero, V_MRESUME(gp)
	csrw	mepc, t1
	li	t1, MSTATUS_MPP
	csrs	mstatus, t1
	li	t1, MSTATUS_MPIE
	csrc	mstatus, t1
	j	3f
2:	csrr	t0, mcause
	bltz	t0, 3f
	csrr	t0, mepc
	lhu	t1, 0(t0)
	andi	t1, t1, 3
	addi	t0, t0, 2
	addi	t1, t1, -3
	bnez	t1, 4f
	addi	t0, t0, 2
4:	csrw	mepc, t0
3:	ld	t0, V_SAVE+0(gp)
	ld	t1, V_SAVE+8(gp)
	mret

/* s_trap: the S-mode trap handler (stvec). Records scause, sepc, stval and
 * sstatus in V_S*, counts the trap; an interrupt has its enable bit cleared
 * in sie and returns to sepc, an exception returns past the trapping
 * instruction. Changes no register. */
	.align	2
	.globl	s_trap
s_trap:
	sd	t0, V_SAVE+32(gp)
	sd	t1, V_SAVE+40(gp)
	csrr	t0, scause
	sd	t0, V_SCAUSE(gp)
	csrr	t0, sepc
	sd	t0, V_SEPC(gp)
	csrr	t0, stval
	sd	t0, V_STVAL(gp)
	csrr	t0, sstatus
	sd	t0, V_SSTATUS(gp)
	ld	t0, V_SCOUNT(gp)
	addi	t0, t0, 1
	sd	t0, V_SCOUNT(gp)
	csrr	t0, scause
	bgez	t0, 1f
	slli	t0, t0, 1
	srli	t0, t0, 1
	li	t1, 1
	sll	t1, t1, t0
	csrc	sie, t1
	j	3f
1:	csrr	t0, sepc
	lhu	t1, 0(t0)
	andi	t1, t1, 3
	addi	t0, t0, 2
	addi	t1, t1, -3
	bnez	t1, 4f
	addi	t0, t0, 2
4:	csrw	sepc, t0
3:	ld	t0, V_SAVE+32(gp)
	ld	t1, V_SAVE+40(gp)
	sret

	.section .rodata
s_ok:	.asciz	"ok "
s_fail:	.asciz	"FAIL "
s_got:	.asciz	": got "
s_want:	.asciz	" want "
s_hash:	.asciz	"# "
s_okc:	.asciz	" ok, "
s_failed: .asciz " failed\n"

	/* in .data, not .bss: the other harts read it while hart 0 zeroes
	 * the bss */
	.data
	.align	3
bss_ready: .dword 0

	.bss
	.align	4
	.globl	vars
vars:	.space	V_SIZE
