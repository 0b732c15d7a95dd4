/*
 * Zba address generation (RISC-V Bit-Manipulation ISA-extensions, "Zba"):
 * add.uw, sh1add, sh2add, sh3add, their .uw forms, and slli.uw.  The .uw
 * forms zero-extend the low 32 bits of rs1 before shifting and adding;
 * shifted-out bits are lost; zext.w is add.uw with rs2 = x0.
 * isa-march: rv64gc_zba
 */
#include "test.h"

	.macro BULK_RR op
	DUMP_BEGIN "\op"
	li s1, 32
.Lbulk\@:
	call rand_operand
	mv s2, a0
	call rand_operand
	\op s3, s2, a0
	DUMP s3
	addi s1, s1, -1
	bnez s1, .Lbulk\@
	.endm

TEST_BEGIN
	TEST_RR add.uw, 0x80000001, 0xffffffff80000000, 1
	TEST_RR add.uw, 0x100000000, 0xffffffffffffffff, 1
	TEST_RR add.uw, 0, 0x1234567800000000, 0
	TEST_R  zext.w, 0x00000000ffffffff, 0xffffffffffffffff
	TEST_R  zext.w, 0x0000000080000000, 0x1234567880000000
	TEST_RR sh1add, 106, 3, 100
	TEST_RR sh1add, 5, 0x8000000000000000, 5
	TEST_RR sh1add, 0xfffffffffffffffe, -1, 0
	TEST_RR sh2add, 112, 3, 100
	TEST_RR sh2add, 0xfffffffffffffffc, 0x3fffffffffffffff, 0
	TEST_RR sh3add, 124, 3, 100
	TEST_RR sh3add, 0xfffffffffffffff8, -1, 0
	TEST_RR sh3add, 0, 0x2000000000000000, 0
	TEST_RR sh1add.uw, 0x1fffffffe, 0xffffffffffffffff, 0
	TEST_RR sh1add.uw, 12, 0x100000001, 10
	TEST_RR sh2add.uw, 0x3fffffffc, 0xffffffffffffffff, 0
	TEST_RR sh2add.uw, 0x200000000, 0x80000000, 0
	TEST_RR sh3add.uw, 16, 0x100000001, 8
	TEST_RR sh3add.uw, 0x7fffffff8, 0xffffffff, 0
	TEST_IMM slli.uw, 0x800000000, 0xffffffff80000000, 4
	TEST_IMM slli.uw, 0xffffffff00000000, 0xffffffff, 32
	TEST_IMM slli.uw, 0x23456789, 0x123456789, 0
	TEST_IMM slli.uw, 0x8000000000000000, 0xffffffff, 63
	TEST_RR_SRC1_EQ_DEST sh2add, 0x104, 1, 0x100
	TEST_RR_SRC12_EQ_DEST sh1add.uw, 0x1fffffffd, 0xffffffffffffffff

	BULK_RR add.uw
	BULK_RR sh1add
	BULK_RR sh2add
	BULK_RR sh3add
	BULK_RR sh1add.uw
	BULK_RR sh2add.uw
	BULK_RR sh3add.uw
	DUMP_BEGIN "slli.uw all amounts"
	li s2, 0x89abcdef01234567
	.set .Lsh, 0
	.rept 64
	slli.uw s3, s2, .Lsh
	DUMP s3
	.set .Lsh, .Lsh + 1
	.endr
TEST_END
