/*
 * Register file addressing: every integer register x1..x31 and every FP
 * register f0..f31 is written, moved through (as rd, rs1 and rs2 of real
 * instructions) and read back, so that a decoder that mixes up any
 * register field shows here rather than as a puzzling failure elsewhere.
 * x0 must read zero through all of it.  sp and gp are saved in memory and
 * restored before the results are checked.
 */
#include "test.h"

/* the value placed in register n: distinct in every byte position */
#define VAL(n) (0x0101010101010101 * (n) + 0x8000000000000000)

	.bss
	.balign 8
saved:	.space 16
xa:	.space 8 * 32
fa:	.space 8 * 32

	.text

	/* MOVX a, b: x<a> = x<b> through addi (rd = a, rs1 = b) */
	.macro MOVX a, b
	addi x\a, x\b, 0
	.endm

	/* MOVF a, b: f<a> = f<b> through fsgnj.d (rs1 = rs2 = b) */
	.macro MOVF a, b
	fsgnj.d f\a, f\b, f\b
	.endm

TEST_BEGIN
	/* gp is overwritten below: no gp-relative relaxation until restored */
	.option push
	.option norelax
	lla t0, saved
	sd sp, 0(t0)
	sd gp, 8(t0)

	/* x1..x30 get VAL(n); rotate each down one register: x(n) = x(n+1) */
	.irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	li x\n, VAL(\n)
	.endr
	.altmacro
	.irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	MOVX \n, %(\n + 1)
	.endr
	.noaltmacro
	/* x31 keeps VAL(31); now x(n) = VAL(n + 1) for n < 31 */
	add x31, x31, x0		/* x0 as rs2 */
	sub x31, x31, x0
	/* store x1..x30 through x31 as the base */
	lla x31, xa
	.irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	sd x\n, (8 * \n)(x31)
	.endr
	/* x31 as a source and rd: load a value through x1 as the base */
	li x30, VAL(32)
	lla x1, xa
	sd x30, (8 * 31)(x1)
	ld x31, (8 * 31)(x1)
	xor x31, x31, x0
	sd x31, 0(x1)			/* slot 0 holds x31's copy */

	/* FP: f(n) = VAL(n), rotated through fsgnj.d and fadd-free moves */
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	li t0, VAL(\n)
	fmv.d.x f\n, t0
	.endr
	.altmacro
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	MOVF \n, %(\n + 1)
	.endr
	.noaltmacro
	lla t1, fa
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd f\n, (8 * \n)(t1)
	.endr

	lla t0, saved
	ld sp, 0(t0)
	ld gp, 8(t0)
	.option pop
	CHECK x0, 0, "x0 still zero"

	/* xa[n] = VAL(n + 1) for n = 1..30, xa[0] = xa[31] = VAL(32) */
	lla s1, xa
	li s2, 1
	li s3, 0			/* mismatches */
1:	slli t0, s2, 3
	add t0, t0, s1
	ld t1, 0(t0)
	addi t2, s2, 1
	li t3, 0x0101010101010101
	mul t2, t2, t3
	li t3, 0x8000000000000000
	add t2, t2, t3
	beq t1, t2, 2f
	addi s3, s3, 1
2:	addi s2, s2, 1
	li t0, 31
	bne s2, t0, 1b
	CHECK s3, 0, "x1..x30 moved from the next register"
	ld t0, 0(s1)
	CHECK t0, VAL(32), "x31 written and read"
	ld t0, 248(s1)
	CHECK t0, VAL(32), "x30 stored through x1"

	/* fa[n] = VAL(n + 1) for n = 0..30, fa[31] = VAL(31) */
	lla s1, fa
	li s2, 0
	li s3, 0
3:	slli t0, s2, 3
	add t0, t0, s1
	ld t1, 0(t0)
	addi t2, s2, 1
	li t3, 0x0101010101010101
	mul t2, t2, t3
	li t3, 0x8000000000000000
	add t2, t2, t3
	beq t1, t2, 4f
	addi s3, s3, 1
4:	addi s2, s2, 1
	li t0, 31
	bne s2, t0, 3b
	CHECK s3, 0, "f0..f30 moved from the next register"
	ld t0, 248(s1)
	CHECK t0, VAL(31), "f31 kept"
	DUMP_BEGIN "integer slots"
	lla s1, xa
	li s2, 32
5:	ld a0, 0(s1)
	call dump_val
	addi s1, s1, 8
	addi s2, s2, -1
	bnez s2, 5b
TEST_END
