/*
 * Zifencei (unprivileged spec, "Zifencei" chapter): after a hart stores to
 * instruction memory, fence.i makes its later instruction fetches see the
 * stores.  The program maps a read-write-execute page with mmap (Linux
 * syscall 222), copies code templates into it, runs them, rewrites them and
 * runs them again: a monitor that caches decoded code must drop what it
 * cached.  Cases: a rewritten immediate, a rewritten instruction in a page
 * already executed many times, code that patches the instruction right
 * after its own fence.i, and a whole function replaced.
 */
#include "test.h"

#define PROT_RWX 7
#define MAP_PRIVATE_ANON 0x22

	.option push
	.option norvc
	/* templates, copied into the RWX page; never executed in place */
	.section .rodata
	.balign 4
tmpl_ret42:
	addi a0, zero, 42
	ret
tmpl_ret42_end:
insn_addi_a0_43:
	addi a0, zero, 43
insn_addi_a0_7:
	addi a0, zero, 7
insn_addi_a0_a0_1:
	addi a0, a0, 1
	/*
	 * Self-patching: stores a1 over the instruction marked below, executes
	 * fence.i, then runs the patched instruction.
	 */
tmpl_patch:
	sw a1, 8(a2)			/* 8: offset of the slot below */
	fence.i
.Lpatch_slot:
	addi a0, zero, 1
	ret
tmpl_patch_end:
	.if .Lpatch_slot - tmpl_patch - 8
	.error "patch slot moved"
	.endif
	/* a loop summing 1..a0 */
tmpl_sum:
	mv t0, a0
	li a0, 0
1:	add a0, a0, t0
	addi t0, t0, -1
	bnez t0, 1b
	ret
tmpl_sum_end:
	/* a function doing something else entirely: a0 * 3 */
tmpl_triple:
	slli t0, a0, 1
	add a0, a0, t0
	ret
tmpl_triple_end:
	.option pop
	.text

/* copy(a0 = dst, a1 = src, a2 = src end): word copy */
copy:
1:	bgeu a1, a2, 2f
	lw t0, 0(a1)
	sw t0, 0(a0)
	addi a0, a0, 4
	addi a1, a1, 4
	j 1b
2:	ret

TEST_BEGIN
	li a0, 0
	li a1, 4096
	li a2, PROT_RWX
	li a3, MAP_PRIVATE_ANON
	li a4, -1
	li a5, 0
	li a7, 222
	ecall
	mv s0, a0
	li t0, -4096
	sltu s1, s0, t0			/* not an -errno */
	CHECK s1, 1, "mmap RWX page"
	beqz s1, .Lend

	/* run, rewrite the immediate, run again */
	mv a0, s0
	lla a1, tmpl_ret42
	lla a2, tmpl_ret42_end
	call copy
	fence.i
	jalr s0
	CHECK a0, 42, "generated code runs"
	lw t0, insn_addi_a0_43
	sw t0, 0(s0)
	fence.i
	jalr s0
	CHECK a0, 43, "rewritten immediate after fence.i"

	/* the same entry rewritten many times in a row */
	li s1, 0			/* i */
	li s2, 0			/* mismatches */
1:	slli t0, s1, 20			/* addi a0, zero, i */
	li t1, 0x00000513
	or t0, t0, t1
	sw t0, 0(s0)
	fence.i
	jalr s0
	beq a0, s1, 2f
	addi s2, s2, 1
2:	addi s1, s1, 1
	li t0, 200
	bne s1, t0, 1b
	CHECK s2, 0, "200 rewrites of one instruction"

	/* a loop that has run many times, then a different function */
	mv a0, s0
	lla a1, tmpl_sum
	lla a2, tmpl_sum_end
	call copy
	fence.i
	li a0, 100
	jalr s0
	CHECK a0, 5050, "generated loop"
	li a0, 10
	jalr s0
	CHECK a0, 55, "generated loop again"
	mv a0, s0
	lla a1, tmpl_triple
	lla a2, tmpl_triple_end
	call copy
	fence.i
	li a0, 14
	jalr s0
	CHECK a0, 42, "function replaced after fence.i"
	/* patch the loop's body back in one instruction at a time */
	mv a0, s0
	lla a1, tmpl_sum
	lla a2, tmpl_sum_end
	call copy
	fence.i
	li a0, 4
	jalr s0
	CHECK a0, 10, "loop copied back"
	lw t0, insn_addi_a0_a0_1
	sw t0, 8(s0)			/* add a0, a0, t0 -> addi a0, a0, 1 */
	fence.i
	li a0, 4
	jalr s0
	CHECK a0, 4, "loop body patched"

	/* code that patches its own next instruction, then fence.i */
	mv a0, s0
	lla a1, tmpl_patch
	lla a2, tmpl_patch_end
	call copy
	fence.i
	li a0, 0
	lw a1, insn_addi_a0_43
	mv a2, s0
	jalr s0
	CHECK a0, 43, "self-patch then fence.i"
	li a0, 0
	lw a1, insn_addi_a0_7
	mv a2, s0
	jalr s0
	CHECK a0, 7, "self-patch again"

	/* unmap: the page is gone afterwards (not executed, just unmapped) */
	mv a0, s0
	li a1, 4096
	li a7, 215
	ecall
	CHECK a0, 0, "munmap"
.Lend:
TEST_END
