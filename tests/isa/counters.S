/*
 * Exact instret counting (unprivileged spec, "Zicntr" and "Zicsr"): a CSR
 * instruction that reads instret sees the count before it retires, so two
 * rdinstret around k instructions differ by exactly k + 1 - whatever the
 * instructions are (compressed or not, taken branches, jumps, loads, FP).
 * isa-mvm-args: exact
 *
 * qemu-user reads a host clock for instret, so under qemu (no argument) only
 * the monotonic checks run; with the argument "exact" the counts the spec
 * fixes are checked as well.  The outputs of the two runs are not compared.
 * The hand counts can be cross-checked against an instruction trace:
 * qemu-riscv64 -singlestep -d exec,nochain shows one line per instruction.
 */
#include "test.h"

	/* DELTA_BEGIN ... DELTA_END k, "name": k instructions in between */
	.macro DELTA_BEGIN
	rdinstret s2
	.endm

	.macro DELTA_END k, name
	rdinstret s3
	sub s4, s3, s2
	bnez s11, .Lexact\@
	sltu t0, s2, s3
	CHECK t0, 1, "\name: instret increases"
	j .Ldone\@
.Lexact\@:
	CHECK s4, \k + 1, "\name: instret delta"
.Ldone\@:
	.endm

	.bss
	.balign 8
scratch: .space 64
	.text

TEST_BEGIN
	/* s11 = 1 if argv[1] starts with 'e' ("exact") */
	li s11, 0
	ld t0, 0(sp)			/* argc */
	li t1, 2
	blt t0, t1, 1f
	ld t0, 16(sp)			/* argv[1] */
	lbu t0, 0(t0)
	li t1, 'e'
	bne t0, t1, 1f
	li s11, 1
1:
	DELTA_BEGIN
	DELTA_END 0, "back to back"

	DELTA_BEGIN
	addi t0, t0, 1
	addi t0, t0, 1
	addi t0, t0, 1
	addi t0, t0, 1
	addi t0, t0, 1
	DELTA_END 5, "five addi"

	DELTA_BEGIN
	.rept 100
	nop
	.endr
	DELTA_END 100, "100 nops"

	/* compressed instructions count as one instruction each */
	.option push
	.option rvc
	DELTA_BEGIN
	c.addi t0, 1
	c.nop
	c.mv t1, t0
	c.add t1, t0
	c.slli t1, 3
	c.li t2, 5
	DELTA_END 6, "six compressed"
	.option pop

	/* control flow: taken and untaken branches, jal, jalr */
	DELTA_BEGIN
	li t0, 1			/* 1 */
	beqz t0, 2f			/* 2: not taken */
	bnez t0, 3f			/* 3: taken */
2:	nop				/* skipped */
	nop				/* skipped */
3:	jal t1, 4f			/* 4 */
	nop				/* skipped */
4:	lla t2, 5f			/* 5, 6 (auipc + addi) */
	jalr x0, 0(t2)			/* 7 */
	nop				/* skipped */
5:	nop				/* 8 */
	DELTA_END 8, "branches and jumps"

	/* a counted loop: 10 iterations of 2 instructions, plus the li */
	DELTA_BEGIN
	li t0, 10
6:	addi t0, t0, -1
	bnez t0, 6b
	DELTA_END 21, "loop"

	/* loads, stores, atomics, M, FP and CSR accesses */
	lla s5, scratch
	DELTA_BEGIN
	sd t0, 0(s5)			/* 1 */
	ld t1, 0(s5)			/* 2 */
	amoadd.d t2, t1, (s5)		/* 3 */
	mul t2, t1, t1			/* 4 */
	div t2, t2, t1			/* 5: divide by zero, no trap */
	fcvt.d.l ft0, t1		/* 6 */
	fadd.d ft0, ft0, ft0		/* 7 */
	frflags t0			/* 8 */
	fsflags x0			/* 9 */
	fence				/* 10 */
	DELTA_END 10, "memory, M, FP, CSR"

	/* fence.i flushes nothing the count depends on */
	DELTA_BEGIN
	fence.i
	nop
	DELTA_END 2, "fence.i"

	/* reading instret twice in a row through csrrs / csrrsi */
	csrrs s2, instret, x0
	csrrsi s3, instret, 0
	sub s4, s3, s2
	beqz s11, 7f
	CHECK s4, 1, "csrrs then csrrsi instret delta"
7:
TEST_END
